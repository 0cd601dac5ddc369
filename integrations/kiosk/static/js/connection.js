// The kiosk's link to Hark: one /v1/voice WebSocket (protocol v1, docs/voice-protocol.md),
// reopened with backoff when it drops.

/** Thrown by voiceUrl() when this device must be enrolled by staff first. */
export class EnrolmentRequired extends Error {}

/**
 * The URL of the next voice connection: THE one place that knows how the kiosk is
 * authorised.
 *
 * Today Hark serves kiosks in loopback-only mode: the page connects to plain
 * /v1/voice on its own origin (wss: when the page is https:). With kiosk enrolment
 * (staff exchange a kiosk key for a secure HTTP-only cookie session), this becomes:
 * POST /kiosk/ticket with that cookie -> {"ticket", "expires_in"}, and the URL gets
 * ?ticket=...; a 401 there throws EnrolmentRequired, which shows the enrolment screen.
 * Nothing else in the page changes.
 */
export async function voiceUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/voice`;
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
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.sessionId !== null;
  }

  async open() {
    this.wanted = true;
    this.goodbye = false;
    clearTimeout(this.retryTimer);
    this.onStatus({ kind: "connecting", attempt: this.attempt });
    let url;
    try {
      url = await this.urlFor();
    } catch (error) {
      this.wanted = false;
      throw error; // EnrolmentRequired: the page shows the enrolment screen
    }
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
      const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
      this.onStatus({ kind: busy ? "busy" : "lost", retryInMs: delay, attempt: this.attempt });
      this.retryTimer = setTimeout(() => this.reconnect(), delay);
    };
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
