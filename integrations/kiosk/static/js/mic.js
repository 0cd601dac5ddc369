// The microphone: getUserMedia with the browser's echo cancellation and noise
// suppression (so Hark does not hear itself and stop talking), into the capture
// worklet, out as PCM16 frames. Failures become errors a person understands.

export const TARGET_RATE = 16000;

/** A microphone problem, with a `kind` the page turns into a message. */
export class MicError extends Error {
  constructor(kind, cause) {
    super(kind);
    this.kind = kind; // "denied" | "missing" | "insecure" | "busy" | "failed"
    this.cause = cause;
  }
}

export function classify(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") {
    return new MicError("denied", error);
  }
  if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
    return new MicError("missing", error);
  }
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
    return new MicError("busy", error);
  }
  return new MicError("failed", error);
}

export class Microphone {
  constructor(context, { onFrame, onLevel }) {
    this.context = context;
    this.onFrame = onFrame;
    this.onLevel = onLevel;
    this.stream = null;
    this.node = null;
    this.source = null;
  }

  async start() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new MicError("insecure");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          channelCount: 1,
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
        video: false,
      });
    } catch (error) {
      throw classify(error);
    }
    try {
      await this.context.audioWorklet.addModule("/kiosk/static/js/capture-worklet.js");
      this.source = this.context.createMediaStreamSource(this.stream);
      this.node = new AudioWorkletNode(this.context, "pcm-capture", {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        processorOptions: { targetRate: TARGET_RATE },
      });
    } catch (error) {
      this.stop();
      throw new MicError("failed", error);
    }
    this.node.port.onmessage = (message) => {
      this.onFrame(message.data.pcm);
      this.onLevel(message.data.level);
    };
    this.source.connect(this.node);
    const [track] = this.stream.getAudioTracks();
    if (track) track.onended = () => this.onLevel(-1); // unplugged
  }

  stop() {
    if (this.source) this.source.disconnect();
    if (this.node) this.node.port.onmessage = null;
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = this.node = this.source = null;
  }
}
