"""The spoken regression suite: 44 caller lines said by a real voice, heard by real Whisper.

Each line of ``tests/data/spoken_callers.jsonl`` (two shops built here, a
cookware shop and a hardware store, see ``tests/caller_shops.py``) is spoken
by piper ``en_US-joe-medium``, streamed in real time over ``/v1/voice`` to a
real uvicorn server on loopback whose ASR is faster-whisper with the real
Whisper base model (loaded by the server's own engine path, with the shop's
names as hotwords), and the reply is checked. Two conversations stream at a
time. The real models come from ``tools/fetch_real_models.py`` (PyPI wheels,
cached); the server's own speech synthesis is the tiny test voice, since only
the reply text is checked.

Figures (task success, word error rate): ``bench/spoken_callers.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import DEV_SHOPS
from shopbuilder import open_shop
from spoken_callers import Heard, Speaker, load_lines, speak_all
from support.live_server import LiveServer
from support.real_models import real_model_paths

from hark.runtime.settings import load_settings
from hark.server.app import create_app
from hark.server.services import build_services
from hark.voice.turn.session import VoiceOptions

pytestmark = pytest.mark.real_models

LINES = load_lines()
PARALLEL = 2


@pytest.fixture(scope="module")
def heard(
    tmp_path_factory: pytest.TempPathFactory, tiny_piper_voice: Path
) -> Iterator[dict[str, Heard]]:
    paths = real_model_paths()
    speaker = Speaker(paths["piper_voice"])
    audio = {line.id: speaker.say(line.text) for line in LINES}
    results: dict[str, Heard] = {}
    for shop_name, shop in DEV_SHOPS.items():
        root = tmp_path_factory.mktemp(f"spoken-{shop_name}")
        settings = load_settings(
            data_dir=root / "data",
            today="2026-11-24",
            asr_model=paths["whisper_base"],
            tts_voice=str(tiny_piper_voice),
            log_format="json",
        )
        db = open_shop(settings.effective_database_url, root / "shop", shop)
        try:
            services = build_services(settings, db=db)
            assert services.transcriber is not None, services.engines["asr"].detail
            app = create_app(settings, services)
            app.state.voice_options = VoiceOptions(partial_interval_s=None)
            server = LiveServer(app).start()
            try:
                lines = [line for line in LINES if line.shop == shop_name]
                url = f"{server.ws_url}/v1/voice"
                for h in asyncio.run(speak_all(url, lines, audio, PARALLEL)):
                    results[h.line.id] = h
            finally:
                server.stop()
        finally:
            db.dispose()
    yield results


def test_the_suite_has_enough_lines_on_two_shops() -> None:
    assert len(LINES) >= 40 and len({line.shop for line in LINES}) >= 2


@pytest.mark.parametrize("line_id", [line.id for line in LINES])
def test_spoken_line_gets_the_right_reply(heard: dict[str, Heard], line_id: str) -> None:
    h = heard[line_id]
    assert h.ok, f"{h.line.text!r} heard as {h.transcript!r}: {h.wrong}; reply {h.reply!r}"
