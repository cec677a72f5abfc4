// The console's live link to the server: `Connection`, one WebSocket to /api/v1/ws (authenticated by the HttpOnly
// session cookie) that reconnects by itself with backoff, notices a dead link by heartbeat, and on every
// (re)connect lets the page replay what it needs (watch the queue, resubscribe each request from its last seq).
// REST goes through `api()` of the shared http.js.

/** Backoff before reconnect attempt `n` (0-based): 0.5 s doubling to 10 s, with ±25 % jitter. */
export function backoff(attempt) {
  const base = Math.min(10000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

const HEARTBEAT_MS = 15000;
const SILENCE_MS = 40000;

/**
 * One self-healing WebSocket. Callbacks: `onOpen()` after each connect (send subscriptions there), `onFrame(f)`
 * for every parsed frame, `onState(state, detail)` with state `connecting|online|offline`, and `onClosed()`
 * after each drop (the page checks there whether the session still holds).
 */
export class Connection {
  constructor({ onOpen, onFrame, onState, onClosed }) {
    this.onOpen = onOpen;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onClosed = onClosed || (() => {});
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.heartbeat = null;
    this.lastHeard = 0;
    this.stopped = true;
    this.held = false;
    this.outbox = [];
  }

  /** Connects, and keeps reconnecting until `stop()`. */
  start() {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good (log out). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    if (this.socket) this.socket.close(1000, "logged out");
    this.socket = null;
  }

  get online() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped || this.held) return;
    clearTimeout(this.timer);
    this.onState("connecting", this.attempt ? `attempt ${this.attempt + 1}` : "");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/ws`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.lastHeard = Date.now();
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(socket), HEARTBEAT_MS);
      this.onState("online", "");
      this.onOpen();
    });
    socket.addEventListener("message", (message) => {
      if (socket !== this.socket) return;
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this.onFrame(frame);
    });
    socket.addEventListener("close", () => this.dropped(socket));
    socket.addEventListener("error", () => this.dropped(socket));
  }

  /** Pings; a link silent for too long is closed so the backoff loop opens a fresh one. */
  beat(socket) {
    if (socket !== this.socket) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      socket.close();
      this.dropped(socket);
      return;
    }
    this.send({ type: "ping" });
  }

  dropped(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.heartbeat);
    try {
      socket.close();
    } catch {
      /* already closed */
    }
    if (this.stopped) return;
    const wait = backoff(this.attempt);
    this.attempt += 1;
    this.onState("offline", this.held ? "held" : `retrying in ${Math.ceil(wait / 1000)} s`, wait);
    this.onClosed();
    if (!this.held) this.timer = setTimeout(() => this.connect(), wait);
  }

  /** Sends a frame now; false when offline (the page keeps what must survive and resends it on open). */
  send(frame) {
    if (!this.online) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Test hook: cuts the link as a network drop would, and holds off reconnecting until `release()`. */
  drop() {
    this.held = true;
    const socket = this.socket;
    if (socket) {
      socket.close();
      this.dropped(socket);
    }
  }

  /** Test hook: lets the backoff loop reconnect at once. */
  release() {
    this.held = false;
    this.attempt = 0;
    if (!this.socket && !this.stopped) this.connect();
  }
}
