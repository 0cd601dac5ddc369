// The kiosk: one tap to start, then hands-free. Wires the microphone, the voice
// connection and the player to what the screen shows, and keeps one clear state:
// listening, thinking or speaking (or connecting / reconnecting / error).

import { EnrolmentRequired, VoiceConnection } from "./connection.js";
import { Microphone, TARGET_RATE } from "./mic.js";
import { Player } from "./player.js";
import { setUpEnrolment, watchVoiceSetup } from "./setup.js";
import { Captions, Detail, renderCards, renderCart } from "./views.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("kiosk-config").textContent || "{}");
const params = new URLSearchParams(window.location.search);
const IDLE_MS = 1000 * (Number(params.get("idle")) || config.idle_seconds || 60);
const CURRENCY = config.currency || "USD";

const STATE_TEXT = {
  idle: "",
  connecting: "Connecting…",
  listening: "Listening — just speak",
  thinking: "Thinking…",
  speaking: "Speaking — talk any time to interrupt",
  reconnecting: "Connection lost",
  error: "Microphone off — please type",
};

const MIC_MESSAGES = {
  denied: "The microphone is blocked, so I can't hear you. Please type below, or ask a member of staff to allow the microphone for this page.",
  missing: "No microphone was found on this kiosk. Please type your question below.",
  busy: "The microphone is in use by another program. Please type below, or ask a member of staff.",
  insecure: "The microphone needs a secure (https) connection to this page. Please type below.",
  failed: "The microphone could not be started. Please type your question below.",
};

const RETRY_MESSAGES = {
  lost: "Connection lost. Your conversation will start again.",
  busy: "We're busy helping other customers right now.",
  refused: "This kiosk is not allowed to connect to the server. Please ask a member of staff.",
};

const kiosk = {
  state: "idle",
  screen: "attract",
  sessionId: null,
  micError: null,
  events: [], // event types received, for diagnostics
  partials: [], // partial transcripts shown while the caller spoke
  context: null,
  mic: null,
  player: null,
  connection: null,
  lastActivity: Date.now(),
  idleTimer: null,
  goodbye: false,
  awaitingReply: false, // the caller's words (spoken or typed) wait for a reply
  countdown: null,
  stopWatching: null,
};
window.harkKiosk = kiosk; // read-only diagnostics (and what the browser tests look at)

const captions = new Captions();
captions.assistant = config.assistant_name || "Hark";
const detail = new Detail({
  currency: CURRENCY,
  modelViewerAvailable: config.model_viewer !== false,
  onAdd: (product) => addToCart(product),
  onClose: () => touch(),
});

for (const node of document.querySelectorAll("[data-bind]")) {
  const value = config[node.dataset.bind];
  if (value) node.textContent = value;
}
if (config.shop_name) document.title = `Talk to ${config.shop_name}`;

// ------------------------------------------------------------------ screens and state
function showScreen(name) {
  kiosk.screen = name;
  document.body.dataset.screen = name;
  $("attract").hidden = name !== "attract";
  $("enrol").hidden = name !== "enrol";
  $("conversation").hidden = name !== "conversation";
}

function setState(state) {
  kiosk.state = state;
  document.body.dataset.state = state;
  $("state-text").textContent = STATE_TEXT[state] ?? state;
}

function banner(text, action = null) {
  clearInterval(kiosk.countdown);
  $("banner").hidden = !text;
  $("banner-text").textContent = text || "";
  const button = $("banner-action");
  button.hidden = !action;
  if (action) {
    button.textContent = action.label;
    button.onclick = action.run;
  }
}

function countdownBanner(prefix, ms, action) {
  const until = Date.now() + ms;
  const draw = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    $("banner-text").textContent = `${prefix} Trying again in ${seconds} s…`;
  };
  banner(prefix, action);
  draw();
  kiosk.countdown = setInterval(draw, 500);
}

function touch() {
  kiosk.lastActivity = Date.now();
}

