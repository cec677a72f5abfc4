// The expert console: sign-in, the live queue, one request's view (shipment, photos, chat, claim, transfer,
// close), canned answers and the wiring of the catalogue pane. State lives in plain maps; every frame from the
// server updates them and then the few DOM nodes concerned. Text is only ever set as text (see dom.js).
//
// Exactly-once display: each request's timeline keeps the events by seq and the last contiguous seq seen; an
// event at or below it is a duplicate and ignored, one past a gap makes the console resubscribe from the last
// seq. Own messages wait in an outbox (keyed by client_msg_id) until their event arrives, and are sent again
// after a reconnect: `send` is idempotent on client_msg_id, so a resend never doubles a message.

import { api, ApiError } from "./http.js";
import { endSession, signInHandler } from "./sign-in.js";
import { Connection } from "./connection.js";
import { clock, el, elapsed, replaceChildren, uuid } from "./dom.js";
import { entry, hsHeading, setupCatalogue } from "./catalogue.js";

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  /** Every request the console knows, by id. */
  requests: new Map(),
  /** Ids in the queue (waiting or claimed). */
  queue: new Set(),
  /** Per request: {events: Map(seq → event), lastSeq, subscribed, readBy: Map(user id → {user, seq}), readSent}. */
  timelines: new Map(),
  /** Own messages not yet seen as events: client_msg_id → {request_id, body, cites, failed}. */
  outbox: new Map(),
  /** Experts on call, by user id. */
  roster: new Map(),
  /** Codes to cite in the next reply, per request id. */
  cites: new Map(),
  current: null,
  onCall: false,
  queueLoaded: false,
  lastTypingSent: 0,
};

let connection = null;
let catalogue = null;
let typingTimer = null;
let audio = null;

// ---------- connection ----------

const CONN_TEXT = { connecting: "Connecting…", online: "Connected", offline: "Offline" };

function showConnection(kind, detail, wait) {
  const box = $("conn");
  box.dataset.state = kind;
  box.className = `conn conn-${kind}`;
  clearInterval(showConnection.countdown);
  const paint = (text) => ($("conn-text").textContent = text);
  if (kind === "offline" && wait) {
    const until = Date.now() + wait;
    const tick = () => paint(`Offline, reconnecting in ${Math.max(0, Math.ceil((until - Date.now()) / 1000))} s`);
    tick();
    showConnection.countdown = setInterval(tick, 500);
  } else if (kind === "offline" && detail === "held") {
    paint("Offline");
  } else {
    paint(CONN_TEXT[kind] + (detail ? ` (${detail})` : ""));
  }
  renderComposerState();
}

function onOpen() {
  state.roster.clear();
  renderRoster();
  connection.send({ type: "watch_queue" });
  if (state.onCall) connection.send({ type: "on_call", on: true });
  for (const [id, timeline] of state.timelines) {
    if (timeline.subscribed) connection.send({ type: "subscribe", request_id: id, after_seq: timeline.lastSeq });
  }
  for (const [client_msg_id, pending] of state.outbox) {
    if (!pending.failed) connection.send(sendFrame(client_msg_id, pending));
  }
}

