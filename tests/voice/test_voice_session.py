"""Voice turns end to end over a real WebSocket: speech in, events and audio out.

A real uvicorn server on loopback runs the real ``VoiceSession``, endpointer
and ``DialogueManager``; the caller is a real ``websockets`` client streaming
espeak-ng speech. Recognition is a TEST DOUBLE (``ScriptedTranscriber``)
because a known transcript is needed, and speech synthesis the TEST DOUBLE
``ToneSynthesizer`` where predictable audio lengths are needed (barge-in).
Audio streams faster than real time wherever timing is not what is tested.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import numpy as np
import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import select
from voice_client import VoiceClient

from hark.server.routes_voice import active_sessions
from hark.store.models import Conversation, Turn
from hark.voice.turn.session import VoiceOptions

QUIET = VoiceOptions(partial_interval_s=None)


def utterance(text: str, rate: int, *, lead_s: float = 0.3, tail_s: float = 0.7) -> np.ndarray:
    """Silence, espeak-ng speech, silence (long enough for the 300 ms hangover)."""
    speech = espeak_speech(text, rate)
    return np.concatenate(
        [np.zeros(int(lead_s * rate), np.int16), speech, np.zeros(int(tail_s * rate), np.int16)]
    )


@pytest.fixture
def serve(make_app, live_server):
    """``serve(transcriber=..., synthesizer=..., options=...) -> (app, ws_url)``."""

    def start(*, transcriber=None, synthesizer=None, options: VoiceOptions = QUIET):
        app = make_app(transcriber=transcriber, synthesizer=synthesizer)
        app.state.voice_options = options
        server = live_server(app)
        return app, f"{server.ws_url}/v1/voice"

    return start


async def greeted(client: VoiceClient, rate: int = 16000, encoding: str = "pcm_s16le") -> None:
    """Start and let the greeting finish playing (so speech is not a barge-in)."""
    await client.start(rate, encoding)
    await client.wait_for("audio_end")
    await asyncio.sleep(0.45)  # the client's buffer (lead 0.3 s) plays out


def stored_turns(db, conversation_id: str) -> list[Turn]:
    with db.session() as session:
        rows = session.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.seq)
        )
        return [
            Turn(seq=t.seq, role=t.role, text=t.text, interrupted=t.interrupted, metrics=t.metrics)
            for t in rows
        ]


async def test_spoken_turn_happy_path(serve, db) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["do you have running shoes"]))
    app, url = serve(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    async with VoiceClient.connect(url) as client:
        ready = await client.start(16000)
        assert ready["output_sample_rate"] == 16000 and ready["output_encoding"] == "pcm_s16le"
        greeting = (await client.wait_for("reply")).event
        assert "automated assistant" in greeting["text"]
        await client.wait_for("<audio>")
        assert client.types(audio=True)[:4] == ["ready", "reply", "audio_start", "<audio>"]
        await client.wait_for("audio_end")
        await asyncio.sleep(0.45)
        mark = client.mark()
        await client.stream(utterance("Do you have running shoes?", 16000), 16000, speed=4)
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
        await client.wait_for("audio_end", since=mark)
        # Stage times go out with the first audio frame: all five are known by then.
        assert client.types(mark, audio=True) == [
            "speech_started",
            "speech_stopped",
            "transcript",
            "reply",
            "audio_start",
            "<audio>",
            "turn_metrics",
            "<audio>",
            "audio_end",
        ]
        transcript = (await client.wait_for("transcript", since=mark)).event
        assert transcript == {
            "type": "transcript",
            "text": "do you have running shoes",
            "final": True,
        }
        reply = (await client.wait_for("reply", since=mark)).event
        assert reply["intent"] == "product_search" and reply["text"] and reply["handoff"] is False
        assert set(reply) == {"type", "text", "ssml", "intent", "cards", "handoff", "cart", "end"}
        start = (await client.wait_for("audio_start", since=mark)).event
        assert start == {"type": "audio_start", "sample_rate": 16000, "encoding": "pcm_s16le"}
        assert client.audio_bytes(mark) > 0 and client.audio_bytes(mark) % 2 == 0
        assert set(metrics) == {
            "type", "endpoint_ms", "asr_ms", "dialogue_ms", "first_audio_ms", "total_ms",
            "speculative",
        }  # fmt: skip
        assert metrics["endpoint_ms"] >= 300  # the hangover
        for key in ("asr_ms", "dialogue_ms", "first_audio_ms"):
            assert metrics[key] >= 0
        assert metrics["total_ms"] == pytest.approx(
            metrics["endpoint_ms"] + metrics["first_audio_ms"], abs=0.2
        )
        # Early ASR at the first silence was reused: one recognition for one utterance.
        assert len(transcriber.calls) == 1
        session_id = ready["session_id"]
        # The operator sees the same stage times and the open session in /metrics.
        async with httpx.AsyncClient() as http:
            text = (
                await http.get(url.replace("ws://", "http://").replace("/v1/voice", "/metrics"))
            ).text
        assert 'hark_turn_stage_seconds_count{channel="voice",stage="endpoint"}' in text
        assert float(text.split("\nhark_voice_sessions_open ")[1].split()[0]) >= 1
    turns = stored_turns(db, session_id)
    assert [t.role for t in turns] == ["assistant", "user", "assistant"]
    assert turns[1].text == "do you have running shoes"
    assert turns[1].metrics["endpoint_ms"] == metrics["endpoint_ms"]
    assert turns[1].metrics["asr_ms"] == metrics["asr_ms"]
    await _until(lambda: "first_audio_ms" in stored_turns(db, session_id)[2].metrics)
    assert stored_turns(db, session_id)[2].metrics["total_ms"] == metrics["total_ms"]


async def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_typed_text_turn(serve) -> None:
    app, url = serve(
        transcriber=ScriptedTranscriber([]), synthesizer=ToneSynthesizer(seconds_per_word=0.02)
    )
    async with VoiceClient.connect(url) as client:
        await greeted(client)
        mark = client.mark()
        await client.send_json({"type": "text", "text": "I want to talk to a human"})
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
        await client.wait_for("audio_end", since=mark)
        assert client.types(mark, audio=True) == [
            "reply", "handoff", "audio_start", "<audio>", "turn_metrics", "<audio>", "audio_end",
        ]  # fmt: skip
        reply = (await client.wait_for("reply", since=mark)).event
        assert reply["handoff"] is True and reply["intent"] == "human_agent"
        handoff = (await client.wait_for("handoff", since=mark)).event
        assert handoff["summary"]["reason"]
        assert metrics["endpoint_ms"] is None and metrics["asr_ms"] is None
        assert metrics["first_audio_ms"] >= 0 and metrics["total_ms"] == metrics["first_audio_ms"]


@pytest.mark.parametrize(("rate", "encoding"), [(8000, "mulaw"), (48000, "pcm_s16le")])
async def test_other_rates_and_mulaw(serve, rate: int, encoding: str) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["where is my order"]))
    app, url = serve(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    async with VoiceClient.connect(url) as client:
        ready = await client.start(rate, encoding)
        assert ready["output_sample_rate"] == rate
        await client.wait_for("audio_end")
        await asyncio.sleep(0.45)
        mark = client.mark()
        speech = utterance("Where is my order?", rate)
        await client.stream(speech, rate, encoding=encoding, speed=4)
        await client.wait_for("turn_metrics", since=mark)
        assert (await client.wait_for("transcript", since=mark)).event[
            "text"
        ] == "where is my order"
        start = (await client.wait_for("audio_start", since=mark)).event
        assert start["sample_rate"] == rate and start["encoding"] == "pcm_s16le"
    # The utterance reached ASR at 16 kHz and about as long as the speech (plus pre-roll).
    spoken_s = espeak_speech("Where is my order?", rate).size / rate
    assert transcriber.calls and abs(transcriber.calls[-1] - spoken_s) < 0.5


async def test_barge_in_stops_audio_and_truncates_the_stored_reply(serve, db, caplog) -> None:
    caplog.set_level(logging.INFO, logger="hark.voice")
    transcriber = ScriptedTranscriber(UtteranceScript(["where is my order"]))
    synthesizer = ToneSynthesizer(seconds_per_word=0.3)  # the greeting plays for ~5 s
    app, url = serve(transcriber=transcriber, synthesizer=synthesizer)
    async with VoiceClient.connect(url) as client:
        # A client that plays nothing back into its microphone (test_hearing_echo.py has one
        # that does); an unknown one gets the echo canceller until its echo path is known.
        ready = await client.start(16000, echo_cancelled=True)
        greeting = (await client.wait_for("reply")).event["text"]
        audio_start = await client.wait_for("audio_start")
        await asyncio.sleep(0.7)
        mark = client.mark()
        lead = 8000  # a microphone streams its background before the caller speaks
        speech = utterance("Where is my order?", 16000, lead_s=lead / 16000)
        report = await client.stream(speech, 16000, speed=1.0)  # real time: timing is tested
        interrupted = await client.wait_for("interrupted", since=mark)
        # Within 200 ms of the speech onset, in stream time: the endpointer's decision
        # (stream time after the onset) plus the server's time to cancel and tell the client.
        cut = [r for r in caplog.records if hasattr(r, "onset_to_interrupted_ms")]
        assert cut and cut[0].onset_to_interrupted_ms < 200
        # The same seen from the client, loosely (threads share one CPU-starved process here).
        assert interrupted.at - report.sent_at(lead) < 0.4
        index = client.index_of(interrupted)
        assert client.types(mark)[:2] == ["speech_started", "interrupted"]
        # No audio of the greeting after the interruption...
        next_start = next(
            (
                i
                for i, item in enumerate(client.received)
                if i > index and item.type == "audio_start"
            ),
            len(client.received),
        )
        assert client.audio_bytes(index) == client.audio_bytes(next_start)
        # ...and the caller's words became the next turn.
        await client.wait_for("turn_metrics", since=mark)
        transcript = await client.wait_for("transcript", since=mark)
        assert transcript.event["text"] == "where is my order"
        heard_s = interrupted.at - audio_start.at
    turns = stored_turns(db, ready["session_id"])
    first = turns[0]
    assert first.interrupted and first.text and greeting.startswith(first.text)
    assert len(first.text) < len(greeting)
    # Proportional to what was played: ~0.3 s per word of the tone double.
    words_heard = len(first.text.split())
    assert abs(words_heard - heard_s / 0.3) <= 2.5
    assert turns[1].role == "user" and turns[1].text == "where is my order"


async def test_resumed_speech_discards_the_early_transcript(serve) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["early guess", "the whole sentence"]))
    app, url = serve(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    rate = 16000
    first = espeak_speech("I would like", rate)
    second = espeak_speech("the blue running shoes please", rate)
    gap = np.zeros(int(0.2 * rate), np.int16)  # a pause shorter than the 300 ms hangover
    audio = np.concatenate(
        [np.zeros(4800, np.int16), first, gap, second, np.zeros(11200, np.int16)]
    )
    async with VoiceClient.connect(url) as client:
        await greeted(client)
        mark = client.mark()
        await client.stream(audio, rate, speed=4)
        await client.wait_for("turn_metrics", since=mark)
        finals = [e for e in client.events(mark) if e["type"] == "transcript"]
        assert finals == [{"type": "transcript", "text": "the whole sentence", "final": True}]
        assert client.types(mark).count("speech_started") == 1
    # Early recognitions on the words before each pause (dropped), then the whole utterance.
    assert len(transcriber.calls) >= 2 and transcriber.calls[-1] > max(transcriber.calls[:-1])


async def test_partial_transcripts_while_speaking(serve) -> None:
    def by_length(audio: np.ndarray) -> str:
        return f"heard {audio.size / 16000:.1f} seconds"

    transcriber = ScriptedTranscriber(by_length)
    options = VoiceOptions(partial_interval_s=0.5, partial_after_s=1.0)
    app, url = serve(transcriber=transcriber, synthesizer=None, options=options)
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        await client.wait_for("reply")
        mark = client.mark()
        speech = utterance("Do you have the blue running shoes in size nine, and in red?", 16000)
        await client.stream(speech, 16000, speed=2)
        await client.wait_for("turn_metrics", since=mark)
        transcripts = [e for e in client.events(mark) if e["type"] == "transcript"]
        types = client.types(mark)
    assert transcripts[-1]["final"] is True
    partials = [e for e in transcripts if not e["final"]]
    assert partials, "no partial transcript while speaking"
    assert types.index("transcript") < types.index("speech_stopped")  # partials come first


async def test_client_vanishing_mid_utterance_frees_the_session(serve, db) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["unused"]), delay_s=0.5)
    app, url = serve(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    async with VoiceClient.connect(url) as client:
        ready = await client.start(16000, echo_cancelled=True)  # no echo path (see above)
        await client.wait_for("audio_end")
        await client.send_json({"type": "text", "text": "do you have headphones"})
        await client.wait_for("turn_metrics")
        assert len(active_sessions(app)) == 1
        session = next(iter(active_sessions(app)))
        speech = espeak_speech("I would like to order the", 16000)
        await client.stream(speech[: speech.size // 2], 16000, speed=4)
        await _until(lambda: session.listener is not None and session.listener.endpointer.in_speech)
        client.ws.transport.abort()  # vanish: no close frame
    await _until(lambda: not active_sessions(app), timeout=10)
    assert session.closed and session.listener is not None and session.listener.closed
    assert session._turn is None or session._turn.task.done()
    assert not session._helpers
    turns = stored_turns(db, ready["session_id"])
    assert [t.role for t in turns] == ["assistant", "user", "assistant"]  # saved turns stay
    with db.session() as s:
        assert s.get(Conversation, ready["session_id"]).ended_at is not None


async def test_goodbye_closes_after_the_audio(serve) -> None:
    app, url = serve(transcriber=None, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        await client.wait_for("audio_end")
        mark = client.mark()
        await client.send_json({"type": "text", "text": "thanks, goodbye"})
        assert (await client.wait_for("reply", since=mark)).event["intent"] == "goodbye"
        assert await client.wait_closed() == 1000
        assert "audio_end" in client.types(mark)


async def test_speech_resumed_after_the_hangover_joins_the_cancelled_turn(serve, db) -> None:
    """The caller pauses past the hangover, then goes on while ASR still runs: one turn, not two."""
    transcriber = ScriptedTranscriber(
        UtteranceScript(["first words", "the whole request"]), delay_s=1.0
    )
    app, url = serve(transcriber=transcriber, synthesizer=None)
    rate = 16000
    first = espeak_speech("I would like", rate)
    second = espeak_speech("the blue running shoes", rate)
    pause = np.zeros(int(0.5 * rate), np.int16)  # longer than the 300 ms hangover
    audio = np.concatenate(
        [np.zeros(4800, np.int16), first, pause, second, np.zeros(12000, np.int16)]
    )
    async with VoiceClient.connect(url) as client:
        ready = await client.start(rate)
        await client.wait_for("reply")
        mark = client.mark()
        await client.stream(audio, rate, speed=4)
        await client.wait_for("turn_metrics", since=mark, timeout=15)
        types = client.types(mark)
        finals = [e["text"] for e in client.events(mark) if e["type"] == "transcript"]
    assert types.count("speech_stopped") == 2 and types.count("reply") == 1
    assert finals == ["the whole request"]
    whole_s = (first.size + pause.size + second.size) / rate
    assert transcriber.calls[-1] > whole_s - 0.5  # the first words were carried into the request
    users = [t for t in stored_turns(db, ready["session_id"]) if t.role == "user"]
    assert [t.text for t in users] == ["the whole request"]


async def test_typed_text_interrupts_the_reply_being_spoken(serve, db) -> None:
    app, url = serve(transcriber=None, synthesizer=ToneSynthesizer(seconds_per_word=0.3))
    async with VoiceClient.connect(url) as client:
        ready = await client.start(16000)
        await client.wait_for("audio_start")
        await asyncio.sleep(0.8)
        mark = client.mark()
        await client.send_json({"type": "text", "text": "where is my order"})
        await client.wait_for("reply", since=mark)
        assert client.types(mark)[:2] == ["interrupted", "reply"]
        await client.send_json({"type": "stop"})
        await client.wait_closed()
    greeting = stored_turns(db, ready["session_id"])[0]
    assert greeting.interrupted and len(greeting.text.split()) <= 5
