"""Voice out of the box: ``hark serve`` fetches missing default models in the background.

The model hub is the fake one on loopback (``tests/fakehub.py``, a test
double at the hub's HTTP interface) serving the suite's tiny models under
the default names; the downloaded files are loaded by the real engines.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fakehub import FakeHub
from voice_client import VoiceClient

from hark.server.model_setup import missing_models, start_model_downloads
from hark.server.services import build_services


@pytest.fixture
def hub(tiny_whisper_dir: Path, tiny_piper_voice: Path) -> Iterator[FakeHub]:
    fake = FakeHub.with_tiny_models(tiny_whisper_dir, tiny_piper_voice)
    yield fake
    fake.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


async def test_serve_downloads_missing_models_while_text_works(
    hub: FakeHub, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HARK_")},
        "HARK_PORT": str(port),
        "HARK_DATA_DIR": str(tmp_path / "data"),
        "HARK_LOG_FORMAT": "json",
        "HARK_HF_ENDPOINT": hub.url,
    }
    hub.lfs_gate.clear()  # hold model.bin back: the download is caught half-way
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hark.server.cli", "serve"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        ready = _wait(
            lambda: (r := _readyz(url)) and "download" in r["engines"]["asr"] and r,
            90,
            "/readyz to show the download",
            proc,
        )
        asr = ready["engines"]["asr"]
        assert not asr["loaded"] and asr["download"]["state"] in ("queued", "downloading")
        assert asr["download"]["model"] == "tiny.en"
        assert ready["engines"]["tts"]["download"]["model"] == "en_US-lessac-medium"
        # Text works meanwhile.
        started = httpx.post(f"{url}/v1/conversations", json={"channel": "kiosk"}).json()
        turn = httpx.post(
            f"{url}/v1/conversations/{started['conversation_id']}/turns",
            json={"text": "do you sell travel mugs"},
        )
        assert turn.status_code == 200 and turn.json()["cards"]

        hub.lfs_gate.set()
        ready = _wait(
            lambda: (
                (r := _readyz(url))
                and r["engines"]["asr"]["loaded"]
                and r["engines"]["tts"]["loaded"]
                and r
            ),
            60,
            "both engines to load",
            proc,
        )
        assert "download" not in ready["engines"]["asr"]
        # A voice session started now has both engines: no *_unavailable error, real audio.
        async with VoiceClient.connect(f"ws://127.0.0.1:{port}/v1/voice") as client:
            await client.start(sample_rate=16000)
            await client.wait_for("audio_end", timeout=20)
            assert "error" not in client.types()
            assert client.audio_bytes() > 0
    finally:
        hub.lfs_gate.set()
        proc.terminate()
        proc.wait(timeout=20)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    messages = [line["msg"] for line in lines]
    assert any(m.startswith("downloading speech model tiny.en") for m in messages)
    assert any(m.startswith("downloading tiny.en/model.bin: ") for m in messages)
    assert "speech model en_US-lessac-medium downloaded and loaded" in messages
    assert (tmp_path / "data" / "models" / "whisper" / "tiny.en" / "model.bin").is_file()
    assert "Traceback" not in log_path.read_text()


def test_unreachable_hub_says_in_one_line_how_to_get_the_models(
    settings, db, dialogue, caplog: pytest.LogCaptureFixture
) -> None:
    services = build_services(settings, db=db, dialogue=dialogue)  # default names, no files
    assert services.transcriber is None and services.synthesizer is None
    with caplog.at_level(logging.WARNING, logger="hark.models"):
        fetcher = start_model_downloads(services, endpoint="http://127.0.0.1:9")
        assert fetcher is not None and fetcher.wait(30)
    for kind, flag, name in (
        ("asr", "--asr", "tiny.en"),
        ("tts", "--voice", "en_US-lessac-medium"),
    ):
        status = services.engines[kind]
        assert not status.loaded and status.download["state"] == "failed"
        assert f"hark models download {flag} {name}" in status.detail
        assert "\n" not in status.detail
    warnings = [r.getMessage() for r in caplog.records if r.name == "hark.models"]
    assert len(warnings) == 2 and all("could not download" in w for w in warnings)
    # The brain still answers.
    conversation_id, _ = dialogue.start_conversation("kiosk")
    assert dialogue.turn(conversation_id, "do you sell kettles").text


def test_auto_download_can_be_turned_off_and_paths_are_never_fetched(
    settings, db, dialogue, tmp_path: Path
) -> None:
    off = settings.model_copy(update={"models_auto_download": False})
    services = build_services(off, db=db, dialogue=dialogue)
    assert start_model_downloads(services, endpoint="http://127.0.0.1:9") is None
    by_path = settings.model_copy(
        update={"asr_model": str(tmp_path / "no-such-model"), "tts_voice": "voices/x.onnx"}
    )
    services = build_services(by_path, db=db, dialogue=dialogue)
    assert missing_models(services) == []
    assert start_model_downloads(services, endpoint="http://127.0.0.1:9") is None
