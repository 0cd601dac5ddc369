"""Speculative voice turns over a real WebSocket: the reply is made during the
hangover and committed at the end of speech, or dropped without a trace when
the caller goes on.

A real uvicorn server on loopback, the real ``VoiceSession``, endpointer and
``DialogueManager`` on SQLite; recognition is the TEST DOUBLE
``ScriptedTranscriber`` (a known transcript, instantly, as a fast recogniser
would give it) and synthesis the TEST DOUBLE ``ToneSynthesizer``. Speech
streams in real time so the hangover lasts what it lasts for a caller.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import select
from voice_client import VoiceClient

from hark.store.models import Cart, CartItem, Conversation
from hark.voice.turn.session import VoiceOptions
from voice.test_voice_session import greeted, stored_turns, utterance

QUIET = VoiceOptions(partial_interval_s=None)


@pytest.fixture
def spy(dialogue):
    """Records the real manager's speculate/commit calls (it still does the work)."""
    calls: dict[str, list] = {"speculate": [], "commit": []}
    speculate, commit = dialogue.speculate, dialogue.commit

    def spy_speculate(conversation_id, text):
        calls["speculate"].append(text)
        return speculate(conversation_id, text)

    def spy_commit(speculation, metrics=None):
        result = commit(speculation, metrics)
        calls["commit"].append(result.matched)
        return result

    dialogue.speculate, dialogue.commit = spy_speculate, spy_commit
    return calls


@pytest.fixture
def serve(make_app, live_server):
    def start(*, transcriber, synthesizer, options: VoiceOptions = QUIET):
        app = make_app(transcriber=transcriber, synthesizer=synthesizer)
        app.state.voice_options = options
        return f"{live_server(app).ws_url}/v1/voice"

    return start


async def test_a_spoken_turn_is_answered_from_its_speculation(serve, spy, db) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["add the travel mug to my cart"]))
    synthesizer = ToneSynthesizer(seconds_per_word=0.02)
    url = serve(transcriber=transcriber, synthesizer=synthesizer)
    async with VoiceClient.connect(url) as client:
        await greeted(client)
        ready = (await client.wait_for("ready")).event
        mark = client.mark()
        await client.stream(utterance("Add the travel mug to my cart.", 16000), 16000, speed=1.0)
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
        await client.wait_for("audio_end", since=mark)
        await asyncio.sleep(0.5)  # the buffered audio plays out: the whole reply was heard
        reply = (await client.wait_for("reply", since=mark)).event
        types = client.types(mark)
    assert metrics["speculative"] is True
    assert spy == {"speculate": ["add the travel mug to my cart"], "commit": [True]}
    # The client sees the usual order: nothing of the speculation went out early.
    assert types[:5] == ["speech_started", "speech_stopped", "transcript", "reply", "audio_start"]
    assert reply["intent"] == "add_to_cart" and "mug" in reply["text"].lower()
    # The first piece was synthesised once, during the hangover, and played from there.
    first_piece = [p for p in synthesizer.spoken if reply["text"].startswith(p)]
    assert len(first_piece) == 1
    turns = stored_turns(db, ready["session_id"])
    assert [(t.role, t.text) for t in turns[:2]] == [
        ("assistant", turns[0].text),
        ("user", "add the travel mug to my cart"),
    ]
    assert len(turns) == 3 and turns[2].text == reply["text"]
    with db.session() as session:  # committed once: one cart line, not two
        lines = session.scalars(select(CartItem).join(Cart)).all()
        assert [(line.sku, line.quantity) for line in lines] == [(lines[0].sku, 1)]


async def test_a_caller_who_goes_on_leaves_no_trace_of_the_speculation(serve, spy, db) -> None:
    """A pause shorter than the hangover: the reply to the first half is speculated,
    then dropped when the caller goes on; only the whole request is a turn."""
    transcriber = ScriptedTranscriber(
        UtteranceScript(["add the travel mug", "add the travel mug to my cart please"])
    )
    url = serve(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.02))
    rate = 16000
    first = espeak_speech("Add the travel mug", rate)
    second = espeak_speech("to my cart please", rate)
    pause = np.zeros(int(0.22 * rate), np.int16)  # past the first silence, short of the hangover
    audio = np.concatenate(
        [np.zeros(4800, np.int16), first, pause, second, np.zeros(int(0.7 * rate), np.int16)]
    )
    async with VoiceClient.connect(url) as client:
        await greeted(client, rate)
        ready = (await client.wait_for("ready")).event
        mark = client.mark()
        await client.stream(audio, rate, speed=1.0)
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
        await client.wait_for("audio_end", since=mark)
        await asyncio.sleep(0.5)
        types = client.types(mark)
        finals = [e["text"] for e in client.events(mark) if e["type"] == "transcript"]
    assert spy["speculate"][0] == "add the travel mug"  # made during the pause ...
    assert types.count("speech_stopped") == 1 and types.count("reply") == 1
    assert finals == ["add the travel mug to my cart please"]
    assert metrics["speculative"] is True and spy["commit"] == [True]  # ... and only the last kept
    turns = stored_turns(db, ready["session_id"])
    assert [t.text for t in turns if t.role == "user"] == ["add the travel mug to my cart please"]
    with db.session() as session:
        lines = session.scalars(select(CartItem).join(Cart)).all()
        assert [line.quantity for line in lines] == [1]  # one mug, from the one committed turn
        state = session.get(Conversation, ready["session_id"]).state
        assert all(t.get("text") != "add the travel mug" for t in state.get("recent", []))


async def test_speculation_can_be_turned_off(serve, spy) -> None:
    transcriber = ScriptedTranscriber(UtteranceScript(["where is my order"]))
    options = VoiceOptions(partial_interval_s=None, speculate=False)
    url = serve(transcriber=transcriber, synthesizer=None, options=options)
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        await client.wait_for("reply")
        mark = client.mark()
        await client.stream(utterance("Where is my order?", 16000), 16000, speed=4)
        metrics = (await client.wait_for("turn_metrics", since=mark)).event
    assert metrics["speculative"] is False and spy == {"speculate": [], "commit": []}
