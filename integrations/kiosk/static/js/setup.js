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
 * The enrolment screen: staff type a kiosk key (one of the server's HARK_API_KEYS); the
 * server answers with a secure HTTP-only cookie session, so the key is never stored by
 * the page (the field is emptied before the key is even sent). onDone() returns to the
 * attract screen. "Remove enrolment" (POST /kiosk/leave) ends this device's session.
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
        cache: "no-store",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key }),
      });
    } catch {
      say("Could not reach the server. Check the network and try again.");
      return;
    }
    say(enrolmentAnswer(response.status));
    if (response.ok) onDone();
  });
  $("enrol-leave").addEventListener("click", async () => {
    try {
      const response = await fetch("/kiosk/leave", { method: "POST", credentials: "same-origin" });
      say(response.ok ? "This kiosk is no longer enrolled." : `Could not remove the enrolment (error ${response.status}).`);
    } catch {
      say("Could not reach the server. Check the network and try again.");
    }
  });
  return () => {
    say("");
    onShow();
    input.focus();
  };
}

/** What the enrolment screen says for the server's answer (empty: enrolled). */
export function enrolmentAnswer(status) {
  if (status >= 200 && status < 300) return "";
  if (status === 401 || status === 422) return "That key was not accepted. Check it and try again.";
  if (status === 409 || status === 404 || status === 405) {
    return "This server does not use kiosk enrolment: it serves kiosks on its own machine only.";
  }
  if (status === 403) return "This page may not enrol the kiosk: open it from the Hark server's own address.";
  if (status === 429) return "Too many attempts. Wait a minute and try again.";
  return `The server could not enrol this kiosk (error ${status}).`;
}
