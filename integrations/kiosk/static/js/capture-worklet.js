// AudioWorklet: the microphone as 16-bit PCM frames of 20 ms at the target rate.
// Runs on the audio thread, so capture never stalls when the page is busy drawing.
// When the context runs at another rate than the target (a browser that would not
// open a 16 kHz context), it downsamples with a box filter and linear interpolation:
// good enough for speech, and the usual case (Chromium) needs neither.

class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const target = (options.processorOptions && options.processorOptions.targetRate) || 16000;
    this.ratio = sampleRate / target; // input samples per output sample
    this.frame = new Int16Array(Math.round(target / 50)); // 20 ms
    this.filled = 0;
    this.position = 0; // fractional read position into the (filtered) input
    this.previous = 0;
    this.levelSum = 0;
    this.levelCount = 0;
  }

  push(value) {
    const clipped = Math.max(-1, Math.min(1, value));
    this.frame[this.filled++] = clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff;
    this.levelSum += clipped * clipped;
    this.levelCount += 1;
    if (this.filled === this.frame.length) {
      const out = this.frame.slice(0);
      const level = Math.sqrt(this.levelSum / this.levelCount);
      this.port.postMessage({ pcm: out.buffer, level }, [out.buffer]);
      this.filled = 0;
      this.levelSum = 0;
      this.levelCount = 0;
    }
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    if (this.ratio === 1) {
      for (let i = 0; i < channel.length; i++) this.push(channel[i]);
      return true;
    }
    // Box-filter over the input span of one output sample, then interpolate.
    const width = Math.max(1, Math.floor(this.ratio));
    while (this.position < channel.length) {
      const index = Math.floor(this.position);
      let sum = 0;
      let count = 0;
      for (let k = 0; k < width && index + k < channel.length; k++) {
        sum += channel[index + k];
        count += 1;
      }
      const value = count ? sum / count : this.previous;
      this.previous = value;
      this.push(value);
      this.position += this.ratio;
    }
    this.position -= channel.length;
    return true;
  }
}

registerProcessor("pcm-capture", PcmCapture);
