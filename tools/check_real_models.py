#!/usr/bin/env python3
"""Check that the real Whisper base and piper joe models work, offline, and time them.

Why this exists: ``fetch_real_models.py`` only assembles files; this proves the
result is usable the way Hark uses it and gives the numbers that benchmarks
and latency budgets lean on. It:

1. fetches the models if needed (``fetch_real_models.ensure_models``);
2. loads Whisper base with ``faster_whisper.WhisperModel(folder, device="cpu",
   compute_type="int8")`` under ``HF_HUB_OFFLINE=1`` and with Python's sockets
   watched, so any attempt to reach a model hub is reported as a failure;
3. speaks test lines with ``piper.PiperVoice`` (22.05 kHz), resamples them to
   16 kHz with soxr and transcribes them (beam 1, no timestamps, English,
   temperature 0: Hark's own options);
4. sends the same audio through a telephone line (8 kHz, G.711 μ-law round
   trip, back to 16 kHz) to see what a phone call does to recognition;
5. times model loads, transcription of the 2-4 s line (median of N) and
   piper's time to the first sentence of a two-sentence reply (median of N).

Run with the project's venv (it needs faster_whisper, piper, soxr, numpy)::

    .venv/bin/python tools/check_real_models.py [--runs 5] [--threads 2]

Exit status 0 if everything loaded, nothing tried the network and the main
line's transcript contains "order" and "Monday"; 1 otherwise. Timings are
only meaningful on an otherwise idle machine: the load average is printed.
"""

from __future__ import annotations

import os

# Before faster_whisper (and so huggingface_hub) is imported: it reads these once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import socket
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_real_models import FetchError, ensure_models

MAIN_LINE: Final = "Your order four five seven two shipped on Monday."
REPLY: Final = MAIN_LINE + " It should reach you by Thursday afternoon."
"""Two sentences, so the first-chunk time is the first sentence's, as in a real reply."""

CALLER_LINES: Final = (
    "is the santoku knife in stock",
    "I want to return my kettle",
    "what's the cheapest coffee maker you've got",
    "my phone number is five five five one two three four",
    "can I speak to a real person",
)

ASR_RATE: Final = 16_000
PHONE_RATE: Final = 8_000

NETWORK_ATTEMPTS: list[str] = []
"""Every non-Unix socket connection tried in this process (expected: none)."""


def _watch_network() -> None:
    """Record (and refuse) every host-name look-up and IP connection made from Python.

    faster-whisper reaches the Hugging Face hub only from Python
    (huggingface_hub, also behind tokenizers' ``from_pretrained``), so this
    catches the fallbacks that would fire if a file were missing from the
    model folder. Look-ups are watched too: without a network the hub client
    fails in DNS and never calls ``connect``.
    """
    original_connect = socket.socket.connect
    original_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            NETWORK_ATTEMPTS.append(f"connect {address!r}")
            raise OSError(f"check_real_models: network access refused ({address!r})")
        original_connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost"):
            NETWORK_ATTEMPTS.append(f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"check_real_models: no look-up of {host!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo


def _mulaw_codec() -> tuple[Callable[[np.ndarray], bytes], Callable[[bytes], np.ndarray]]:
    """Hark's G.711 μ-law encoder/decoder, or a local copy if the package is not importable.

    The fallback keeps this script usable while the package is being
    refactored; it is the textbook G.711 algorithm, bit-exact with Hark's.
    """
    try:
        from hark.voice.audio.codecs import mulaw_decode, mulaw_encode

        return mulaw_encode, mulaw_decode
    except ImportError:
        pass
    seg_end = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])

    def encode(samples: np.ndarray) -> bytes:
        pcm14 = samples.astype(np.int32) >> 2  # the reference g711.c works on 14 bits
        negative = pcm14 < 0
        magnitude = np.minimum(np.where(negative, -pcm14, pcm14), 8159) + 0x21
        segment = np.searchsorted(seg_end, magnitude, side="left")
        code = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)
        code = np.where(segment < 8, code, 0x7F)  # past the last segment: the largest code
        return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8).tobytes()

    def decode(data: bytes) -> np.ndarray:
        code = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
        exponent = (code >> 4) & 0x07
        magnitude = ((((code & 0x0F) << 3) + 0x84) << exponent) - 0x84
        return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)

    return encode, decode


