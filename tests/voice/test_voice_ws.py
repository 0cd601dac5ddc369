"""Protocol v1 at ``/v1/voice``: every bad input, missing engines, and the real engines.

Real server on loopback, real ``websockets`` client. The last test runs the
REAL faster-whisper engine on the tiny random-weight Whisper folder and the
REAL piper engine on the tiny voice (``tests/fixtures_voice.py``): their
words are meaningless, so it checks that the events and audio flow.
"""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech
from voice_client import VoiceClient

from hark.server.app import create_app
from hark.server.services import build_services
from hark.store.models import Conversation
from hark.voice.turn.session import VoiceOptions

QUIET = VoiceOptions(partial_interval_s=None)


def url_of(live_server, app) -> str:
    app.state.voice_options = QUIET
    return f"{live_server(app).ws_url}/v1/voice"


async def next_error(client: VoiceClient, mark: int) -> dict:
    return (await client.wait_for("error", since=mark)).event or {}


async def test_every_protocol_error_keeps_the_connection_usable(make_app, live_server, db) -> None:
    app = make_app(
        transcriber=ScriptedTranscriber(["hello"]),
        synthesizer=ToneSynthesizer(seconds_per_word=0.01),
    )
    async with VoiceClient.connect(url_of(live_server, app)) as client:

        async def expect(payload: str | bytes, code: str) -> dict:
            mark = client.mark()
            await client.ws.send(payload)
            error = await next_error(client, mark)
            assert error["code"] == code, error
            assert error["message"] and set(error) == {"type", "code", "message"}
            return error

        await expect("this is not json", "bad_json")
        await expect("[1, 2]", "bad_json")
        await expect(json.dumps({"type": "dance"}), "unknown_type")
        await expect(json.dumps({"sample_rate": 16000}), "unknown_type")
        await expect(b"\x00\x01" * 160, "not_started")
        await expect(json.dumps({"type": "text", "text": "hi"}), "not_started")
        await expect(json.dumps({"type": "start", "encoding": "pcm_s16le"}), "bad_message")
        bad_rate = await expect(
            json.dumps({"type": "start", "sample_rate": 44100, "encoding": "pcm_s16le"}),
            "unsupported_sample_rate",
        )
        assert "16000" in bad_rate["message"]
        bad_encoding = await expect(
            json.dumps({"type": "start", "sample_rate": 16000, "encoding": "opus"}),
            "unsupported_encoding",
        )
        assert "mulaw" in bad_encoding["message"]
        await expect(
            json.dumps({"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le",
                        "customer_id": "NOBODY"}),
            "unknown_customer",
        )  # fmt: skip
        ready = await client.start(16000, customer_id="C001")  # still usable after all that
        assert (await client.wait_for("reply")).event["text"].startswith("Hi Maria")
        await expect(
            json.dumps({"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le"}),
            "already_started",
        )
        await expect(b"\x00" * (64 * 1024 + 2), "frame_too_large")
        await expect(
            json.dumps({"type": "text", "text": "x" * (64 * 1024 + 10)}), "frame_too_large"
        )
        await expect(json.dumps({"type": "text", "text": ""}), "bad_message")
        await expect(json.dumps({"type": "text"}), "bad_message")
        mark = client.mark()
        await client.send_json({"type": "text", "text": "where is my order"})
        assert (await client.wait_for("reply", since=mark)).event["text"]
        await client.wait_for("turn_metrics", since=mark)
        await client.send_json({"type": "stop"})
        assert await client.wait_closed() == 1000
    with db.session() as session:
        assert session.get(Conversation, ready["session_id"]).ended_at is not None


async def test_odd_sized_pcm_frames_are_reassembled(make_app, live_server) -> None:
    """A PCM16 stream split at odd byte offsets must not shift every later sample."""
    app = make_app(transcriber=ScriptedTranscriber(["do you have headphones"]), synthesizer=None)
    async with VoiceClient.connect(url_of(live_server, app)) as client:
        await client.start(16000)
        await client.wait_for("reply")
        speech = espeak_speech("Do you have headphones?", 16000)
        audio = np.concatenate([np.zeros(4800, np.int16), speech, np.zeros(16000, np.int16)])
        raw = audio.tobytes()
        mark = client.mark()
        for offset in range(0, len(raw), 641):  # odd-sized frames
            await client.ws.send(raw[offset : offset + 641])
        transcript = await client.wait_for("transcript", since=mark)
        assert transcript.event["text"] == "do you have headphones"
        assert "error" not in client.types(mark)


