"""Spoken task success and the caller lines' word error rate, with real speech models.

    .venv/bin/python bench/spoken_callers.py [--parallel 2] [--errors]

The spoken regression suite's lines (``tests/data/spoken_callers.jsonl``,
two shops from ``tests/caller_shops.py``) are said by piper
``en_US-joe-medium`` (no noise: the same audio every run), streamed in real
time over ``/v1/voice`` to a real server on loopback that recognises them
with the real Whisper base model (shop vocabulary as hotwords), and each
reply is checked. Prints task success and word error rate per shop (WER
after the NLU's normalisation, so "four five seven two" and "4572" agree),
and the ASR time per line. Models: ``tools/fetch_real_models.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from harness import LiveServer, real_model_paths

# isort: split

from caller_shops import DEV_SHOPS
from modelfactory import build_piper_voice
from shopbuilder import open_shop
from spoken_callers import Heard, Speaker, load_lines, speak_all, word_errors

from hark.runtime.settings import load_settings
from hark.server.app import create_app
from hark.server.services import build_services
from hark.voice.turn.session import VoiceOptions


def run(parallel: int) -> list[Heard]:
    paths = real_model_paths()
    lines = load_lines()
    speaker = Speaker(paths["piper_voice"])
    audio = {line.id: speaker.say(line.text) for line in lines}
    heard: list[Heard] = []
    with tempfile.TemporaryDirectory() as tmp:
        tts = build_piper_voice(Path(tmp) / "piper" / "en_US-test-medium.onnx")
        for name, shop in DEV_SHOPS.items():
            root = Path(tmp) / name
            settings = load_settings(
                data_dir=root / "data",
                today="2026-11-24",
                asr_model=paths["whisper_base"],
                tts_voice=str(tts),
                log_level="WARNING",
            )
            db = open_shop(settings.effective_database_url, root / "shop", shop)
            try:
                app = create_app(settings, build_services(settings, db=db))
                app.state.voice_options = VoiceOptions(partial_interval_s=None)
                server = LiveServer(app).start()
                try:
                    mine = [line for line in lines if line.shop == name]
                    heard += asyncio.run(
                        speak_all(f"{server.ws_url}/v1/voice", mine, audio, parallel)
                    )
                finally:
                    server.stop()
            finally:
                db.dispose()
    return heard


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parallel", type=int, default=2, help="conversations streaming at once")
    ap.add_argument("--errors", action="store_true", help="show every failed line")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    heard = run(args.parallel)
    elapsed = time.perf_counter() - started
    print(f"Spoken callers: piper joe -> /v1/voice (real time) -> Whisper base ({elapsed:.0f} s)")
    print()
    print(f"{'shop':<10} {'lines':>6} {'right':>6} {'success':>8} {'WER':>7}")
    print("-" * 42)
    shops = sorted({h.line.shop for h in heard})
    total_err = total_words = 0
    for shop in [*shops, "all"]:
        mine = [h for h in heard if shop == "all" or h.line.shop == shop]
        errs = [word_errors(h.line.text, h.transcript) for h in mine]
        e, w = sum(x for x, _ in errs), sum(y for _, y in errs)
        if shop != "all":
            total_err, total_words = total_err + e, total_words + w
        if shop == "all":
            print("-" * 42)
        right = sum(h.ok for h in mine)
        print(
            f"{shop:<10} {len(mine):>6} {right:>6} {right / len(mine):>8.1%} {e / max(w, 1):>7.1%}"
        )
    if args.errors:
        for h in heard:
            if not h.ok:
                print(f"\n[{h.line.id}] said {h.line.text!r}\n   heard {h.transcript!r}")
                print(f"   wrong: {'; '.join(h.wrong)}\n   > {h.reply}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
