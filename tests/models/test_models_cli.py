"""``hark models download|list``, ``hark transcribe`` and ``hark say``.

Downloads run against a fake Hugging Face hub on loopback (this machine has
no internet, and tests must not download anyway): it serves the tiny test
models under the real repository paths, with LFS-style redirects and
``X-Linked-Etag`` checksums, so the downloaded files are then loaded by the
real engines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fakehub import PIPER_BASE, WHISPER_BASE, FakeHub
from fixtures_voice import espeak_speech

from hark.cli.main import main
from hark.models.files import list_models
from hark.models.hub import (
    DownloadError,
    download_piper_voice,
    download_whisper,
    piper_repo_path,
    whisper_repo,
)
from hark.voice.asr.whisper import WhisperTranscriber
from hark.voice.audio.wav import read_wav, write_wav
from hark.voice.tts.piper import PiperSynthesizer


@pytest.fixture
def hub(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeHub]:
    fake = FakeHub.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".part"
    )


# --------------------------------------------------------------------------- download
def test_cli_download_then_engines_load_the_files(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    code = main(["models", "download", "--asr", "base", "--voice", "en_US-joe-medium",
                 "--models-dir", str(models), "--endpoint", hub.url])  # fmt: skip
    assert code == 0
    out = capsys.readouterr()
    assert "Whisper model base" in out.out and "piper voice en_US-joe-medium" in out.out
    assert "model.bin" in out.err  # the progress bar names each file
    for name in ("config.json", "model.bin", "tokenizer.json", "vocabulary.json"):
        assert (models / "whisper" / "base" / name).read_bytes() == hub.files[WHISPER_BASE + name]
    assert not (models / "whisper" / "base" / "vocabulary.txt").exists()  # 404 was fine
    assert leftovers(models) == []
    assert WHISPER_BASE + "preprocessor_config.json" in hub.requests  # optional file was tried
    assert any(r.startswith("/cdn/") for r in hub.requests)  # LFS redirect followed
    # The downloaded models are the real thing for the engines.
    WhisperTranscriber("base", models_dir=models, max_new_tokens=4)
    assert PiperSynthesizer("en_US-joe-medium", models_dir=models).sample_rate == 16000

    hub.requests.clear()  # a second run finds everything present and fetches nothing
    assert main(["models", "download", "--asr", "base", "--models-dir", str(models),
                 "--endpoint", hub.url]) == 0  # fmt: skip
    assert hub.requests == []


def test_cli_list_shows_models_with_sizes(hub: FakeHub, tmp_path: Path, capsys) -> None:
    models = tmp_path / "models"
    assert main(["models", "list", "--models-dir", str(models)]) == 0
    assert "no models" in capsys.readouterr().err
    download_whisper("base", models, endpoint=hub.url, progress=False)
    download_piper_voice("en_US-joe-medium", models, endpoint=hub.url, progress=False)
    (models / "whisper" / "broken").mkdir()
    assert main(["models", "list", "--models-dir", str(models)]) == 0
    table = capsys.readouterr().out
    assert "asr" in table and "base" in table and ("KiB" in table or "MiB" in table)
    assert "missing config.json" in table
    assert main(["models", "list", "--models-dir", str(models), "--json"]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    whisper_size = sum(len(hub.files[WHISPER_BASE + n]) for n in
                       ("config.json", "model.bin", "tokenizer.json", "vocabulary.json"))  # fmt: skip
    assert listed["base"]["size_bytes"] == whisper_size and listed["base"]["complete"]
    assert listed["en_US-joe-medium"]["kind"] == "voice"
    assert listed["broken"]["complete"] is False
    assert [m.name for m in list_models(models)] == ["base", "broken", "en_US-joe-medium"]


def test_download_uses_configured_names_and_env_endpoint(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HARK_ASR_MODEL", "base")
    monkeypatch.setenv("HARK_TTS_VOICE", "en_US-joe-medium")
    monkeypatch.setenv("HARK_HF_ENDPOINT", hub.url)
    assert main(["models", "download", "--no-progress"]) == 0
    assert (tmp_path / "data" / "models" / "whisper" / "base" / "model.bin").is_file()
    assert (tmp_path / "data" / "models" / "piper" / "en_US-joe-medium.onnx.json").is_file()


@pytest.mark.parametrize("fault", ["truncate", "wrong_sha"])
def test_a_broken_download_leaves_nothing_behind(hub: FakeHub, tmp_path: Path, fault: str) -> None:
    getattr(hub, fault).add(WHISPER_BASE + "model.bin")
    getattr(hub, fault).add(PIPER_BASE + "en_US-joe-medium.onnx")
    with pytest.raises(DownloadError, match="cut short|checksum|cannot download"):
        download_whisper("base", tmp_path, endpoint=hub.url, progress=False)
    with pytest.raises(DownloadError):
        download_piper_voice("en_US-joe-medium", tmp_path, endpoint=hub.url, progress=False)
    assert not (tmp_path / "whisper" / "base").exists()
    assert not (tmp_path / "piper" / "en_US-joe-medium.onnx").exists()
    assert not (tmp_path / "piper" / "en_US-joe-medium.onnx.json").exists()
    assert leftovers(tmp_path) == []


def test_unknown_model_and_unreachable_hub_give_one_line_errors(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["models", "download", "--asr", "huge.en", "--models-dir", str(tmp_path),
              "--endpoint", hub.url, "--no-progress"])  # fmt: skip
    assert caught.value.code == 1
    err = capsys.readouterr().err.strip()
    assert (
        err.count("\n") == 0 and "not found on the hub" in err and "faster-whisper-huge.en" in err
    )
    assert not (tmp_path / "whisper" / "huge.en").exists() and leftovers(tmp_path) == []

    hub.close()  # nothing listens there any more
    with pytest.raises(SystemExit) as caught:
        main(["models", "download", "--voice", "en_US-joe-medium", "--models-dir",
              str(tmp_path), "--endpoint", hub.url, "--no-progress"])  # fmt: skip
    assert caught.value.code == 1
    assert "cannot download" in capsys.readouterr().err


def test_name_validation_and_repo_layout() -> None:
    assert piper_repo_path("en_US-joe-medium") == "en/en_US/joe/medium/en_US-joe-medium.onnx"
    assert piper_repo_path("de_DE-thorsten_emotional-x_low").startswith(
        "de/de_DE/thorsten_emotional/x_low/"
    )
    assert whisper_repo("base.en") == ("base.en", "Systran/faster-whisper-base.en")
    assert whisper_repo("distil-large-v3")[1] == "Systran/faster-distil-whisper-large-v3"
    assert whisper_repo("someone/custom-model") == ("custom-model", "someone/custom-model")
    for bad in ("../etc", "en_US-joe", "en_US-joe-ultra", "x/../y"):
        with pytest.raises(DownloadError):
            piper_repo_path(bad) if "joe" in bad else whisper_repo(bad)


# --------------------------------------------------------------------------- transcribe / say
@pytest.fixture(scope="module")
def odd_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Speech as a 44.1 kHz, stereo, 24-bit WAV (converted by sox)."""
    folder = tmp_path_factory.mktemp("wav")
    plain = folder / "speech16k.wav"
    write_wav(plain, espeak_speech("Where is my order?", 16000), 16000)
    odd = folder / "speech.wav"
    subprocess.run([shutil.which("sox") or "sox", str(plain), "-r", "44100", "-c", "2", "-b", "24",
                    str(odd)], check=True, capture_output=True)  # fmt: skip
    return odd


