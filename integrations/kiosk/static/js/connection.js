// The kiosk's link to Hark: one /v1/voice WebSocket (protocol v1, docs/voice-protocol.md),
// reopened with backoff when it drops.

/** Thrown by voiceUrl() when this device must be enrolled by staff first (a 401). */
export class EnrolmentRequired extends Error {}

/**
 * Thrown by voiceUrl() when no ticket could be had for now: the network, a busy or
 * refusing server. `busy` (429) and `refused` (403: e.g. a keyless server that serves
 * kiosks on its own machine only) say which; the connection retries with backoff.
 */
export class TicketUnavailable extends Error {
  constructor(status, code = null) {
    super(`no voice ticket (${status || "network"}${code ? `: ${code}` : ""})`);
    this.status = status;
    this.code = code;
  }
  get busy() {
    return this.status === 429;
  }
  get refused() {
    return this.status === 403;
  }
}

/**
 * The URL of the next voice connection: THE one place that knows how the kiosk is
 * authorised.
 *
 * Each connection gets a fresh single-use ticket: POST /kiosk/ticket (same origin; the
 * browser adds the enrolment's HTTP-only cookie, which this page can't read) ->
 * {"ticket", "expires_in"}, and the URL is /v1/voice?ticket=... (wss: on https:).
 * A server with API keys answers 401 until staff enrol the device: that throws
 * EnrolmentRequired, which shows the enrolment screen. A server without keys answers
 * a kiosk on its own machine with no enrolment at all.
 */
export async function voiceUrl(location = window.location, fetchFn = window.fetch.bind(window)) {
  let response;
  try {
    response = await fetchFn("/kiosk/ticket", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new TicketUnavailable(0);
  }
  if (response.status === 401) throw new EnrolmentRequired("this kiosk is not enrolled");
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok || !body || typeof body.ticket !== "string") {
    throw new TicketUnavailable(response.status, body && body.error);
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/voice?ticket=${encodeURIComponent(body.ticket)}`;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
// Close codes that mean "come back later" rather than "something broke".
const BUSY_CLOSE_CODES = new Set([1013, 4429]);

/**
 * A conversation over the socket. Events: onEvent(event), onAudio(ArrayBuffer),
 * onStatus({kind: "connecting"|"open"|"lost"|"busy"|"closed", retryInMs?, attempt?}).
 * open() connects and sends `start`; a drop (not asked for, not a goodbye) schedules a
 * reconnect with growing delays; each reconnect is a new conversation.
 */
export class VoiceConnection {
  constructor({ sampleRate, onEvent, onAudio, onStatus, urlFor = voiceUrl }) {
    this.sampleRate = sampleRate;
    this.onEvent = onEvent;
    this.onAudio = onAudio;
    this.onStatus = onStatus;
    this.urlFor = urlFor;
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.wanted = false; // the page wants a conversation open
    this.goodbye = false; // the server said the conversation ended
    this.sessionId = null;
    this.generation = 0;
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.sessionId !== null;
  }

  async open() {
    this.wanted = true;
    this.goodbye = false;
    clearTimeout(this.retryTimer);
    const generation = ++this.generation; // a later open() or close() supersedes this one
    this.onStatus({ kind: "connecting", attempt: this.attempt });
    let url;
    try {
      url = await this.urlFor();
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof EnrolmentRequired || !(error instanceof TicketUnavailable)) {
        this.wanted = false;
        throw error; // EnrolmentRequired: the page shows the enrolment screen
      }
      this.retryLater(error.busy ? "busy" : error.refused ? "refused" : "lost");
      return;
    }
    if (generation !== this.generation || !this.wanted) return; // ended or superseded meanwhile
    if (this.ws) this.ws.close(1000);
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.sessionId = null;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "start", sample_rate: this.sampleRate, encoding: "pcm_s16le" }));
    };
    ws.onmessage = (message) => {
      if (ws !== this.ws) return;
      if (typeof message.data !== "string") {
        this.onAudio(message.data);
        return;
      }
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === "ready") {
        this.sessionId = event.session_id;
        this.attempt = 0;
        this.onStatus({ kind: "open", sessionId: event.session_id });
      }
      if (event.type === "reply" && event.end) this.goodbye = true;
      if (event.type === "error" && (event.code === "server_busy" || event.code === "busy")) {
        this.busy = true;
      }
      this.onEvent(event);
    };
    ws.onclose = (close) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.sessionId = null;
      if (!this.wanted || this.goodbye) {
        this.onStatus({ kind: "closed", code: close.code });
        return;
      }
      const busy = this.busy || BUSY_CLOSE_CODES.has(close.code);
      this.busy = false;
      this.retryLater(busy ? "busy" : "lost");
    };
  }

  /** Report `kind` (lost, busy, refused) and try again after the next backoff delay. */
  retryLater(kind) {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.onStatus({ kind, retryInMs: delay, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.reconnect(), delay);
  }

  /** Try again now (the banner's "Try now" button) or when the backoff timer fires. */
  reconnect() {
    clearTimeout(this.retryTimer);
    if (!this.wanted) return;
    this.open().catch((error) => this.onStatus({ kind: "failed", error }));
  }

  sendAudio(buffer) {
    if (this.isOpen) this.ws.send(buffer);
  }

  sendText(text) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify({ type: "text", text }));
    return true;
  }

  /** End the conversation on purpose (idle timeout, the End button). */
  close() {
    this.wanted = false;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      try {
        ws.send(JSON.stringify({ type: "stop" }));
      } catch {
        /* closing anyway */
      }
    }
    if (ws) ws.close(1000);
    this.ws = null;
    this.sessionId = null;
  }
}