async function onClosed() {
  try {
    await api("/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut("Your session has ended; sign in again.");
  }
}

function onFrame(frame) {
  switch (frame.type) {
    case "queue":
      state.queue.clear();
      for (const request of frame.requests) {
        state.requests.set(request.id, request);
        state.queue.add(request.id);
      }
      state.queueLoaded = true;
      renderQueue();
      if (state.current) renderRequestHead();
      break;
    case "request":
      updateRequest(frame.request);
      break;
    case "event":
      addEvent(frame.event);
      break;
    case "ack":
      ackMessage(frame);
      break;
    case "typing":
      showTyping(frame);
      break;
    case "read":
      readReceipt(frame);
      break;
    case "presence":
      presence(frame.user, frame.on_call);
      break;
    case "error":
      serverError(frame);
      break;
    default:
      break;
  }
}

function serverError(frame) {
  if (frame.code === "lagged") {
    const timeline = frame.ref && state.timelines.get(frame.ref);
    if (timeline) {
      connection.send({ type: "subscribe", request_id: frame.ref, after_seq: timeline.lastSeq });
    } else {
      connection.send({ type: "watch_queue" });
    }
    return;
  }
  if (frame.ref && state.outbox.has(frame.ref)) {
    const pending = state.outbox.get(frame.ref);
    pending.failed = frame.message;
    if (pending.request_id === state.current) renderChat();
    return;
  }
  $("request-error").textContent = frame.message;
}

// ---------- queue ----------

function byUrgencyThenAge(a, b) {
  const urgent = (r) => (r.priority === "urgent" ? 0 : 1);
  return urgent(a) - urgent(b) || new Date(a.created_at) - new Date(b.created_at) || a.id.localeCompare(b.id);
}

function updateRequest(request) {
  const known = state.requests.has(request.id);
  state.requests.set(request.id, request);
  if (request.status === "closed") state.queue.delete(request.id);
  else state.queue.add(request.id);
  if (!known && request.status === "waiting" && state.queueLoaded) announce(request);
  renderQueue();
  if (request.id === state.current) {
    renderRequestHead();
    renderComposerState();
    catalogue.refreshCiteButtons();
  }
}

function renderQueue() {
  const list = $("queue");
  const items = [...state.queue].map((id) => state.requests.get(id)).filter(Boolean).sort(byUrgencyThenAge);
  $("queue-count").textContent = String(items.length);
  $("queue-empty").hidden = items.length > 0;
  replaceChildren(list, items.map(queueItem));
  const waiting = items.filter((r) => r.status === "waiting").length;
  document.title = `${waiting ? `(${waiting}) ` : ""}Border Hotline · expert console`;
}

function queueItem(request) {
  const holder = request.assignee
    ? request.assignee.id === state.me.id
      ? "held by you"
      : `held by ${request.assignee.display_name}`
    : "waiting";
  return el(
    "li",
    { class: `queue-item status-${request.status} priority-${request.priority}`, "data-request-id": request.id },
    el(
      "button",
      {
        type: "button",
        class: "queue-open",
        "aria-current": request.id === state.current ? "true" : false,
        onclick: () => openRequest(request.id),
      },
      el(
        "span",
        { class: "queue-line" },
        request.priority === "urgent" ? el("span", { class: "badge badge-urgent" }, "Urgent") : null,
        el("span", { class: "queue-subject" }, request.subject),
      ),
      el(
        "span",
        { class: "queue-line muted" },
        el("span", { class: "queue-officer" }, request.officer.display_name),
        " · ",
        el("span", { class: "queue-holder" }, holder),
      ),
      el(
        "span",
        { class: "queue-line muted" },
        request.status === "waiting" ? "waiting " : "opened ",
        el("span", { class: "waited", "data-since": request.created_at }, elapsed(request.created_at)),
      ),
    ),
  );
}

function tickClocks() {
  const now = Date.now();
  for (const span of document.querySelectorAll(".waited[data-since]")) span.textContent = elapsed(span.dataset.since, now);
}

function announce(request) {
  const text = `New ${request.priority === "urgent" ? "urgent " : ""}request from ${request.officer.display_name}: ${request.subject}`;
  $("queue-live").textContent = text;
  const notice = $("notice");
  replaceChildren(notice, el("span", {}, text), " ", el("button", { type: "button", class: "btn btn-quiet", onclick: () => { notice.hidden = true; openRequest(request.id); } }, "Open"));
  notice.hidden = false;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => (notice.hidden = true), 8000);
  if ($("sound").checked) beep(request.priority === "urgent" ? 2 : 1);
}

