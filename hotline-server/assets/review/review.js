// Trainer review pages: sign in, list closed requests with filters, transcripts with annotations, statistics
// drawn as SVG. User data only ever reaches the DOM as text (textContent, createElement), never as HTML.
// An ES module: REST and the sign-in form come from the shared http.js and sign-in.js (also the console's).

import { api } from "./http.js";
import { endSession, signInHandler } from "./sign-in.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const FILTERS = ["from", "to", "verdict", "control", "officer", "expert", "q"];
const PAGE = 50;
const state = { me: null, offset: 0, total: 0, current: null };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text != null) node.textContent = text;
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function when(at) {
  if (!at) return "—";
  const date = new Date(at);
  return isNaN(date) ? at : date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function duration(seconds) {
  if (seconds == null) return "—";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function between(from, to) {
  if (!from || !to) return null;
  return (new Date(to) - new Date(from)) / 1000;
}

function person(user) {
  if (!user) return "—";
  return user.display_name && user.display_name !== user.username ? `${user.display_name} (${user.username})` : user.username;
}

function showError(error) {
  if (error && error.status === 401) return signedOut("Your session has ended; sign in again.");
  $("error").textContent = error ? error.message : "";
}

// ---------- filters ----------

function filterQuery() {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = $(`f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function updateExports() {
  const query = filterQuery().toString();
  $("export-csv").href = "/api/v1/review/export.csv" + (query ? `?${query}` : "");
  $("export-json").href = "/api/v1/review/export.json" + (query ? `?${query}` : "");
}

// ---------- list ----------

async function loadList() {
  const params = filterQuery();
  params.set("limit", String(PAGE));
  params.set("offset", String(state.offset));
  const list = await api(`/review/requests?${params}`);
  state.total = list.total;
  $("list-total").textContent = `(${list.total})`;
  const body = $("list-body");
  clear(body);
  for (const request of list.requests) {
    const open = el("button", { type: "button", className: "link", text: request.subject || "(no subject)" });
    open.addEventListener("click", () => { location.hash = `#request/${encodeURIComponent(request.id)}`; });
    const outcome = request.outcome || {};
    body.append(
      el("tr", { "data-request-id": request.id },
        el("td", { text: when(request.created_at) }),
        el("td", { className: "subject" }, open),
        el("td", { text: person(request.officer) }),
        el("td", { text: person(request.assignee) }),
        el("td", { text: outcome.verdict || "—" }),
        el("td", { text: (outcome.controls || []).join(" ") })));
  }
  if (!list.requests.length) body.append(el("tr", {}, el("td", { colSpan: 6, text: "No closed request matches these filters." })));
  const last = Math.min(state.offset + list.requests.length, list.total);
  $("page-info").textContent = list.total ? `${state.offset + 1}–${last} of ${list.total}` : "";
  $("prev").disabled = state.offset === 0;
  $("next").disabled = last >= list.total;
}

// ---------- transcript ----------

function meta(dl, pairs) {
  clear(dl);
  for (const [label, value] of pairs) {
    if (value == null || value === "") continue;
    dl.append(el("dt", { text: label }), el("dd", { text: String(value) }));
  }
}

async function loadDetail(id) {
  const detail = await api(`/review/requests/${encodeURIComponent(id)}`);
  state.current = id;
  $("detail-export").href = caseExportUrl(id);
  $("detail-export").download = `case-${id}.html`;
  const request = detail.request;
  const events = detail.events || [];
  const firstAnswer = events.find((e) => e.kind === "message" && e.author && e.author.role === "expert");
  $("detail-subject").textContent = request.subject;
  meta($("detail-meta"), [
    ["Request", request.id],
    ["Officer", person(request.officer)],
    ["Expert", person(request.assignee)],
    ["Priority", request.priority],
    ["Created", when(request.created_at)],
    ["Claimed", when(request.claimed_at)],
    ["Closed", when(request.closed_at)],
    ["Time to first response", duration(firstAnswer ? between(request.created_at, firstAnswer.at) : null)],
    ["Time to resolution", duration(between(request.created_at, request.closed_at))],
  ]);
  const shipment = request.shipment || {};
  meta($("detail-shipment"), [
    ["Description", shipment.declared_description],
    ["HS code", shipment.hs_code],
    ["Origin", shipment.origin_country],
    ["Destination", shipment.destination_country],
    ["Consignee", shipment.consignee],
    ["Reference", shipment.reference],
  ]);
  const photos = $("detail-photos");
  clear(photos);
  const list = $("detail-events");
  clear(list);
  for (const event of events) {
    const item = el("li", { className: `event event-${event.kind}`, "data-seq": String(event.seq) },
      el("div", { className: "event-head", text: `${when(event.at)} · ${event.kind}${event.author ? " · " + person(event.author) : ""}` }));
    if (event.message) {
      item.append(el("p", { className: "msg-body", text: event.message.body }));
      const cites = event.message.cites || [];
      if (cites.length) item.append(el("div", { className: "cites", text: `Cites: ${cites.join(", ")}` }));
      for (const attachment of event.message.attachments || []) {
        const src = `/api/v1/attachments/${encodeURIComponent(attachment)}/thumb`;
        const full = `/api/v1/attachments/${encodeURIComponent(attachment)}`;
        photos.append(el("a", { href: full, target: "_blank", rel: "noopener", title: "Open the photo at full size" },
          el("img", { src, alt: `Photo ${attachment}`, loading: "lazy" })));
        item.append(el("img", { src, alt: `Photo ${attachment}`, className: "thumb" }));
      }
    }
    list.append(item);
  }
  if (!photos.firstChild) photos.append(el("p", { text: "No photos." }));
  const outcome = request.outcome;
  const box = $("detail-outcome");
  clear(box);
  if (outcome) {
    box.append(el("p", { className: "verdict", text: `Verdict: ${outcome.verdict}` }),
      el("p", { text: `Controls: ${(outcome.controls || []).join(", ") || "none"}` }),
      el("p", { className: "msg-body", text: outcome.note || "" }));
  } else {
    box.append(el("p", { text: "No outcome recorded." }));
  }
  renderAnnotations(detail.annotations || []);
}

function renderAnnotations(annotations) {
  const list = $("detail-annotations");
  clear(list);
  for (const a of annotations) {
    list.append(el("li", { className: "annotation" },
      el("span", { className: "event-head", text: `${when(a.at)} · ${person(a.author)}${a.training_case ? " · training case" : ""}` }),
      el("p", { className: "msg-body", text: a.note })));
  }
  if (!annotations.length) list.append(el("li", { text: "No annotations yet." }));
}

async function annotate(event) {
  event.preventDefault();
  $("annotate-error").textContent = "";
  if (!state.current) return;
  try {
    await api(`/review/requests/${encodeURIComponent(state.current)}/annotations`, {
      method: "POST",
      body: { note: $("annotate-note").value, training_case: $("annotate-training").checked },
    });
    $("annotate-note").value = "";
    $("annotate-training").checked = false;
    const detail = await api(`/review/requests/${encodeURIComponent(state.current)}`);
    renderAnnotations(detail.annotations || []);
  } catch (error) {
    $("annotate-error").textContent = error.message;
  }
}

// ---------- statistics ----------

// Commerce Control List categories, by the first digit of an ECCN.
const CATEGORIES = {
  0: "0 Nuclear and miscellaneous",
  1: "1 Materials, chemicals, toxins",
  2: "2 Materials processing",
  3: "3 Electronics",
  4: "4 Computers",
  5: "5 Telecoms and info security",
  6: "6 Sensors and lasers",
  7: "7 Navigation and avionics",
  8: "8 Marine",
  9: "9 Aerospace and propulsion",
};

function barChart(container, rows, { width = 720, barHeight = 18, label = 140, format = String } = {}) {
  clear(container);
  if (!rows.length) {
    container.append(el("p", { text: "Nothing to count." }));
    return;
  }
  const max = Math.max(1, ...rows.map(([, value]) => value));
  const height = rows.length * (barHeight + 6) + 6;
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const room = width - label - 60;
  rows.forEach(([name, value], i) => {
    const y = 6 + i * (barHeight + 6);
    chart.append(svg("text", { x: label - 6, y: y + barHeight - 5, "text-anchor": "end" }, name));
    const bar = svg("rect", { class: "bar", x: label, y, width: Math.max(1, (value / max) * room), height: barHeight });
    bar.append(svg("title", {}, `${name}: ${format(value)}`));
    chart.append(bar);
    chart.append(svg("text", { x: label + (value / max) * room + 4, y: y + barHeight - 5 }, format(value)));
  });
  container.append(chart);
}

// Requests per day: a bar a day, grid lines at zero, half and the most, and at most seven date labels (the first
// and the last always), so that 60 or 365 days stay readable.
function dayChart(container, days) {
  clear(container);
  if (!days.length) {
    container.append(el("p", { text: "Nothing to count." }));
    return;
  }
  const width = 720;
  const height = 200;
  const left = 34;
  const top = 10;
  const bottom = 28;
  const plot = height - top - bottom;
  const max = Math.max(1, ...days.map((d) => d.requests));
  const step = (width - left - 8) / days.length;
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  chart.append(svg("title", {}, `Requests per day, ${days[0].day} to ${days[days.length - 1].day}`));
  for (const value of [...new Set([0, Math.round(max / 2), max])]) {
    const y = top + plot - (value / max) * plot;
    chart.append(svg("line", { class: "grid", x1: left, x2: width - 4, y1: y, y2: y }));
    chart.append(svg("text", { x: left - 4, y: y + 4, "text-anchor": "end" }, String(value)));
  }
  days.forEach((day, i) => {
    const h = (day.requests / max) * plot;
    const bar = svg("rect", { class: "bar", x: left + i * step + 1, y: top + plot - h, width: Math.max(1, step - 2), height: Math.max(0, h) });
    bar.append(svg("title", {}, `${day.day}: ${day.requests}`));
    chart.append(bar);
  });
  const every = Math.max(1, Math.ceil(days.length / 6));
  const last = days.length - 1;
  days.forEach((day, i) => {
    const labelled = i === last || (i % every === 0 && last - i >= every);
    if (!labelled) return;
    const x = left + (i + 0.5) * step;
    const anchor = i === 0 && days.length > 1 ? "start" : i === last && days.length > 1 ? "end" : "middle";
    const at = anchor === "start" ? left : anchor === "end" ? width - 4 : x;
    chart.append(svg("line", { class: "tick", x1: x, x2: x, y1: top + plot, y2: top + plot + 4 }));
    chart.append(svg("text", { x: at, y: height - 8, "text-anchor": anchor }, i === 0 ? day.day : day.day.slice(5)));
  });
  container.append(chart);
}

async function loadStats() {
  const stats = await api(`/review/stats?${filterQuery()}`);
  $("stats-total").textContent = `(${stats.requests} requests)`;
  const figures = $("stats-figures");
  clear(figures);
  const figure = (name, value) => figures.append(el("div", { className: "figure" }, el("span", { text: name }), el("strong", { text: value })));
  figure("First response p50", duration(stats.first_response_s.p50));
  figure("First response p90", duration(stats.first_response_s.p90));
  figure("Resolution p50", duration(stats.resolution_s.p50));
  figure("Resolution p90", duration(stats.resolution_s.p90));
  dayChart($("chart-days"), stats.by_day || []);
  barChart($("chart-verdicts"), Object.entries(stats.by_verdict || {}));
  const times = [
    ["First response p50", stats.first_response_s.p50],
    ["First response p90", stats.first_response_s.p90],
    ["Resolution p50", stats.resolution_s.p50],
    ["Resolution p90", stats.resolution_s.p90],
  ].filter(([, seconds]) => seconds != null);
  barChart($("chart-times"), times, { format: duration });
  const mostFirst = (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]);
  const controls = Object.entries(stats.by_control || {}).sort(mostFirst).slice(0, 10);
  barChart($("chart-controls"), controls);
  const categories = Object.entries(stats.by_category || {})
    .map(([digit, count]) => [CATEGORIES[digit] || `Category ${digit}`, count])
    .sort(mostFirst);
  barChart($("chart-categories"), categories, { label: 210 });
}

// ---------- training cases ----------

function caseExportUrl(id) {
  return `/api/v1/review/requests/${encodeURIComponent(id)}/export.html`;
}

// The training-cases view, its nav link and the transcript's export link, built once (index.html stays as is).
function buildCaseViews() {
  const nav = $("nav");
  nav.insertBefore(el("a", { href: "#cases", id: "nav-cases", text: "Training cases" }), $("nav-stats").nextSibling);
  $("stats-view").after(el("section", { id: "cases-view", hidden: true },
    el("h2", {}, "Training cases ", el("span", { id: "cases-total" })),
    el("table", { className: "list" },
      el("thead", {}, el("tr", {},
        el("th", { text: "Created" }), el("th", { text: "Subject" }), el("th", { text: "Verdict" }),
        el("th", { text: "Notes" }), el("th", { text: "Export" }))),
      el("tbody", { id: "cases-body" }))));
  $("back").parentNode.after(el("p", {},
    el("a", { id: "detail-export", href: "#", download: "", text: "Export this case" }),
    " (one HTML file with its photos)"));
}

async function loadCases() {
  const answer = await api("/review/cases");
  const cases = answer.cases || [];
  $("cases-total").textContent = `(${cases.length})`;
  const body = $("cases-body");
  clear(body);
  for (const { request, annotations } of cases) {
    const open = el("button", { type: "button", className: "link", text: request.subject || "(no subject)" });
    open.addEventListener("click", () => { location.hash = `#request/${encodeURIComponent(request.id)}`; });
    const notes = el("ul", { className: "case-notes" });
    for (const a of annotations || []) {
      if (a.note) notes.append(el("li", { text: `${person(a.author)}: ${a.note}` }));
    }
    body.append(el("tr", { "data-request-id": request.id },
      el("td", { text: when(request.created_at) }),
      el("td", { className: "subject" }, open),
      el("td", { text: (request.outcome || {}).verdict || "—" }),
      el("td", {}, notes),
      el("td", {}, el("a", { href: caseExportUrl(request.id), download: `case-${request.id}.html`, text: "Export" }))));
  }
  if (!cases.length) body.append(el("tr", {}, el("td", { colSpan: 5, text: "No training cases yet: mark one from its transcript." })));
}

// ---------- views ----------

async function route() {
  if (!state.me) return;
  $("error").textContent = "";
  const hash = location.hash || "#list";
  $("list-view").hidden = true;
  $("detail-view").hidden = true;
  $("stats-view").hidden = true;
  $("cases-view").hidden = true;
  try {
    if (hash.startsWith("#request/")) {
      $("detail-view").hidden = false;
      await loadDetail(decodeURIComponent(hash.slice("#request/".length)));
    } else if (hash === "#cases") {
      $("cases-view").hidden = false;
      await loadCases();
    } else if (hash === "#stats") {
      $("stats-view").hidden = false;
      await loadStats();
    } else {
      $("list-view").hidden = false;
      await loadList();
    }
  } catch (error) {
    showError(error);
  }
}

function signedOut(message) {
  state.me = null;
  $("app-view").hidden = true;
  $("nav").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = message || "";
}

function signedIn(user) {
  state.me = user;
  $("whoami").textContent = `${user.display_name} (${user.role})`;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("nav").hidden = false;
  updateExports();
  route();
}

const isReviewer = (role) => role === "trainer" || role === "admin";

const login = signInHandler({
  allowed: isReviewer,
  refusal: "The review pages are for trainers and admins; your account has another role.",
  onSignedIn: signedIn,
});

async function logout() {
  await endSession();
  signedOut("You are signed out.");
}

function wire() {
  buildCaseViews();
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("annotate-form").addEventListener("submit", annotate);
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.offset = 0;
    updateExports();
    if (location.hash.startsWith("#request/")) location.hash = "#list";
    else route();
  });
  for (const name of FILTERS) $(`f-${name}`).addEventListener("change", updateExports);
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); route(); });
  $("next").addEventListener("click", () => { state.offset += PAGE; route(); });
  window.addEventListener("hashchange", route);
}

async function start() {
  wire();
  try {
    const user = await api("/me");
    if (user && isReviewer(user.role)) signedIn(user);
    else signedOut("");
  } catch {
    signedOut("");
  }
}

document.addEventListener("DOMContentLoaded", start);
