// The page's client: signed RPCs on POST /api and process subscriptions on the /pubsub
// WebSocket. The private key stays in this module's caller; only signatures leave the page.
import { envelope, textOfBase64 } from './crypto.js';

export const STATES = ['waiting', 'running', 'successful', 'failed', 'cancelled'];
export const EXECUTOR_STATES = ['pending', 'approved', 'rejected', 'unregistered'];

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  constructor(prvkey, base = '') {
    this.prvkey = prvkey;
    this.base = base;
  }

  async call(payloadtype, msg = {}) {
    const body = JSON.stringify(envelope(payloadtype, msg, this.prvkey));
    let res;
    try {
      res = await fetch(`${this.base}/api`, { method: 'POST', body, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, `The server cannot be reached (${e.message})`);
    }
    const text = await res.text();
    let reply;
    try {
      reply = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, `Unexpected reply (HTTP ${res.status}): ${text.slice(0, 200)}`);
    }
    const data = reply.payload ? JSON.parse(textOfBase64(reply.payload)) : null;
    if (reply.error) throw new ApiError(data?.status ?? res.status, data?.message ?? 'error');
    return data;
  }
}

// Follows processes over one WebSocket: each watched process is subscribed to every state, so
// the server sends a frame whenever it enters one (and one at once for its current state). The
// server closes the socket when the subscriptions' timeout passes; the socket is then reopened
// as long as something is watched.
export class Live {
  constructor(prvkey, onProcess, { timeout = 600, onStatus = () => {} } = {}) {
    this.prvkey = prvkey;
    this.onProcess = onProcess;
    this.onStatus = onStatus;
    this.timeout = timeout;
    this.wanted = new Set();
    this.sent = new Set();
    this.ws = null;
    this.closed = false;
    this.retry = 1000;
  }

  watch(processIds) {
    for (const id of processIds) this.wanted.add(id);
    if (!this.ws) this.open();
    else if (this.ws.readyState === WebSocket.OPEN) this.flush();
  }

  // Follows exactly `processIds`: a subscription cannot be taken back on an open socket, so
  // dropping any id starts a fresh socket with the new set.
  follow(processIds) {
    const next = new Set(processIds);
    const dropped = [...this.wanted].some((id) => !next.has(id));
    this.wanted = next;
    if (dropped && this.ws) {
      const old = this.ws;
      this.ws = null;
      old.onclose = null;
      old.close();
    }
    if (!this.ws) this.open();
    else if (this.ws.readyState === WebSocket.OPEN) this.flush();
  }

  open() {
    if (this.closed || this.wanted.size === 0) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/pubsub`);
    this.ws = ws;
    this.sent = new Set();
    ws.onopen = () => {
      this.retry = 1000;
      this.onStatus('live');
      this.flush();
    };
    ws.onmessage = (ev) => {
      try {
        const reply = JSON.parse(ev.data);
        if (reply.error) return;
        const p = JSON.parse(textOfBase64(reply.payload));
        if (p && p.processid) this.onProcess(p);
      } catch {
        /* a frame we do not understand changes nothing */
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus('reconnecting');
      if (!this.closed) {
        setTimeout(() => this.open(), this.retry);
        this.retry = Math.min(this.retry * 2, 15000);
      }
    };
  }

  flush() {
    for (const id of this.wanted) {
      if (this.sent.has(id)) continue;
      this.sent.add(id);
      for (let state = 0; state < STATES.length; state++) {
        const msg = { processid: id, executortype: '', state, timeout: this.timeout };
        this.ws.send(JSON.stringify(envelope('subscribeprocessmsg', msg, this.prvkey)));
      }
    }
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
    this.ws = null;
  }
}

// Zero time on the wire (protocol.md 0.2) means "not set".
export function isSet(t) {
  return t && !String(t).startsWith('0001-01-01');
}

export function fmtTime(t) {
  if (!isSet(t)) return '—';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

export function ago(t) {
  if (!isSet(t)) return 'never';
  const s = Math.round((Date.now() - new Date(t).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function duration(a, b) {
  if (!isSet(a)) return '—';
  const end = isSet(b) ? new Date(b) : new Date();
  const ms = end - new Date(a);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60000)} min`;
}