function beep(times) {
  if (!audio) return;
  const start = audio.currentTime + 0.02;
  for (let i = 0; i < times; i += 1) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start + i * 0.3);
    gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.3 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.3 + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + i * 0.3);
    oscillator.stop(start + i * 0.3 + 0.2);
  }
}

function presence(user, onCall) {
  if (onCall) state.roster.set(user.id, user);
  else state.roster.delete(user.id);
  if (user.id === state.me.id) {
    state.onCall = onCall;
    $("on-call").checked = onCall;
  }
  renderRoster();
}

function renderRoster() {
  replaceChildren(
    $("roster"),
    [...state.roster.values()].map((u) => el("li", {}, u.display_name, u.id === state.me.id ? " (you)" : "")),
  );
  if (!state.roster.size) $("roster").appendChild(el("li", { class: "muted" }, "Nobody is on call."));
  renderTransferOptions();
}

// ---------- one request ----------

function timelineOf(id) {
  if (!state.timelines.has(id)) {
    state.timelines.set(id, { events: new Map(), lastSeq: 0, subscribed: false, readBy: new Map(), readSent: 0 });
  }
  return state.timelines.get(id);
}

async function openRequest(id) {
  state.current = id;
  $("request-empty").hidden = true;
  $("request-view").hidden = false;
  $("request-error").textContent = "";
  $("transfer-form").hidden = true;
  $("close-form").hidden = true;
  const timeline = timelineOf(id);
  if (!timeline.subscribed) {
    timeline.subscribed = true;
    connection.send({ type: "subscribe", request_id: id, after_seq: timeline.lastSeq });
  }
  if (!state.requests.has(id)) {
    try {
      const answer = await api(`/requests/${encodeURIComponent(id)}`);
      state.requests.set(id, answer.request);
    } catch (error) {
      $("request-error").textContent = error.message;
      return;
    }
  }
  renderQueue();
  renderRequestHead();
  renderShipment();
  renderChat();
  renderCiteChips();
  renderComposerState();
  catalogue.refreshCiteButtons();
}

function isMine(request) {
  return Boolean(request && request.status === "claimed" && request.assignee && request.assignee.id === state.me.id);
}

function renderRequestHead() {
  const request = state.requests.get(state.current);
  if (!request) return;
  $("request-title").textContent = request.subject;
  const parts = [
    request.priority === "urgent" ? "Urgent" : "Normal",
    `from ${request.officer.display_name}`,
    request.status === "waiting" ? `waiting since ${clock(request.created_at)}` : null,
    request.status === "claimed" ? `held by ${request.assignee.id === state.me.id ? "you" : request.assignee.display_name}` : null,
    request.status === "closed" ? `closed: ${(request.outcome && request.outcome.verdict.replace("_", " ")) || ""}` : null,
  ].filter(Boolean);
  $("request-meta").textContent = parts.join(" · ");
  $("request-view").dataset.status = request.status;
  $("claim").hidden = request.status !== "waiting";
  $("show-transfer").hidden = !isMine(request);
  $("show-close").hidden = !isMine(request);
  if (!isMine(request)) {
    $("transfer-form").hidden = true;
    $("close-form").hidden = true;
  }
}

function renderShipment() {
  const request = state.requests.get(state.current);
  const shipment = request.shipment;
  const rows = [];
  const row = (label, ...value) => rows.push(el("dt", {}, label), el("dd", {}, ...value));
  row("Declared", shipment.declared_description);
  if (shipment.hs_code) {
    const heading = el("span", { class: "hs-heading muted", id: "hs-heading" }, " looking up…");
    row("HS code", el("span", { class: "hs-code" }, shipment.hs_code), heading);
    const code = shipment.hs_code;
    const forRequest = request.id;
    hsHeading(code).then((found) => {
      if (state.current !== forRequest) return;
      heading.textContent = found ? ` ${found.title}${found.code && found.code !== code ? ` (heading ${found.code})` : ""}` : " (not in the HS table)";
    });
  }
  if (shipment.origin_country || shipment.destination_country) {
    row("Route", `${shipment.origin_country || "?"} → ${shipment.destination_country || "?"}`);
  }
  if (shipment.consignee) row("Consignee", shipment.consignee);
  if (shipment.reference) row("Reference", shipment.reference);
  replaceChildren($("shipment"), rows);
  renderScreening(request);
  renderPhotos();
}

