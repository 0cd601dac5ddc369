// Gapless playback of Hark's reply audio (pcm_s16le frames, ~40 ms each).
// Each frame is scheduled to start exactly where the previous one ends on the
// AudioContext clock, so there are no clicks between frames; a short lead
// absorbs network jitter. flush() (on `interrupted`) stops everything at once.

const LEAD_S = 0.08; // scheduling margin when playback (re)starts

export class Player {
  constructor(context, { onDrained }) {
    this.context = context;
    this.onDrained = onDrained;
    this.rate = context.sampleRate;
    this.nextTime = 0;
    this.sources = new Set();
    this.ended = true; // audio_end seen for the current reply
    this.stats = { framesScheduled: 0, scheduledMs: 0, playedMs: 0, flushes: 0 };
  }

  /** The reply's audio rate (`audio_start.sample_rate`). */
  begin(sampleRate) {
    this.rate = sampleRate;
    this.ended = false;
  }

  end() {
    this.ended = true;
    this.checkDrained();
  }

  get playing() {
    return this.sources.size > 0;
  }

  push(arrayBuffer) {
    const samples = new Int16Array(arrayBuffer.byteLength >> 1);
    samples.set(new Int16Array(arrayBuffer, 0, samples.length));
    if (samples.length === 0) return;
    const buffer = this.context.createBuffer(1, samples.length, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const now = this.context.currentTime;
    const at = Math.max(this.nextTime, now + LEAD_S);
    source.start(at);
    this.nextTime = at + buffer.duration;
    this.sources.add(source);
    this.stats.framesScheduled += 1;
    this.stats.scheduledMs += buffer.duration * 1000;
    source.onended = () => {
      if (!this.sources.delete(source)) return; // flushed
      this.stats.playedMs += buffer.duration * 1000;
      this.checkDrained();
    };
  }

  /** Barge-in: drop everything buffered and silence what is playing, now. */
  flush() {
    for (const source of this.sources) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        /* not started yet */
      }
      source.disconnect();
    }
    this.sources.clear();
    this.nextTime = 0;
    this.ended = true;
    this.stats.flushes += 1;
    this.onDrained();
  }

  checkDrained() {
    if (this.ended && this.sources.size === 0) this.onDrained();
  }
}