async def test_missing_models_leave_text_working(settings, db, dialogue, live_server) -> None:
    """No model on disk: the server starts, audio gets ``asr_unavailable``, text still works."""
    services = build_services(settings, db=db, dialogue=dialogue)  # the real loading path
    assert not services.engines["asr"].loaded and not services.engines["tts"].loaded
    app = create_app(settings, services)
    async with VoiceClient.connect(url_of(live_server, app)) as client:
        await client.start(16000)
        notice = (await client.wait_for("error")).event
        assert notice["code"] == "tts_unavailable" and "hark models download" in notice["message"]
        greeting = await client.wait_for("reply")
        assert "automated assistant" in greeting.event["text"]
        mark = client.mark()
        for _ in range(3):
            await client.ws.send(b"\x00\x00" * 320)
        error = await next_error(client, mark)
        assert error["code"] == "asr_unavailable" and "hark models download" in error["message"]
        await client.send_json({"type": "text", "text": "do you have headphones"})
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
        assert metrics["first_audio_ms"] is None and metrics["total_ms"] >= 0
        types = client.types(mark, audio=True)
        assert types.count("error") == 1  # said once, not per frame
        assert "audio_start" not in types and "<audio>" not in types and "reply" in types


async def test_real_whisper_and_piper_engines_end_to_end(
    make_app, live_server, voice_settings
) -> None:
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.tts.piper import PiperSynthesizer

    app = make_app(
        voice_settings,
        transcriber=WhisperTranscriber.from_settings(voice_settings, max_new_tokens=8),
        synthesizer=PiperSynthesizer.from_settings(voice_settings),
    )
    async with VoiceClient.connect(url_of(live_server, app)) as client:
        await client.start(24000)
        await client.wait_for("audio_end")
        greeting_audio = client.audio_bytes()
        assert greeting_audio > 0 and greeting_audio % 2 == 0
        await asyncio.sleep(0.4)
        speech = espeak_speech("Do you have running shoes?", 24000)
        audio = np.concatenate([np.zeros(7200, np.int16), speech, np.zeros(24000, np.int16)])
        mark = client.mark()
        await client.stream(audio, 24000, speed=4)
        metrics = (await client.wait_for("turn_metrics", since=mark, timeout=30)).event
        await client.wait_for("audio_end", since=mark)
        types = client.types(mark, audio=True)
        assert types[:3] == ["speech_started", "speech_stopped", "transcript"]
        transcript = (await client.wait_for("transcript", since=mark)).event
        assert transcript["final"] is True and isinstance(transcript["text"], str)
        # Random weights: the words are meaningless (but never empty), the events must flow.
        assert transcript["text"].strip()
        assert types[3:7] == ["reply", "audio_start", "<audio>", "turn_metrics"]
        assert types[-1] == "audio_end"
        assert metrics["first_audio_ms"] > 0 and metrics["asr_ms"] >= 0


@pytest.mark.parametrize("rate", [8000, 48000])
async def test_reply_audio_is_at_the_client_rate(make_app, live_server, rate: int) -> None:
    synth = ToneSynthesizer(sample_rate=22050, seconds_per_word=0.05)
    app = make_app(transcriber=None, synthesizer=synth)
    async with VoiceClient.connect(url_of(live_server, app)) as client:
        await client.start(rate)
        start = (await client.wait_for("audio_start")).event
        await client.wait_for("audio_end")
        reply = (await client.wait_for("reply")).event["text"]
    from hark.voice.tts.chunking import split_sentences

    seconds = sum(max(1, len(s.split())) * 0.05 for s in split_sentences(reply))
    assert start["sample_rate"] == rate
    assert client.audio_bytes() / 2 == pytest.approx(seconds * rate, rel=0.01)