function renderScreening(request) {
  const box = $("screening");
  if (!request.shipment.consignee) return replaceChildren(box);
  if (request.screening === null || request.screening === undefined) {
    return replaceChildren(box, el("p", { class: "muted" }, "Consignee not screened."));
  }
  if (request.screening.length === 0) {
    return replaceChildren(box, el("p", { class: "screen-clear" }, "Screening: no listed party matches the consignee."));
  }
  replaceChildren(
    box,
    el("p", { class: "screen-hit" }, `Screening: ${request.screening.length} possible match${request.screening.length === 1 ? "" : "es"} on denied-party lists`),
    el(
      "ul",
      { class: "screen-list" },
      request.screening.map((m) =>
        el(
          "li",
          {},
          el("strong", {}, m.name),
          m.matched_name && m.matched_name !== m.name ? ` (as “${m.matched_name}”)` : "",
          ` · ${m.list}`,
          m.countries && m.countries.length ? ` · ${m.countries.join(", ")}` : "",
          ` · score ${Math.round(m.score * 100)} %`,
          m.reason ? el("span", { class: "muted" }, ` · ${m.reason}`) : null,
        ),
      ),
    ),
  );
}

function photoIds(id) {
  const ids = [];
  for (const event of [...timelineOf(id).events.values()].sort((a, b) => a.seq - b.seq)) {
    if (event.message) ids.push(...event.message.attachments);
  }
  return ids;
}

function thumbnail(attachmentId, label) {
  return el(
    "button",
    { type: "button", class: "thumb", "aria-label": `Open ${label} full size`, onclick: () => openPhoto(attachmentId, label) },
    el("img", { src: `/api/v1/attachments/${encodeURIComponent(attachmentId)}/thumb`, alt: label, loading: "lazy", "data-attachment-id": attachmentId }),
  );
}

function renderPhotos() {
  const ids = photoIds(state.current);
  replaceChildren($("photos"), ids.map((id, i) => thumbnail(id, `photo ${i + 1}`)));
}

function openPhoto(attachmentId, label) {
  const image = $("photo-full");
  image.src = `/api/v1/attachments/${encodeURIComponent(attachmentId)}`;
  image.alt = label;
  $("photo-dialog").showModal();
}

function addEvent(event) {
  const timeline = timelineOf(event.request_id);
  if (event.seq <= timeline.lastSeq) return;
  if (event.seq !== timeline.lastSeq + 1) {
    // A gap: never show events out of order; ask again from what we have.
    connection.send({ type: "subscribe", request_id: event.request_id, after_seq: timeline.lastSeq });
    return;
  }
  timeline.events.set(event.seq, event);
  timeline.lastSeq = event.seq;
  const request = state.requests.get(event.request_id);
  if (request && request.last_seq < event.seq) request.last_seq = event.seq;
  let fromOutbox = false;
  if (event.message && event.author && event.author.id === state.me.id && state.outbox.delete(event.message.client_msg_id)) {
    fromOutbox = true;
  }
  if (event.request_id !== state.current) return;
  const chat = $("chat");
  if (fromOutbox) chat.querySelector(`[data-client-msg-id="${CSS.escape(event.message.client_msg_id)}"]`)?.remove();
  const stick = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const pendingFirst = chat.querySelector(".msg-pending");
  chat.insertBefore(eventNode(event), pendingFirst);
  if (event.message && event.message.attachments.length) renderPhotos();
  if (event.author && event.author.id !== state.me.id) $("typing").textContent = "";
  renderReceipts();
  if (stick || fromOutbox) chat.scrollTop = chat.scrollHeight;
  sendRead();
}