// ------------------------------------------------------------------ starting and ending
async function start() {
  touch();
  kiosk.goodbye = false;
  kiosk.micError = null;
  showScreen("conversation");
  setState("connecting");
  banner("");
  $("handoff").hidden = true;
  captions.clear();
  renderCards([], { currency: CURRENCY, onAdd: addToCart, onOpen: openDetail });
  renderCart(null, CURRENCY);
  try {
    kiosk.context = new AudioContext({ sampleRate: TARGET_RATE, latencyHint: "interactive" });
  } catch {
    kiosk.context = new AudioContext({ latencyHint: "interactive" });
  }
  await kiosk.context.resume().catch(() => {});
  kiosk.player = new Player(kiosk.context, { onDrained: onPlaybackDrained });
  // The connection first: a kiosk that is not enrolled shows the staff screen without
  // asking for the microphone at all.
  const connection = new VoiceConnection({
    sampleRate: TARGET_RATE,
    onEvent,
    onAudio: (data) => {
      touch();
      kiosk.player.push(data);
    },
    onStatus,
  });
  kiosk.connection = connection;
  try {
    await connection.open();
  } catch (error) {
    if (error instanceof EnrolmentRequired) {
      end("enrol");
      showEnrolment();
      return;
    }
    onStatus({ kind: "lost", retryInMs: 2000 });
  }
  if (kiosk.connection !== connection) return; // ended meanwhile
  const mic = new Microphone(kiosk.context, {
    onFrame: (pcm) => kiosk.connection && kiosk.connection.sendAudio(pcm),
    onLevel: (level) => showLevel(level),
  });
  kiosk.mic = mic;
  let micError = null;
  try {
    await mic.start();
  } catch (error) {
    micError = error.kind || "failed";
  }
  if (kiosk.connection !== connection) {
    mic.stop(); // ended while the microphone was starting
    return;
  }
  if (micError) {
    kiosk.micError = micError;
    kiosk.mic = null;
    // A connection problem keeps its banner; the microphone's is shown once connected.
    if (kiosk.state !== "reconnecting") {
      setState("error");
      banner(MIC_MESSAGES[micError] || MIC_MESSAGES.failed);
    }
    $("typed-text").focus();
  }
  clearInterval(kiosk.idleTimer);
  kiosk.idleTimer = setInterval(checkIdle, 1000);
}

/** End the conversation and go back to the attract screen (idle, End button, goodbye). */
function end(reason) {
  clearInterval(kiosk.idleTimer);
  clearInterval(kiosk.countdown);
  const { connection, mic, player, context } = kiosk;
  // Detach first: flushing the player reports "drained", which must not end us again.
  kiosk.connection = kiosk.mic = kiosk.player = kiosk.context = null;
  if (connection) connection.close();
  if (mic) mic.stop();
  if (player) player.flush();
  if (context) context.close().catch(() => {});
  kiosk.sessionId = null;
  kiosk.endedBecause = reason;
  detail.close();
  showLevel(0);
  setState("idle");
  showScreen("attract");
  $("start").focus();
}

function checkIdle() {
  if (kiosk.state === "speaking" || kiosk.state === "thinking") touch();
  if (Date.now() - kiosk.lastActivity > IDLE_MS) end("idle");
}

// ------------------------------------------------------------------ protocol events
function onEvent(event) {
  kiosk.events.push(event.type);
  switch (event.type) {
    case "ready":
      kiosk.sessionId = event.session_id;
      setState(listeningOrError());
      break;
    case "speech_started":
      touch();
      setState("listening");
      break;
    case "speech_stopped":
      kiosk.awaitingReply = true;
      setState("thinking");
      break;
    case "transcript":
      touch();
      if (!event.final) {
        kiosk.partials.push(event.text);
        captions.showPartial(event.text);
      } else {
        captions.showPartial("");
        if (event.text) captions.add("you", event.text);
        else {
          kiosk.awaitingReply = false;
          setState(listeningOrError());
        }
      }
      break;
    case "reply":
      touch();
      kiosk.awaitingReply = false;
      captions.add("hark", event.text);
      if (event.cards && event.cards.length) {
        renderCards(event.cards, { currency: CURRENCY, onAdd: addToCart, onOpen: openDetail });
      }
      if ("cart" in event) renderCart(event.cart, CURRENCY);
      if (event.end) kiosk.goodbye = true;
      if (!kiosk.ttsAvailable) setState(listeningOrError());
      break;
    case "handoff":
      $("handoff").hidden = false;
      break;
    case "audio_start":
      kiosk.ttsAvailable = true;
      kiosk.player.begin(event.sample_rate);
      setState("speaking");
      break;
    case "audio_end":
      kiosk.player.end();
      break;
    case "interrupted":
      kiosk.player.flush();
      captions.markInterrupted();
      // Typed input interrupts too: then Hark is already thinking about it.
      setState(kiosk.awaitingReply ? "thinking" : listeningOrError());
      break;
    case "error":
      onServerError(event);
      break;
    default:
      break;
  }
}

