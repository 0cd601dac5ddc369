"""``hark transcribe FILE.wav``: run the configured speech recogniser on a recording."""

from __future__ import annotations

import argparse
import json

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe a WAV file",
        description="Transcribe a WAV file (any rate, bit depth or channel count; resampled to "
        "16 kHz mono) with faster-whisper and print the text.",
    )
    add_config_argument(parser)
    parser.add_argument("file", metavar="FILE.wav", help="the recording")
    parser.add_argument("--model", metavar="NAME_OR_DIR", help="Whisper model (HARK_ASR_MODEL)")
    parser.add_argument("--language", help="language code (HARK_ASR_LANGUAGE)")
    parser.add_argument("--beam-size", type=int, help="beam size (HARK_ASR_BEAM_SIZE)")
    parser.add_argument(
        "--vocabulary",
        metavar="NAMES",
        help="names to favour, separated by ';' (e.g. product names)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print text, timings and segments as JSON"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hark.models.errors import ModelNotFound
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.audio.codecs import int16_to_float32
    from hark.voice.audio.resample import resample
    from hark.voice.audio.wav import read_wav
    from hark.voice.errors import AudioFormatError

    settings = settings_from_args(
        args, asr_model=args.model, asr_language=args.language, asr_beam_size=args.beam_size
    )
    try:
        wav = read_wav(args.file)
    except AudioFormatError as exc:
        fail(str(exc))
    vocabulary = [n for n in (args.vocabulary or "").split(";") if n.strip()]
    try:
        engine = WhisperTranscriber.from_settings(settings, vocabulary=vocabulary)
    except ModelNotFound as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    audio = int16_to_float32(resample(wav.samples, wav.sample_rate, 16000))
    result = engine.transcribe(audio)
    if args.json:
        print(
            json.dumps(
                {
                    "text": result.text,
                    "language": result.language,
                    "duration_s": round(result.duration_s, 3),
                    "elapsed_s": round(result.elapsed_s, 3),
                    "model": engine.name,
                    "source": {
                        "sample_rate": wav.sample_rate,
                        "channels": wav.channels,
                        "bits_per_sample": wav.bits_per_sample,
                    },
                    "segments": [
                        {"start_s": s.start_s, "end_s": s.end_s, "text": s.text}
                        for s in result.segments
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.text)
    return 0
