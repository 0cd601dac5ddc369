"""Hearing with the REAL Whisper base and piper voice over ``/v1/voice``: Hark's own echo is
never a barge-in, and an order number read slowly arrives whole.

What a real recogniser makes of a caller's "okay" or "wait, stop" spoken over
that echo is a rate, not a yes or no (on two loaded cores Whisper base heard
espeak-ng's "wait, stop" over the cancelled echo as "thank you" in about one
run in three): ``bench/hearing.py`` measures it. The decisions themselves are
tested with a scripted recogniser in ``tests/voice/test_hearing_barge_in.py``.

The caller is ``LoudspeakerCaller`` (tests/hearing_sim.py): Hark's real piper reply
comes back into the microphone 100 ms later, 10 dB quieter, through a 0.3 s room;
the caller's voice is espeak-ng (en-us+f3, unlike piper joe). The brain is the
``ScriptedDialogue`` double (a long greeting, so there is something to interrupt).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from doubles import ScriptedDialogue
from hearing_sim import LoudspeakerCaller, read_out
from voice_client import VoiceClient

from hark.skills.reply import Expects
from hark.voice.listen import echo
from hark.voice.turn.session import VoiceOptions

pytestmark = [
    pytest.mark.real_models,
    pytest.mark.skipif(not echo.available(), reason=echo.missing_reason()),
]
GREETING = (
    "Hi, I'm Hark. The blue running shoes come in three colours and sizes six to twelve, "
    "and the red ones are on sale this week. Would you like me to add them to your cart?"
)


@pytest.fixture(scope="module")
def engines(real_models: dict[str, Path]):
    from hark.runtime.settings import Settings
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.tts.piper import PiperSynthesizer

    settings = Settings(
        asr_model=str(real_models["whisper_base"]), tts_voice=str(real_models["piper_voice"])
    )
    return WhisperTranscriber.from_settings(settings), PiperSynthesizer.from_settings(settings)


async def _call(make_app, live_server, engines, speech=()):
    transcriber, synthesizer = engines
    dialogue = ScriptedDialogue(greeting=GREETING)
    app = make_app(transcriber=transcriber, synthesizer=synthesizer, dialogue=dialogue)
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    async with VoiceClient.connect(f"{live_server(app).ws_url}/v1/voice") as client:
        await client.start(16000)
        caller = LoudspeakerCaller(client, echo_delay_s=0.1, echo_db=-10.0, speech=list(speech))
        await caller.run(6.0)
        return client.types(), dialogue.turns


async def test_real_echo_only_reply_is_never_interrupted(make_app, live_server, engines):
    types, turns = await _call(make_app, live_server, engines)
    assert "interrupted" not in types and turns == []  # no transcript of its own words


async def test_real_slowly_read_order_number_arrives_whole(make_app, live_server, engines):
    """After "What's your order number?" (5 digits expected), "four ... five ... seven ...
    two ... one" with 900 ms pauses (``HARK_VAD_NUMBER_HANGOVER_MS``, the gap that used to
    cut it) reaches the brain as one turn with every digit."""
    transcriber, synthesizer = engines
    dialogue = ScriptedDialogue(
        reply="Thanks.",
        greeting="What's your order number?",
        greeting_expects=Expects.NUMBER,
        expects_digits=frozenset({5}),
    )
    app = make_app(transcriber=transcriber, synthesizer=synthesizer, dialogue=dialogue)
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    async with VoiceClient.connect(f"{live_server(app).ws_url}/v1/voice") as client:
        await client.start(16000, echo_cancelled=True)
        await client.wait_for("audio_end", timeout=30)
        words, mark = ["four", "five", "seven", "two", "one"], client.mark()
        await client.stream(read_out(words, gap_s=0.9, tail_s=3.5), 16000)
        await client.wait_for("reply", since=mark, timeout=30)
    assert len(dialogue.turns) == 1, dialogue.turns  # never answered into a gap
    assert "".join(re.findall(r"\d", dialogue.turns[0])) == "45721", dialogue.turns


def test_real_quick_looks_tell_a_barge_in_from_a_backchannel(engines) -> None:
    """The barge-in judge's quick look (``Listener.glance_engine``: Whisper base on a 4 s
    window, 10 tokens) at the first ~half second of speech, as it decides within ~300 ms."""
    from fixtures_voice import espeak_speech

    from hark.voice.audio.codecs import int16_to_float32
    from hark.voice.listen.barge_in import Verdict, judge, unlooped
    from hark.voice.listen.listener import GLANCE_WINDOW_S, Listener
    from hark.voice.listen.vad import Endpointer

    transcriber, _ = engines
    glance = Listener(Endpointer(16000), transcriber).glance_engine
    assert glance.window_s == GLANCE_WINDOW_S and glance.vocabulary_prompt is None
    assert glance._model is transcriber._model  # the same loaded model, not a second copy
    for words, barge in (("Wait, stop.", True), ("No, I meant the red ones.", True),
                         ("Mm-hmm.", False)):  # fmt: skip
        clip = espeak_speech(words, 16000, voice="en-us+f3")[: int(0.55 * 16000)]
        heard = glance.transcribe(int16_to_float32(clip)).text
        assert (judge(unlooped(heard)) is Verdict.BARGE_IN) is barge, heard