function listeningOrError() {
  return kiosk.micError ? "error" : "listening";
}

function onPlaybackDrained() {
  if (kiosk.state === "speaking") setState(listeningOrError());
  if (kiosk.goodbye && kiosk.player && !kiosk.player.playing) end("goodbye");
}

function onServerError(event) {
  if (event.code === "asr_unavailable" || event.code === "tts_unavailable") {
    if (event.code === "tts_unavailable") kiosk.ttsAvailable = false;
    watchVoice(true);
  } else if (event.code === "internal_error") {
    banner("Sorry, something went wrong on our side. Please say or type that again.");
    setState(listeningOrError());
  } else if (event.code === "server_busy" || event.code === "busy") {
    banner("We're busy helping other customers right now.");
  }
}

function onStatus(status) {
  if (status.kind === "connecting") {
    if (kiosk.state !== "reconnecting") setState("connecting");
  } else if (status.kind === "open") {
    kiosk.ttsAvailable = true;
    kiosk.sessionId = status.sessionId;
    if (!kiosk.micError) banner("");
    else banner(MIC_MESSAGES[kiosk.micError]);
  } else if (status.kind === "lost" || status.kind === "busy" || status.kind === "refused") {
    if (kiosk.player) kiosk.player.flush();
    setState("reconnecting");
    renderCart(null, CURRENCY); // the next connection is a new conversation
    const prefix = RETRY_MESSAGES[status.kind];
    countdownBanner(prefix, status.retryInMs, {
      label: "Try now",
      run: () => kiosk.connection && kiosk.connection.reconnect(),
    });
  } else if (status.kind === "closed") {
    // After a goodbye the server closes once the audio has had time to play; without
    // audio (no voice), leave the last caption up for a moment, then start over.
    if (kiosk.goodbye && !(kiosk.player && kiosk.player.playing)) {
      const connection = kiosk.connection;
      setTimeout(() => kiosk.connection === connection && end("goodbye"), 4000);
    }
  } else if (status.kind === "failed") {
    if (status.error instanceof EnrolmentRequired) {
      end("enrol");
      showEnrolment();
    }
  }
}

// ------------------------------------------------------------------ input
function sendTyped(text, how = "typed") {
  touch();
  const clean = text.trim().slice(0, 500);
  if (!clean) return;
  if (!kiosk.connection || !kiosk.connection.sendText(clean)) {
    banner("Not connected yet. Please wait a moment and try again.");
    return;
  }
  if (kiosk.player) kiosk.player.flush(); // the server interrupts its reply for typed input
  captions.add("you", clean, how);
  kiosk.awaitingReply = true;
  setState("thinking");
}

function addToCart(product) {
  sendTyped(`Add the ${product.name} to my cart`, "tapped");
}

function openDetail(product) {
  touch();
  detail.open(product);
}

function showLevel(level) {
  const bar = $("level").firstElementChild;
  if (level < 0) {
    banner(MIC_MESSAGES.missing);
    return;
  }
  bar.style.width = `${Math.min(100, Math.round(level * 400))}%`;
}

function watchVoice(inConversation) {
  if (kiosk.stopWatching) kiosk.stopWatching();
  kiosk.stopWatching = watchVoiceSetup((message, ready) => {
    const notice = $("voice-setup");
    notice.hidden = !message;
    notice.textContent = message || "";
    if (inConversation && kiosk.screen === "conversation") {
      if (ready) {
        banner("Voice is ready now.", { label: "Talk instead", run: () => { end("restart"); start(); } });
      } else if (message) {
        banner(message);
      }
    }
  });
}

$("start").addEventListener("click", () => start());
$("end").addEventListener("click", () => end("button"));
$("typed").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("typed-text");
  sendTyped(input.value);
  input.value = "";
});
$("typed-text").addEventListener("input", touch);
document.addEventListener("pointerdown", touch);

const showEnrolment = setUpEnrolment(
  () => showScreen("enrol"),
  () => showScreen("attract"),
);
// Staff open /kiosk#enrol (on load, or by changing the address) to enrol or un-enrol.
if (window.location.hash === "#enrol") showEnrolment();
window.addEventListener("hashchange", () => {
  if (window.location.hash !== "#enrol") return;
  if (kiosk.screen === "conversation") end("enrol");
  showEnrolment();
});
watchVoice(false);