function eventNode(event) {
  const who = event.author ? (event.author.id === state.me.id ? "You" : event.author.display_name) : "System";
  if (event.kind !== "message") {
    return el("div", { class: "sys", "data-seq": event.seq }, `${clock(event.at)} · ${systemText(event)}`);
  }
  const mine = event.author && event.author.id === state.me.id;
  const message = event.message;
  return el(
    "div",
    { class: `msg ${mine ? "msg-mine" : "msg-theirs"}`, "data-seq": event.seq, "data-client-msg-id": message.client_msg_id },
    el("div", { class: "msg-head" }, el("span", { class: "msg-author" }, who), " ", el("time", { datetime: event.at }, clock(event.at))),
    message.body ? el("div", { class: "msg-body" }, message.body) : null,
    message.attachments.length ? el("div", { class: "msg-photos" }, message.attachments.map((id, i) => thumbnail(id, `photo ${i + 1} from ${who}`))) : null,
    message.cites.length ? el("div", { class: "cites" }, message.cites.map(citeCard)) : null,
    mine ? el("div", { class: "receipt muted", "data-receipt-seq": event.seq }, "Delivered") : null,
  );
}

function systemText(event) {
  const who = event.author ? event.author.display_name : "";
  switch (event.kind) {
    case "created":
      return `${who} opened the request`;
    case "claimed":
      return `${who} claimed the request`;
    case "transferred":
      return `${who} transferred the request to ${event.data && event.data.to ? event.data.to.display_name : "another expert"}`;
    case "closed": {
      const outcome = (event.data && event.data.outcome) || {};
      const codes = outcome.controls && outcome.controls.length ? ` (${outcome.controls.join(", ")})` : "";
      return `${who} closed the request: ${String(outcome.verdict || "").replace("_", " ")}${codes}`;
    }
    default:
      return event.kind;
  }
}

function citeCard(code) {
  const title = el("span", { class: "cite-title" }, "…");
  entry(code).then((found) => (title.textContent = found ? found.title : "(not in this catalogue)"));
  return el(
    "button",
    { type: "button", class: "cite-card", "data-code": code, onclick: () => catalogue.openEntry(code), "aria-label": `Cited entry ${code}` },
    el("span", { class: "cite-code" }, code),
    title,
  );
}

function pendingNode(client_msg_id, pending) {
  return el(
    "div",
    { class: "msg msg-mine msg-pending", "data-client-msg-id": client_msg_id },
    el("div", { class: "msg-head" }, el("span", { class: "msg-author" }, "You"), " ", el("span", { class: "muted" }, pending.failed ? "not sent" : "sending…")),
    el("div", { class: "msg-body" }, pending.body),
    pending.cites.length ? el("div", { class: "cites" }, pending.cites.map(citeCard)) : null,
    pending.failed ? el("div", { class: "error" }, pending.failed) : null,
  );
}

function renderChat() {
  const timeline = timelineOf(state.current);
  const events = [...timeline.events.values()].sort((a, b) => a.seq - b.seq);
  const pending = [...state.outbox].filter(([, p]) => p.request_id === state.current);
  replaceChildren($("chat"), events.map(eventNode), pending.map(([id, p]) => pendingNode(id, p)));
  $("typing").textContent = "";
  renderReceipts();
  $("chat").scrollTop = $("chat").scrollHeight;
  sendRead();
}

function readReceipt(frame) {
  if (frame.user.id === state.me.id) return;
  const timeline = timelineOf(frame.request_id);
  const before = timeline.readBy.get(frame.user.id);
  if (!before || before.seq < frame.seq) timeline.readBy.set(frame.user.id, { user: frame.user, seq: frame.seq });
  if (frame.request_id === state.current) renderReceipts();
}