MULAW_ENCODE, MULAW_DECODE = _mulaw_codec()


def speak(voice: Any, text: str, syn_config: Any = None) -> tuple[np.ndarray, int]:
    """Synthesise ``text`` with piper; return (int16 mono samples, sample rate).

    piper-tts >= 1.3: ``synthesize()`` yields ``AudioChunk`` objects (one per
    sentence) with ``sample_rate``, ``audio_float_array`` (float32, peak
    normalised to 1.0) and ``audio_int16_array``. The pre-1.3 API that yielded
    raw bytes, and ``synthesize_stream_raw``, are gone.

    With the voice's default noise (``noise_scale`` 0.667, ``noise_w`` 0.8)
    every call gives different audio (length and timbre); a
    ``SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)`` makes it repeatable.
    """
    chunks = list(voice.synthesize(text, syn_config))
    if not chunks:
        return np.zeros(0, dtype=np.int16), int(voice.config.sample_rate)
    audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
    return audio, int(chunks[0].sample_rate)


def to_float(samples: np.ndarray) -> np.ndarray:
    """int16 to float32 in [-1, 1), Whisper's scale."""
    return samples.astype(np.float32) / 32768.0


def to_int16(samples: np.ndarray) -> np.ndarray:
    """float audio to int16, clipping (soxr can overshoot 1.0 slightly)."""
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def clean_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """What a wide-band (e.g. WebRTC) caller sends: the TTS audio at 16 kHz, float32."""
    return soxr.resample(to_float(samples), rate, ASR_RATE, quality="HQ").astype(np.float32)


def phone_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """What a telephone caller sends: 8 kHz, G.711 μ-law round trip, then up to 16 kHz."""
    narrow = to_int16(soxr.resample(to_float(samples), rate, PHONE_RATE, quality="HQ"))
    decoded = MULAW_DECODE(MULAW_ENCODE(narrow))
    return soxr.resample(to_float(decoded), PHONE_RATE, ASR_RATE, quality="HQ").astype(np.float32)


def transcribe(model: Any, audio_16k: np.ndarray) -> str:
    """Recognise one utterance with the options Hark's WhisperTranscriber uses."""
    segments, _info = model.transcribe(
        audio_16k,
        language="en",
        task="transcribe",
        beam_size=1,
        best_of=1,
        temperature=0.0,
        vad_filter=False,
        condition_on_previous_text=False,
        without_timestamps=True,
        word_timestamps=False,
    )
    return "".join(segment.text for segment in segments).strip()


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """Median wall time of ``runs`` calls (after none skipped: the first call counts too)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def first_chunk_seconds(voice: Any, text: str) -> float:
    """Time from ``synthesize()`` to its first yielded chunk (the first sentence's audio)."""
    start = time.perf_counter()
    iterator = iter(voice.synthesize(text))
    next(iterator)
    elapsed = time.perf_counter() - start
    for _ in iterator:  # finish the reply so the next run starts clean
        pass
    return elapsed


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux ``/proc/stat``), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """Measures how many cores *other* processes kept busy during a block.

    Timings are only meaningful on an idle machine; on a 2-core box a test
    run next door doubles them. This makes that visible instead of silent.
    """

    def __enter__(self) -> OtherLoad:
        self._busy = _busy_cpu_seconds()
        self._own = time.process_time()
        self._wall = time.perf_counter()
        self.cores: float | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        busy = _busy_cpu_seconds()
        if busy is None or self._busy is None:
            return
        own = time.process_time() - self._own
        wall = time.perf_counter() - self._wall
        self.cores = max(0.0, (busy - self._busy - own) / wall)


