"""Build the benchmark models offline: real-size Whisper folders and a real-size piper voice.

Run: ``.venv/bin/python bench/build_models.py [--force]`` (about 20 s; cached
in ``data/bench-models/``, so later runs only print the table).

Nothing is downloaded. The weights are random, so the models say nothing
meaningful, but their *compute* is a real model's, which is what a latency
benchmark needs:

* Whisper ``tiny.en`` (width 384, 4+4 layers, 6 heads) and ``base.en`` (512,
  6+6, 8 heads), vocabulary 51864, int8, built with the test suite's
  ``tests/modelfactory.py``. End-of-text is suppressed, so every call
  decodes up to the ``max_new_tokens`` budget the benchmark sets.
* A piper voice the size of ``en_US-lessac-medium`` (22.05 kHz; VITS with
  192 hidden channels, 6 encoder layers, a 256-channel HiFi-GAN decoder with
  upsampling 8x8x4), built from piper's own training code
  (``piper.train.vits.models.SynthesizerTrn``) and exported to ONNX the way
  ``piper.train.export_onnx`` does. Random durations would make random
  amounts of audio, so the duration predictor's output is pinned to a
  speaking rate near a real voice's (pads 1 frame, phonemes 4 frames); the
  predictor itself still runs. Needs torch (bench only, never a runtime
  dependency): ``.venv/bin/pip install torch==2.13.0`` takes the CPU wheel
  in ``/opt/wheels``; without torch the tiny test voice is built instead.
  The spoken-conversation benchmarks (``voice_latency.py``,
  ``voice_capacity.py``) no longer need it: they speak with the real
  ``en_US-joe-medium`` voice from ``tools/fetch_real_models.py``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
import harness  # noqa: E402, F401  (first: the suite's helpers become importable)

# isort: split

OUT = REPO / "data" / "bench-models"
WHISPER_NAMES = ("tiny.en", "base.en")
PIPER_VOICE = "en_US-random-medium"
# Output frames (256 samples at 22.05 kHz, 11.6 ms) per phoneme id, before ``ceil``:
# pads 1 frame, phonemes 4 (~58 ms), about 2.5 frames per id on average.
PAD_FRAMES = 0.9
PHONEME_FRAMES = 3.9


@dataclass(frozen=True)
class BenchModels:
    """Where the built models are, and whether the piper voice is real-size."""

    whisper: dict[str, Path]
    piper_voice: Path
    piper_real_size: bool
    piper_note: str


def whisper_dir(name: str) -> Path:
    return OUT / "whisper" / f"{name}-random"


def build_whisper_models(force: bool = False) -> dict[str, Path]:
    """Real-size random Whisper folders (tiny.en, base.en); cached unless ``force``."""
    from modelfactory import WHISPER_SIZES, build_whisper

    folders: dict[str, Path] = {}
    for name in WHISPER_NAMES:
        folder = whisper_dir(name)
        if force or not (folder / "model.bin").exists():
            size = WHISPER_SIZES[name]
            build_whisper(
                folder, d=size["d"], layers=size["layers"], heads=size["heads"], vocab=size["vocab"]
            )
        folders[name] = folder
    return folders


def build_real_size_piper(path: Path) -> Path:
    """Export a random-weight VITS at ``en_US-lessac-medium``'s size to ``path`` (+ ``.json``)."""
    import torch
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP
    from piper.train.vits.config import ModelAudioConfig
    from piper.train.vits.models import SynthesizerTrn

    torch.manual_seed(1234)
    audio = ModelAudioConfig.low_quality()  # "medium" voices use this decoder at 22.05 kHz
    model = SynthesizerTrn(
        n_vocab=256,
        spec_channels=1024 // 2 + 1,
        segment_size=8192 // 256,
        inter_channels=192,
        hidden_channels=192,
        filter_channels=768,
        n_heads=2,
        n_layers=6,
        kernel_size=3,
        p_dropout=0.1,
        resblock=audio.resblock,
        resblock_kernel_sizes=audio.resblock_kernel_sizes,
        resblock_dilation_sizes=audio.resblock_dilation_sizes,
        upsample_rates=audio.upsample_rates,
        upsample_initial_channel=audio.upsample_initial_channel,
        upsample_kernel_sizes=audio.upsample_kernel_sizes,
        n_speakers=1,
        gin_channels=0,
        use_sdp=True,
    )
    model.eval()
    with torch.no_grad():
        model.dec.remove_weight_norm()

    predict_durations = model.dp.forward

    def pinned_durations(*args: object, **kwargs: object) -> torch.Tensor:
        # The predictor runs (its compute stays in the graph); its random output is
        # replaced by real-voice-like durations: piper puts a pad id between phonemes,
        # which a trained voice makes short, so ids alternate PAD_FRAMES / PHONEME_FRAMES.
        log_w = predict_durations(*args, **kwargs)
        position = torch.arange(log_w.shape[-1], device=log_w.device)
        frames = torch.where(position % 2 == 1, PAD_FRAMES, PHONEME_FRAMES)
        return log_w * 0.0 + torch.log(frames.to(log_w.dtype))

    model.dp.forward = pinned_durations  # type: ignore[method-assign]

    def infer(text: torch.Tensor, lengths: torch.Tensor, scales: torch.Tensor, sid=None):
        return model.infer(
            text,
            lengths,
            noise_scale=scales[0],
            length_scale=scales[1],
            noise_scale_w=scales[2],
            sid=sid,
        )[0].unsqueeze(1)

    model.forward = infer  # type: ignore[method-assign]
    ids = torch.randint(0, 256, (1, 50), dtype=torch.long)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (ids, torch.LongTensor([50]), torch.FloatTensor([0.667, 1.0, 0.8]), None),
        str(path),
        opset_version=15,
        dynamo=False,
        input_names=["input", "input_lengths", "scales", "sid"],
        output_names=["output"],
        dynamic_axes={
            "input": {0: "batch_size", 1: "phonemes"},
            "input_lengths": {0: "batch_size"},
            "output": {0: "batch_size", 2: "time"},
        },
    )
    config = {
        "audio": {"sample_rate": 22050, "quality": "medium"},
        "espeak": {"voice": "en-us"},
        "phoneme_type": "espeak",
        "num_symbols": 256,
        "num_speakers": 1,
        "speaker_id_map": {},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "piper_version": "1.0.0",
        "language": {"code": "en_US"},
    }
    Path(f"{path}.json").write_text(json.dumps(config), encoding="utf-8")
    return path


