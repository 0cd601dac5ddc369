"""``hark say "text" -o out.wav``: speak text with the configured piper voice."""

from __future__ import annotations

import argparse
import sys

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "say",
        help="synthesise speech to a WAV file",
        description="Speak TEXT with piper, sentence by sentence, into a mono 16-bit WAV file.",
    )
    add_config_argument(parser)
    parser.add_argument("text", metavar="TEXT", help="what to say")
    parser.add_argument(
        "-o", "--output", metavar="OUT.wav", required=True, help="WAV file to write"
    )
    parser.add_argument("--voice", metavar="NAME_OR_FILE", help="piper voice (HARK_TTS_VOICE)")
    parser.add_argument("--speaker", type=int, help="speaker id (HARK_TTS_SPEAKER)")
    parser.add_argument(
        "--length-scale", type=float, help="speaking rate, <1 faster (HARK_TTS_LENGTH_SCALE)"
    )
    parser.add_argument("--rate", type=int, metavar="HZ", help="resample the output to HZ")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from hark.models.errors import ModelNotFound
    from hark.voice.audio.resample import resample
    from hark.voice.audio.wav import write_wav
    from hark.voice.errors import AudioFormatError
    from hark.voice.tts.piper import PiperSynthesizer

    if not args.text.strip():
        fail("nothing to say: TEXT is empty")
    if args.rate is not None and not 8000 <= args.rate <= 192000:
        fail("--rate must be between 8000 and 192000 Hz")
    settings = settings_from_args(
        args, tts_voice=args.voice, tts_speaker=args.speaker, tts_length_scale=args.length_scale
    )
    try:
        engine = PiperSynthesizer.from_settings(settings)
    except (ModelNotFound, ValueError) as exc:
        fail(str(exc))
    chunks = list(engine.synthesize(args.text))
    if not chunks:
        fail("nothing to say: TEXT has no words")
    audio = np.concatenate(chunks)
    rate = engine.sample_rate
    try:
        if args.rate and args.rate != rate:
            audio, rate = resample(audio, rate, args.rate), args.rate
        write_wav(args.output, audio, rate)
    except AudioFormatError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {args.output}: {exc.strerror or exc}")
    print(
        f"wrote {args.output}: {len(audio) / rate:.2f} s at {rate} Hz, {len(chunks)} sentence(s)",
        file=sys.stderr,
    )
    return 0