def test_transcribe_any_wav_prints_text_and_json(
    odd_wav: Path, tiny_whisper_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(odd_wav), "--model", str(tiny_whisper_dir)]) == 0
    text = capsys.readouterr().out.strip()
    assert text
    assert main(["transcribe", str(odd_wav), "--model", str(tiny_whisper_dir), "--json",
                 "--vocabulary", "Aurora Desk Lamp; Trail Runner"]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["text"] and report["language"] == "en"
    assert report["source"] == {"sample_rate": 44100, "channels": 2, "bits_per_sample": 24}
    assert report["duration_s"] == pytest.approx(read_wav(odd_wav).duration_s, abs=0.01)
    assert report["segments"][0]["text"]


def test_transcribe_without_model_or_with_bad_file_fails_in_one_line(
    odd_wav: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("HARK_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as caught:
        main(["transcribe", str(odd_wav), "--model", "small.en"])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "hark models download --asr small.en" in err
    assert str(tmp_path / "models" / "whisper" / "small.en") in err
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(SystemExit):
        main(["transcribe", str(tmp_path / "notes.wav")])
    assert "not a WAV file" in capsys.readouterr().err


def test_say_writes_a_wav(tiny_piper_voice: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.wav"
    assert main(["say", "Hello there. Your lamp ships today.", "-o", str(out),
                 "--voice", str(tiny_piper_voice)]) == 0  # fmt: skip
    wav = read_wav(out)
    assert wav.sample_rate == 16000 and wav.duration_s > 0.1
    assert "2 sentence(s)" in capsys.readouterr().err
    assert main(["say", "Hello.", "-o", str(out), "--voice", str(tiny_piper_voice),
                 "--rate", "8000", "--length-scale", "2"]) == 0  # fmt: skip
    slow = read_wav(out)
    assert slow.sample_rate == 8000 and np.abs(slow.samples).max() > 10000


def test_say_without_voice_fails_in_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HARK_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as caught:
        main(["say", "Hi", "-o", str(tmp_path / "x.wav")])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "hark models download --voice en_US-joe-medium" in err
    assert not (tmp_path / "x.wav").exists()
