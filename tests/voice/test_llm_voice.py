"""An LLM reply on the voice path: speech starts with its first sentence, while the
model is still writing, and a barge-in stops the model.

Real server and WebSocket on loopback, the real ``DialogueManager`` with the
real ``openai`` client against the scripted SSE server (TEST DOUBLE, only the
model is scripted); speech synthesis is the TEST DOUBLE ``ToneSynthesizer``.
"""

from __future__ import annotations

import asyncio
import logging

from doubles import ToneSynthesizer
from openai_double import Say, ScriptedLLM
from sqlalchemy import select
from voice_client import VoiceClient

from hark.dialogue.manager import DialogueManager
from hark.store.models import Turn
from hark.voice.turn.session import VoiceOptions

QUIET = VoiceOptions(partial_interval_s=None)
SENTENCES = ["Sure thing. ", "We have plenty of options for that. ", "Tell me a bit more."]


def start(make_app, live_server, db, settings, server: ScriptedLLM, seconds_per_word: float):
    llm_settings = settings.model_copy(
        update={"llm_base_url": server.url, "llm_model": "scripted", "llm_timeout_s": 8.0}
    )
    app = make_app(
        llm_settings,
        dialogue=DialogueManager(db, llm_settings),
        synthesizer=ToneSynthesizer(seconds_per_word=seconds_per_word),
    )
    app.state.voice_options = QUIET
    return f"{live_server(app).ws_url}/v1/voice"


def assistant_turns(db, conversation_id: str) -> list[Turn]:
    with db.session() as session:
        rows = session.scalars(
            select(Turn)
            .where(Turn.conversation_id == conversation_id, Turn.role == "assistant")
            .order_by(Turn.seq)
        )
        return [Turn(text=t.text, interrupted=t.interrupted) for t in rows]


async def test_speech_starts_with_the_first_sentence(make_app, live_server, db, settings) -> None:
    with ScriptedLLM([Say("".join(SENTENCES), pieces=SENTENCES, gap_s=0.6)]) as server:
        url = start(make_app, live_server, db, settings, server, seconds_per_word=0.05)
        async with VoiceClient.connect(url) as client:
            ready = await client.start(16000)
            await client.wait_for("audio_end")
            await asyncio.sleep(0.45)  # the greeting plays out
            mark = client.mark()
            await client.send_json({"type": "text", "text": "blorp flim zazz"})
            reply = (await client.wait_for("reply", since=mark)).event
            await client.wait_for("audio_end", since=mark)
            metrics = (await client.wait_for("turn_metrics", since=mark)).event
            await asyncio.sleep(0.5)  # the reply plays out before the client leaves
    # Audio went out before the model had finished: the reply event comes after it.
    assert client.types(mark, audio=True)[:3] == ["audio_start", "<audio>", "reply"]
    assert reply["text"] == "Sure thing. We have plenty of options for that. Tell me a bit more."
    assert metrics["first_audio_ms"] < metrics["dialogue_ms"]
    assert assistant_turns(db, ready["session_id"])[-1].text == reply["text"]


async def test_a_barge_in_stops_the_model_and_keeps_what_was_heard(
    make_app, live_server, db, settings, caplog
) -> None:
    with ScriptedLLM([Say("".join(SENTENCES), pieces=SENTENCES, gap_s=3.0)]) as server:
        url = start(make_app, live_server, db, settings, server, seconds_per_word=0.3)
        async with VoiceClient.connect(url) as client:
            ready = await client.start(16000)
            await client.wait_for("audio_end")
            await asyncio.sleep(0.45)
            mark = client.mark()
            await client.send_json({"type": "text", "text": "blorp flim zazz"})
            await client.wait_for("audio_start", since=mark)
            await asyncio.sleep(0.3)
            with caplog.at_level(logging.INFO, logger="hark.dialogue.llm"):
                barge = client.mark()
                await client.send_json({"type": "text", "text": "where is order 7002"})
                await client.wait_for("interrupted", since=barge)
                answer = (await client.wait_for("reply", since=barge)).event
            await client.wait_for("audio_end", since=barge)
            await asyncio.sleep(0.5)  # the answer plays out: the session closes idle
    assert "7002" in answer["text"]
    answered = [r for r in caplog.records if r.getMessage() == "llm planner answered"]
    assert answered and answered[0].sentences == 1  # the model was stopped after one sentence
    cut = assistant_turns(db, ready["session_id"])[1]
    assert cut.interrupted and "options" not in cut.text
    assert "Sure thing.".startswith(cut.text) or cut.text == ""