function renderReceipts() {
  const timeline = timelineOf(state.current);
  for (const node of $("chat").querySelectorAll("[data-receipt-seq]")) {
    const seq = Number(node.dataset.receiptSeq);
    const readers = [...timeline.readBy.values()].filter((r) => r.seq >= seq).map((r) => r.user.display_name);
    node.textContent = readers.length ? `Seen by ${readers.join(", ")}` : "Delivered";
    node.classList.toggle("receipt-seen", readers.length > 0);
  }
}

function sendRead() {
  const request = state.requests.get(state.current);
  const timeline = timelineOf(state.current);
  if (!isMine(request) || document.hidden || timeline.lastSeq <= timeline.readSent) return;
  if (connection.send({ type: "read", request_id: state.current, seq: timeline.lastSeq })) timeline.readSent = timeline.lastSeq;
}

function showTyping(frame) {
  if (frame.request_id !== state.current || frame.user.id === state.me.id) return;
  $("typing").textContent = `${frame.user.display_name} is typing…`;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => ($("typing").textContent = ""), 5000);
}

function ackMessage(frame) {
  const pending = state.outbox.get(frame.client_msg_id);
  if (pending) pending.acked = true;
}

// ---------- composing ----------

function sendFrame(client_msg_id, pending) {
  return { type: "send", request_id: pending.request_id, client_msg_id, body: pending.body, cites: pending.cites };
}

function sendReply() {
  const request = state.requests.get(state.current);
  const text = $("message").value;
  if (!isMine(request) || !text.trim()) return;
  const client_msg_id = uuid();
  const pending = { request_id: request.id, body: text, cites: [...(state.cites.get(request.id) || [])], failed: null };
  state.outbox.set(client_msg_id, pending);
  connection.send(sendFrame(client_msg_id, pending));
  $("message").value = "";
  state.cites.delete(request.id);
  renderCiteChips();
  const chat = $("chat");
  chat.appendChild(pendingNode(client_msg_id, pending));
  chat.scrollTop = chat.scrollHeight;
  renderComposerState();
}

function addCite(code) {
  const request = state.requests.get(state.current);
  if (!isMine(request)) return;
  const list = state.cites.get(request.id) || [];
  if (!list.includes(code)) list.push(code);
  state.cites.set(request.id, list);
  renderCiteChips();
  $("message").focus();
}

function renderCiteChips() {
  const list = state.cites.get(state.current) || [];
  replaceChildren(
    $("cite-chips"),
    list.length ? el("span", { class: "muted" }, "Cites: ") : null,
    list.map((code) =>
      el(
        "span",
        { class: "chip", "data-cite-chip": code },
        code,
        el("button", { type: "button", class: "chip-remove", "aria-label": `Do not cite ${code}`, onclick: () => removeCite(code) }, "×"),
      ),
    ),
  );
}

function removeCite(code) {
  const list = (state.cites.get(state.current) || []).filter((c) => c !== code);
  state.cites.set(state.current, list);
  renderCiteChips();
}

function renderComposerState() {
  if (!state.me || !state.current) return;
  const request = state.requests.get(state.current);
  const mine = isMine(request);
  $("message").disabled = !mine;
  $("send").disabled = !mine;
  const waiting = [...state.outbox.values()].filter((p) => !p.failed).length;
  let text = "";
  if (!mine) {
    text = request && request.status === "waiting" ? "Claim the request to answer." : request && request.status === "closed" ? "The request is closed." : "Another expert holds this request.";
  } else if (waiting && !(connection && connection.online)) {
    text = `${waiting} message${waiting === 1 ? "" : "s"} will be sent when the connection is back.`;
  }
  $("composer-state").textContent = text;
}

// ---------- canned answers (kept in this browser's localStorage, per expert) ----------

function cannedKey() {
  return `hotline.canned.${state.me.username}`;
}

