// Small screens around the conversation: voice readiness (models still downloading
// on a fresh install) and kiosk enrolment by staff.

const $ = (id) => document.getElementById(id);

/** What /readyz says about speech, as one sentence for a customer (or null: all fine). */
export function voiceSetupMessage(engines) {
  const asr = engines.asr || {};
  const tts = engines.tts || {};
  if (asr.loaded && tts.loaded) return null;
  const downloads = [asr.download, tts.download].filter(Boolean);
  const active = downloads.filter((d) => d.state === "downloading" || d.state === "queued" || d.state === "loading");
  if (active.length) {
    const d = active[0];
    const percent = d.file_percent === null || d.file_percent === undefined ? "" : ` ${Math.round(d.file_percent)} %`;
    const mib = (d.downloaded_bytes / 1048576).toFixed(1);
    return `Getting the voice ready (downloading ${d.model}: ${mib} MB${percent}). You can type meanwhile.`;
  }
  return "Voice is not available on this kiosk right now. You can type your questions.";
}

/**
 * Poll /readyz while speech is not ready; call onChange(message, ready) on each answer.
 * Returns a stop function. Stops by itself once both engines are loaded, or when no
 * download is running (nothing will change without staff).
 */
export function watchVoiceSetup(onChange, intervalMs = 2000) {
  let timer = null;
  let stopped = false;
  async function poll() {
    if (stopped) return;
    let engines = null;
    try {
      const response = await fetch("/readyz", { cache: "no-store" });
      engines = (await response.json()).engines || null;
    } catch {
      engines = null;
    }
    if (stopped) return;
    if (engines) {
      const message = voiceSetupMessage(engines);
      const ready = message === null;
      onChange(message, ready);
      const downloading = [engines.asr, engines.tts].some(
        (e) => e && e.download && ["queued", "downloading", "loading"].includes(e.download.state),
      );
      if (ready || !downloading) return;
    }
    timer = setTimeout(poll, intervalMs);
  }
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * The enrolment screen: staff type a kiosk key, the server answers with a secure
 * HTTP-only cookie session (the key is never stored by the page). onDone() returns
 * to the attract screen.
 */
export function setUpEnrolment(onShow, onDone) {
  const form = $("enrol-form");
  const input = $("enrol-key");
  const message = $("enrol-message");
  const say = (text) => {
    message.textContent = text;
    message.hidden = !text;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    input.value = "";
    if (!key) return;
    say("Checking the key…");
    let response;
    try {
      response = await fetch("/kiosk/enrol", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key }),
      });
    } catch {
      say("Could not reach the server. Check the network and try again.");
      return;
    }
    if (response.ok) {
      say("");
      onDone();
    } else if (response.status === 401 || response.status === 403) {
      say("That key was not accepted. Check it and try again.");
    } else if (response.status === 404 || response.status === 405) {
      say("This server does not use kiosk enrolment: it serves kiosks on its own machine only.");
    } else if (response.status === 429) {
      say("Too many attempts. Wait a minute and try again.");
    } else {
      say(`The server could not enrol this kiosk (error ${response.status}).`);
    }
  });
  return () => {
    say("");
    onShow();
    input.focus();
  };
}