def _fmt(times: Sequence[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every check, print a report on stdout; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions (default 5)")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="CTranslate2 CPU threads for Whisper (default: all cores)",
    )
    args = parser.parse_args(argv)

    try:
        paths = ensure_models()
    except FetchError as exc:
        print(f"check_real_models: cannot get the models: {exc}", file=sys.stderr)
        return 1

    _watch_network()
    from faster_whisper import WhisperModel
    from piper import PiperVoice

    load1 = os.getloadavg()[0]
    print(f"cores {os.cpu_count()}, load average {load1:.2f}, whisper threads {args.threads}")
    print(f"whisper_base: {paths.whisper_base}")
    print(f"piper_voice:  {paths.piper_voice}")

    start = time.perf_counter()
    model = WhisperModel(
        str(paths.whisper_base), device="cpu", compute_type="int8", cpu_threads=args.threads
    )
    whisper_load = time.perf_counter() - start
    start = time.perf_counter()
    voice = PiperVoice.load(str(paths.piper_voice))
    piper_load = time.perf_counter() - start
    print(f"load: whisper base {whisper_load:.2f} s, piper joe {piper_load:.2f} s")
    print(f"whisper multilingual: {model.model.is_multilingual}")

    audio, rate = speak(voice, MAIN_LINE)
    clean = clean_16k(audio, rate)
    phone = phone_16k(audio, rate)
    main_clean = transcribe(model, clean)
    main_phone = transcribe(model, phone)
    print(f"\nmain line ({len(audio) / rate:.2f} s at {rate} Hz): {MAIN_LINE!r}")
    print(f"  16 kHz       -> {main_clean!r}")
    print(f"  phone μ-law  -> {main_phone!r}")

    from piper import SynthesisConfig

    fixed = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    audio, rate = speak(voice, MAIN_LINE, fixed)
    print(f"  noise 0 (repeatable), 16 kHz -> {transcribe(model, clean_16k(audio, rate))!r}")
    print(f"  noise 0 (repeatable), phone  -> {transcribe(model, phone_16k(audio, rate))!r}")
    heard: Counter[tuple[str, str]] = Counter()
    for _ in range(args.runs):
        audio, rate = speak(voice, MAIN_LINE)
        heard[transcribe(model, clean_16k(audio, rate)), "16 kHz"] += 1
        heard[transcribe(model, phone_16k(audio, rate)), "phone"] += 1
    print(f"  {args.runs} more default (random) syntheses:")
    for (text, channel), count in sorted(heard.items(), key=lambda item: (item[0][1], -item[1])):
        print(f"    {channel:6} x{count}: {text!r}")

    with OtherLoad() as others:
        asr_median, asr_times = median_seconds(lambda: transcribe(model, clean), args.runs)
        chunk_times = [first_chunk_seconds(voice, REPLY) for _ in range(args.runs)]
    print(f"\ntranscribe {len(clean) / ASR_RATE:.2f} s line: median {asr_median:.3f} s")
    print(f"  runs: {_fmt(asr_times)}")
    print(f"piper first chunk of {REPLY!r}: median {statistics.median(chunk_times):.3f} s")
    print(f"  runs: {_fmt(chunk_times)}")
    if others.cores is not None:
        busy = " (TIMINGS UNRELIABLE: machine not idle)" if others.cores > 0.2 else ""
        print(f"  other processes kept {others.cores:.2f} cores busy while timing{busy}")

    print("\ncaller lines (16 kHz | phone μ-law):")
    for line in CALLER_LINES:
        audio, rate = speak(voice, line)
        heard_clean = transcribe(model, clean_16k(audio, rate))
        heard_phone = transcribe(model, phone_16k(audio, rate))
        print(f"  {line!r} ({len(audio) / rate:.2f} s)")
        print(f"    16 kHz      -> {heard_clean!r}")
        print(f"    phone μ-law -> {heard_phone!r}")

    print(f"\nload average now {os.getloadavg()[0]:.2f}")
    ok = True
    if NETWORK_ATTEMPTS:
        print(f"FAIL: network access attempted: {NETWORK_ATTEMPTS}")
        ok = False
    else:
        print("no network access attempted")
    words = main_clean.casefold()
    if "order" not in words or "monday" not in words:
        print("FAIL: the main line was not recognised")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