function loadCanned() {
  try {
    const list = JSON.parse(localStorage.getItem(cannedKey()) || "[]");
    return Array.isArray(list) ? list.filter((t) => typeof t === "string") : [];
  } catch {
    return [];
  }
}

function saveCanned(list) {
  localStorage.setItem(cannedKey(), JSON.stringify(list.slice(0, 100)));
  renderCanned();
}

function renderCanned() {
  const list = loadCanned();
  replaceChildren(
    $("canned"),
    list.length ? null : el("li", { class: "muted" }, "None yet: write a reply, then save it here."),
    list.map((text, i) =>
      el(
        "li",
        { class: "canned-item" },
        el("button", { type: "button", class: "canned-use", title: "Insert into the reply", onclick: () => insertCanned(text) }, text),
        el("button", { type: "button", class: "chip-remove", "aria-label": "Delete this canned answer", onclick: () => saveCanned(loadCanned().filter((_, j) => j !== i)) }, "×"),
      ),
    ),
  );
}

function insertCanned(text) {
  const box = $("message");
  if (box.disabled) return;
  const at = box.selectionStart ?? box.value.length;
  box.value = box.value.slice(0, at) + text + box.value.slice(box.selectionEnd ?? at);
  box.focus();
  box.selectionStart = box.selectionEnd = at + text.length;
}

// ---------- actions ----------

function claimCurrent() {
  const request = state.requests.get(state.current);
  if (!request || request.status !== "waiting") return;
  $("request-error").textContent = "";
  connection.send({ type: "claim", request_id: request.id }) || ($("request-error").textContent = "Offline: claim again when connected.");
}

function renderTransferOptions() {
  const select = $("transfer-to");
  const others = [...state.roster.values()].filter((u) => u.id !== state.me.id);
  replaceChildren(
    select,
    others.length ? others.map((u) => el("option", { value: u.username }, `${u.display_name} (${u.username})`)) : el("option", { value: "" }, "No other expert is on call"),
  );
}

function toggleForm(form, button) {
  const show = form.hidden;
  $("transfer-form").hidden = true;
  $("close-form").hidden = true;
  $("show-transfer").setAttribute("aria-expanded", "false");
  $("show-close").setAttribute("aria-expanded", "false");
  form.hidden = !show;
  button.setAttribute("aria-expanded", String(show));
  if (show) form.querySelector("select, input")?.focus();
}

function citedCodes(id) {
  const codes = [];
  for (const event of timelineOf(id).events.values()) {
    if (event.message && event.author && event.author.id === state.me.id) codes.push(...event.message.cites);
  }
  return [...new Set(codes)];
}

// ---------- sign-in ----------

function signedOut(message) {
  if (connection) connection.stop();
  connection = null;
  state.me = null;
  state.requests.clear();
  state.queue.clear();
  state.timelines.clear();
  state.outbox.clear();
  state.roster.clear();
  state.current = null;
  state.queueLoaded = false;
  $("app-view").hidden = true;
  $("session-bar").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = message || "";
  showConnection("offline", "", 0);
  $("conn-text").textContent = "Signed out";
  $("login-username").focus();
}

function signedIn(user) {
  state.me = user;
  $("whoami").textContent = `${user.display_name} (${user.username})`;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("session-bar").hidden = false;
  $("request-empty").hidden = false;
  $("request-view").hidden = true;
  state.onCall = sessionStorage.getItem("hotline.on_call") === "1";
  $("on-call").checked = state.onCall;
  renderQueue();
  renderRoster();
  renderCanned();
  connection = new Connection({ onOpen, onFrame, onState: showConnection, onClosed });
  connection.start();
}

const login = signInHandler({
  allowed: (role) => role === "expert",
  refusal: "This console is for licensing experts; your account has another role.",
  onSignedIn: signedIn,
});