def build_piper(force: bool = False) -> tuple[Path, bool, str]:
    """The real-size voice if torch is there, else the tiny test voice (and a note saying so)."""
    path = OUT / "piper" / f"{PIPER_VOICE}.onnx"
    if not force and path.exists() and Path(f"{path}.json").exists():
        return path, True, "random-weight VITS at en_US-lessac-medium size (piper.train.vits)"
    try:
        import torch  # noqa: F401
    except ImportError:
        from modelfactory import build_piper_voice

        tiny = build_piper_voice(OUT / "piper" / "en_US-tiny-test.onnx", sample_rate=22050)
        return tiny, False, "TINY test voice (torch missing: pip install torch==2.13.0)"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_real_size_piper(path)
    return path, True, "random-weight VITS at en_US-lessac-medium size (piper.train.vits)"


def ensure_models(force: bool = False) -> BenchModels:
    """Build what is missing (or everything with ``force``) and say where it is."""
    whisper = build_whisper_models(force)
    voice, real, note = build_piper(force)
    return BenchModels(whisper, voice, real, note)


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    started = time.perf_counter()
    models = ensure_models(args.force)
    elapsed = time.perf_counter() - started
    print(
        f"bench models in {OUT} ({elapsed:.1f} s); RANDOM WEIGHTS at real sizes, words are meaningless"
    )
    print(f"{'model':<26} {'size MB':>8}  notes")
    for name, folder in models.whisper.items():
        print(
            f"{'whisper ' + name:<26} {_size_mb(folder):>8.1f}  random weights, real {name} dimensions"
        )
    print(
        f"{'piper ' + models.piper_voice.stem:<26} {_size_mb(models.piper_voice):>8.1f}  {models.piper_note}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
