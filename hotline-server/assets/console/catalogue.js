// The catalogue pane: search as you type (debounced, stale answers dropped), open an entry, cite its control
// codes in the next reply; plus the entry lookups the rest of the console shares (HS heading text, cite titles).

import { api } from "./http.js";
import { el, replaceChildren, snippetNodes } from "./dom.js";

const DEBOUNCE_MS = 180;
const entries = new Map();

/** One catalogue entry by id (cached; a miss resolves to null). */
export function entry(id) {
  if (!entries.has(id)) {
    const lookup = api(`/entries/${encodeURIComponent(id)}`).catch(() => null);
    entries.set(id, lookup);
    lookup.then((found) => {
      if (!found) entries.delete(id);
    });
  }
  return entries.get(id);
}

/** The HS entry of a declared code: `8459.61`, `845961` or `8459`; falls back to the 4-digit heading. */
export async function hsHeading(code) {
  const digits = String(code || "").replace(/[^0-9]/g, "");
  if (digits.length < 4) return null;
  const candidates = [];
  if (digits.length >= 6) candidates.push(`hs:${digits.slice(0, 4)}.${digits.slice(4, 6)}`);
  candidates.push(`hs:${digits.slice(0, 4)}`);
  for (const id of candidates) {
    const found = await entry(id);
    if (found) return found;
  }
  return null;
}

const KIND_NAMES = { control: "Control", guide: "Guide", hs: "HS" };

/** Wires the pane; `onCite(code)` adds a code to the next reply. */
export function setupCatalogue({ onCite, canCite }) {
  const input = document.getElementById("search");
  const results = document.getElementById("results");
  const state = document.getElementById("search-state");
  const view = document.getElementById("entry");
  let timer = null;
  let running = null;
  let generation = 0;

  async function search(query) {
    const mine = ++generation;
    if (running) running.abort();
    if (!query.trim()) {
      replaceChildren(results);
      state.textContent = "";
      return;
    }
    running = new AbortController();
    state.textContent = "Searching…";
    try {
      const answer = await api(`/search?q=${encodeURIComponent(query)}&limit=12`, { signal: running.signal });
      if (mine !== generation) return;
      state.textContent = answer.hits.length
        ? `${answer.total} match${answer.total === 1 ? "" : "es"} for “${answer.query}”`
        : `Nothing matches “${answer.query}”.`;
      replaceChildren(results, answer.hits.map((hit) => resultItem(hit)));
    } catch (error) {
      if (error.name === "AbortError" || mine !== generation) return;
      state.textContent = `Search failed: ${error.message}`;
    }
  }

  function resultItem(hit) {
    const open = () => openEntry(hit.id);
    return el(
      "li",
      { class: "result" },
      el(
        "button",
        { type: "button", class: "result-open", onclick: open, "data-entry-id": hit.id },
        el("span", { class: `kind kind-${hit.kind}` }, KIND_NAMES[hit.kind] || hit.kind),
        hit.code ? el("span", { class: "result-code" }, hit.code) : null,
        el("span", { class: "result-title" }, hit.title),
      ),
      el("p", { class: "snippet" }, snippetNodes(hit.snippet || "")),
      hit.controls.length ? el("p", { class: "result-controls" }, "Controls: ", hit.controls.join(", ")) : null,
    );
  }

  async function openEntry(id) {
    view.hidden = false;
    replaceChildren(view, el("p", { class: "muted" }, "Loading…"));
    const found = await entry(id);
    if (!found) {
      replaceChildren(view, el("p", { class: "error" }, `No catalogue entry ${id}.`));
      return;
    }
    replaceChildren(view, entryNodes(found));
    view.querySelector("h3")?.focus();
  }

  function entryNodes(found) {
    const section = (title, ...content) => (content.some(Boolean) ? [el("h4", {}, title), ...content] : []);
    const text = (value) => (value ? el("p", {}, value) : null);
    const cites = found.controls.map((code) =>
      el("button", { type: "button", class: "btn btn-cite", "data-cite": code, disabled: !canCite(), onclick: () => onCite(code) }, `Cite ${code}`),
    );
    return [
      el(
        "div",
        { class: "entry-head" },
        el("span", { class: `kind kind-${found.kind}` }, KIND_NAMES[found.kind] || found.kind),
        found.code ? el("span", { class: "result-code" }, found.code) : null,
        el("button", { type: "button", class: "btn btn-quiet entry-close", onclick: () => (view.hidden = true), "aria-label": "Close the entry" }, "×"),
      ),
      el("h3", { tabindex: "-1" }, found.title),
      cites.length ? el("div", { class: "cite-row" }, cites) : null,
      found.names && found.names.length ? el("p", { class: "muted" }, "Also: ", found.names.join(", ")) : null,
      section("What it is", text(found.summary)),
      section("Looks like", text(found.looks_like)),
      section("Uses", text(found.uses)),
      section("Red flags", found.red_flags && found.red_flags.length ? el("ul", {}, found.red_flags.map((f) => el("li", {}, f))) : null),
      section("Reasons for control", text(found.reasons)),
      section("HS codes", found.hs.length ? text(found.hs.join(", ")) : null),
      section(
        "Text",
        found.paragraphs && found.paragraphs.length
          ? el(
              "div",
              { class: "paragraphs" },
              found.paragraphs.map((p) =>
                el("p", { class: `para para-${p.kind || "text"} depth-${Math.min(p.depth || 0, 4)}` }, p.label ? el("b", {}, p.label, " ") : null, p.text),
              ),
            )
          : null,
      ),
      section("Related", text(found.related)),
    ];
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value), DEBOUNCE_MS);
  });
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      results.querySelector("button")?.focus();
    }
  });
  results.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...results.querySelectorAll(".result-open")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    const next = event.key === "ArrowDown" ? at + 1 : at - 1;
    if (next < 0) input.focus();
    else buttons[Math.min(next, buttons.length - 1)].focus();
  });

  return {
    focus() {
      input.focus();
      input.select();
    },
    /** Re-renders the cite buttons' enabled state after a claim, transfer or close. */
    refreshCiteButtons() {
      for (const button of view.querySelectorAll("[data-cite]")) button.disabled = !canCite();
    },
    openEntry,
  };
}