async function logout() {
  await endSession();
  sessionStorage.removeItem("hotline.on_call");
  signedOut("You are signed out.");
}

// ---------- wiring ----------

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function moveInQueue(step) {
  const ids = [...$("queue").querySelectorAll("[data-request-id]")].map((li) => li.dataset.requestId);
  if (!ids.length) return;
  const at = ids.indexOf(state.current);
  const next = at < 0 ? 0 : Math.max(0, Math.min(ids.length - 1, at + step));
  openRequest(ids[next]).then(() => $("queue").querySelector(`[data-request-id="${CSS.escape(ids[next])}"] button`)?.focus());
}

function wire() {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("on-call").addEventListener("change", (event) => {
    state.onCall = event.target.checked;
    sessionStorage.setItem("hotline.on_call", state.onCall ? "1" : "0");
    connection.send({ type: "on_call", on: state.onCall });
  });
  $("sound").addEventListener("change", (event) => {
    if (event.target.checked) {
      audio = audio || new AudioContext();
      audio.resume();
      beep(1);
    }
  });
  $("claim").addEventListener("click", claimCurrent);
  $("show-transfer").addEventListener("click", () => toggleForm($("transfer-form"), $("show-transfer")));
  $("show-close").addEventListener("click", () => {
    $("close-controls").value = citedCodes(state.current).join(" ");
    toggleForm($("close-form"), $("show-close"));
  });
  for (const cancel of document.querySelectorAll("[data-cancel]")) {
    cancel.addEventListener("click", () => {
      cancel.closest("form").hidden = true;
    });
  }
  $("transfer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const to = $("transfer-to").value;
    if (!to) return;
    connection.send({ type: "transfer", request_id: state.current, to_user: to });
    $("transfer-form").hidden = true;
  });
  $("close-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const controls = $("close-controls").value.split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean);
    const outcome = { verdict: $("close-verdict").value, controls, note: $("close-note").value };
    connection.send({ type: "close", request_id: state.current, outcome });
    $("close-form").hidden = true;
    $("close-note").value = "";
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });
  $("message").addEventListener("input", () => {
    const request = state.requests.get(state.current);
    if (!isMine(request) || Date.now() - state.lastTypingSent < 3000) return;
    if (connection.send({ type: "typing", request_id: request.id })) state.lastTypingSent = Date.now();
  });
  $("canned-save").addEventListener("click", () => {
    const text = $("message").value.trim();
    if (!text) return;
    const list = loadCanned().filter((t) => t !== text);
    list.unshift(text);
    saveCanned(list);
  });
  $("photo-dialog").addEventListener("click", (event) => {
    if (event.target === $("photo-dialog")) $("photo-dialog").close();
  });
  document.addEventListener("visibilitychange", () => state.current && sendRead());
  document.addEventListener("keydown", (event) => {
    if (!state.me) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      catalogue.focus();
    } else if (event.key === "/" && !isTyping(event.target)) {
      event.preventDefault();
      catalogue.focus();
    } else if (event.altKey && event.code === "KeyC") {
      event.preventDefault();
      claimCurrent();
    } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveInQueue(event.key === "ArrowDown" ? 1 : -1);
    }
  });
  setInterval(tickClocks, 1000);
  catalogue = setupCatalogue({ onCite: addCite, canCite: () => isMine(state.requests.get(state.current)) });
}

async function start() {
  wire();
  try {
    const user = await api("/me");
    if (user.role === "expert") signedIn(user);
    else signedOut("This console is for licensing experts; sign in with an expert account.");
  } catch {
    signedOut("");
  }
}

// Hooks for the end-to-end tests (and for trying the reconnect by hand): cut the link as a network drop would,
// then let it come back.
window.__hotline = Object.freeze({
  debugDropConnection: () => connection && connection.drop(),
  debugRestoreConnection: () => connection && connection.release(),
  connected: () => Boolean(connection && connection.online),
});

start();
