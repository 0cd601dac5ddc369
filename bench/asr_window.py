"""Whisper's encoder window against accuracy and recognition time, with the REAL Whisper base.

Run: ``.venv/bin/python bench/asr_window.py [--windows 30,15,10,8] [--show]``
(about 4 minutes per window on 2 cores). Prints, per window: the word error
rate, the median recognition time, lines Whisper repeated, and lines wrong
that the full 30 s window got right (``--show`` prints them).

The lines: the spoken regression suite's caller lines
(``tests/data/spoken_callers.jsonl``) and the voice benchmark's lines, said
by the REAL piper ``en_US-joe-medium`` (clean, and phone-band: 8 kHz
resampled with white noise), and every second line by espeak-ng in two
accents (en-us, en-gb-x-rp). Each clip carries the endpointer's silences
(0.2 s before, 0.3 s after). No shop vocabulary (hotwords): the window's
effect alone. WER is counted after the NLU's normalisation, as the brain
reads the words. Recognition runs through Hark's own ``WhisperTranscriber``
(beam 1, int8, 2 threads), so it is the server's path.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from harness import real_model_paths  # first: the suite's helpers become importable

# isort: split
from fixtures_voice import espeak_speech
from spoken import LINES
from spoken_callers import Speaker, load_lines, word_errors

from hark.voice.asr.whisper import WhisperTranscriber
from hark.voice.audio.resample import resample

RATE = 16000


def clips(piper_voice: str) -> list[tuple[str, str, np.ndarray]]:
    """(voice, text, 16 kHz float32 audio with the endpointer's silences)."""
    speaker = Speaker(piper_voice)
    rng = np.random.default_rng(1)
    texts = [line.text for line in load_lines()] + list(LINES)
    made: list[tuple[str, str, np.ndarray]] = []
    for i, text in enumerate(texts):
        clean = speaker.say(text)
        phone = resample(resample(clean, RATE, 8000), 8000, RATE).astype(np.float32) / 32768
        phone += rng.standard_normal(phone.size).astype(np.float32) * 0.01
        made += [("joe", text, clean.astype(np.float32) / 32768), ("joe-phone", text, phone)]
        if i % 2 == 0:
            for voice in ("en-us", "en-gb-x-rp"):
                speech = espeak_speech(text, RATE, voice=voice)
                made.append((voice, text, speech.astype(np.float32) / 32768))
    pad = (np.zeros(RATE // 5, np.float32), np.zeros(RATE * 3 // 10, np.float32))
    return [(v, t, np.concatenate([pad[0], a, pad[1]])) for v, t, a in made]


def repeated(text: str, hypothesis: str) -> bool:
    return len(hypothesis.split()) >= 2 * len(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--windows", default="30,15,10,8", help="windows to compare, in seconds")
    parser.add_argument("--show", action="store_true", help="print the lines each window got wrong")
    args = parser.parse_args()
    paths = real_model_paths()
    data = clips(paths["piper_voice"])
    seconds = [a.size / RATE for _, _, a in data]
    print(
        f"{len(data)} clips of {min(seconds):.1f}-{max(seconds):.1f} s, Whisper base, 2 threads\n"
    )
    print("| window | WER | median recognition | repeated lines | wrong where 30 s was right |")
    print("| --- | --- | --- | --- | --- |")
    wrong_full: set[tuple[str, str]] | None = None
    for window in [float(w) for w in args.windows.split(",")]:
        engine = WhisperTranscriber(paths["whisper_base"], cpu_threads=2, window_s=window)
        edits = words = repeats = 0
        times: list[float] = []
        wrong: dict[tuple[str, str], str] = {}
        for voice, text, audio in data:
            started = time.perf_counter()
            heard = engine.transcribe(audio).text
            times.append((time.perf_counter() - started) * 1000)
            e, n = word_errors(text, heard)
            edits, words = edits + e, words + n
            repeats += repeated(text, heard)
            if e:
                wrong[(voice, text)] = heard
        if window >= 30:
            wrong_full = set(wrong)
        new = {k: v for k, v in wrong.items() if wrong_full is not None and k not in wrong_full}
        extra = str(len(new)) if wrong_full is not None and window < 30 else "-"
        print(f"| {window:g} s | {100 * edits / words:.2f} % | {statistics.median(times):.0f} ms "
              f"| {repeats} | {extra} |", flush=True)  # fmt: skip
        if args.show:
            for (voice, text), heard in new.items():
                print(f"    {voice}: {text!r} -> {heard[:120]!r}")


if __name__ == "__main__":
    main()
