"""Cost of the voice engines on this machine: ASR per utterance, TTS first chunk, VAD per frame.

Run: ``.venv/bin/python bench/bench_engines.py`` (about a minute on 2 cores).

No model is downloaded. Whisper runs random weights at the real tiny.en and
base.en dimensions (tests/modelfactory.py), decoding a fixed token budget
(``max_new_tokens=24``, about 12 tokens: a short spoken sentence), so the
compute matches the real models; the piper voice is the tiny test voice
(phonemisation plus a trivial graph: the pipeline's own overhead, not a real
VITS voice's compute). Medians over several runs; nothing here is a
pass/fail test.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import harness  # first: the suite's helpers become importable)
import numpy as np

# isort: split

from fixtures_voice import espeak_speech
from modelfactory import WHISPER_SIZES, build_piper_voice, build_whisper

from hark.voice.asr.whisper import WhisperTranscriber
from hark.voice.audio.codecs import int16_to_float32, mulaw_decode, mulaw_encode
from hark.voice.audio.resample import resample
from hark.voice.listen.vad import Endpointer
from hark.voice.tts.piper import PiperSynthesizer

Row = tuple[str, str, float, str, str]  # stage, case, value, unit, notes


def median_s(fn: Callable[[], object], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_whisper(folder: Path, clip: np.ndarray) -> list[Row]:
    rows: list[Row] = []
    sizes = {
        "test-size (d64, 2+2 layers)": {},
        **{f"{k}-size": v for k, v in WHISPER_SIZES.items() if k != "small.en"},
    }
    for label, dims in sizes.items():
        started = time.perf_counter()
        path = build_whisper(folder / label.split()[0], **dims)
        build_s = time.perf_counter() - started
        engine = WhisperTranscriber(path, cpu_threads=2, max_new_tokens=24)
        seconds = median_s(lambda e=engine: e.transcribe(clip), runs=5)
        rows.append(("ASR faster-whisper int8, 2 threads", f"{label}, 2.0 s clip, ~12 tokens",
                     seconds * 1000, "ms", f"median of 5; model built in {build_s:.2f} s"))  # fmt: skip
    return rows


def bench_piper(folder: Path) -> list[Row]:
    voice = PiperSynthesizer(build_piper_voice(folder / "piper" / "en_US-test-medium.onnx"))
    reply = "The Aurora Desk Lamp costs $24.99. It ships tomorrow. Anything else?"
    first = median_s(lambda: next(iter(voice.synthesize(reply))), runs=20)
    whole = median_s(lambda: list(voice.synthesize(reply)), runs=20)
    return [
        (
            "TTS piper (tiny test voice)",
            "first chunk of a 3-sentence reply",
            first * 1000,
            "ms",
            "median of 20",
        ),
        ("TTS piper (tiny test voice)", "all 3 chunks", whole * 1000, "ms", "median of 20"),
    ]


def bench_vad() -> list[Row]:
    rows: list[Row] = []
    for rate in (8000, 16000, 24000, 48000):
        speech = espeak_speech("Do you have the blue running shoes in size nine?", rate)
        rng = np.random.default_rng(0)
        stream = np.concatenate([np.zeros(rate, np.int16), speech, np.zeros(rate, np.int16)])
        stream = np.clip(stream + rng.normal(0, 120, stream.size), -32768, 32767).astype(np.int16)
        frame = rate * 20 // 1000
        frames = [stream[i : i + frame] for i in range(0, stream.size - frame + 1, frame)]

        def feed_all(frames: list[np.ndarray] = frames, rate: int = rate) -> None:
            ep = Endpointer(rate)
            for f in frames:
                ep.feed(f)
            ep.flush()

        total = median_s(feed_all, runs=9)
        rows.append(("VAD Endpointer.feed", f"{rate} Hz, 20 ms frames, speech+noise",
                     total / len(frames) * 1e6, "µs", "per frame incl. framing/buffers; median of 9 streams"))  # fmt: skip
    return rows


def bench_codecs() -> list[Row]:
    frame = (np.random.default_rng(0).normal(0, 3000, 160)).astype(np.int16)
    coded = mulaw_encode(frame)
    second = np.zeros(48000, np.int16)
    return [
        ("μ-law encode", "20 ms at 8 kHz", median_s(lambda: mulaw_encode(frame), 2000) * 1e6, "µs", "median of 2000"),
        ("μ-law decode", "20 ms at 8 kHz", median_s(lambda: mulaw_decode(coded), 2000) * 1e6, "µs", "median of 2000"),
        ("resample one-shot (soxr HQ)", "1 s 48 kHz -> 16 kHz", median_s(lambda: resample(second, 48000, 16000), 50) * 1e3, "ms", "median of 50"),
    ]  # fmt: skip


def main() -> None:
    clip = int16_to_float32(
        espeak_speech("Do you have the blue running shoes in size nine?")[:32000]
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows = bench_whisper(Path(tmp), clip) + bench_piper(Path(tmp))
    rows += bench_vad() + bench_codecs()
    print("| stage | case | value | notes |")
    print("| --- | --- | ---: | --- |")
    for stage, case, value, unit, notes in rows:
        print(f"| {stage} | {case} | {value:.2f} {unit} | {notes} |")


if __name__ == "__main__":
    harness.no_options(__doc__)
    main()
