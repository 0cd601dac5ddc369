"""A number read out digit by digit, with pauses longer than the hangover, arrives whole.

Real server over ``/v1/voice``, real espeak-ng digits with 700 ms pauses, the
real endpointer; recognition is a TEST DOUBLE that hears the digits as
bursts (``DigitCounter``: one scripted digit per burst of speech in the audio it
is given), so what reaches the brain shows exactly which audio was joined.
The brain is the TEST DOUBLE ``ScriptedDialogue`` (it records the turns).
"""

from __future__ import annotations

import asyncio

import numpy as np
from doubles import ScriptedDialogue, ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech
from voice_client import VoiceClient

from hark.voice.listen.endpointing import mid_number
from hark.voice.turn.session import VoiceOptions

DIGITS = ["4", "5", "7", "2"]


class DigitCounter:
    """TEST DOUBLE script: as many of ``DIGITS`` as the audio has bursts of speech."""

    def __call__(self, audio: np.ndarray) -> str:
        frames = audio[: audio.size - audio.size % 320].reshape(-1, 320)
        loud = np.sqrt(np.mean(frames**2, axis=1)) > 0.01
        bursts, quiet_run, inside = 0, 0, False
        for is_loud in loud:
            if is_loud and not inside:
                bursts, inside = bursts + 1, True
            quiet_run = 0 if is_loud else quiet_run + 1
            if quiet_run >= 15:  # 300 ms of quiet ends a burst
                inside = False
        return " ".join(DIGITS[:bursts])


def test_words_ending_in_a_digit_are_mid_number_and_questions_are_not() -> None:
    assert mid_number("4 5") and mid_number("my order is four five") and mid_number("7002.")
    assert not mid_number("Do you have size 9?") and not mid_number("where is my order")


async def test_a_slowly_read_order_number_arrives_whole(make_app, live_server) -> None:
    dialogue = ScriptedDialogue(reply="Thanks.")
    transcriber = ScriptedTranscriber(DigitCounter())
    app = make_app(
        transcriber=transcriber,
        synthesizer=ToneSynthesizer(seconds_per_word=0.02),
        dialogue=dialogue,
    )
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    url = f"{live_server(app).ws_url}/v1/voice"
    words = ["four", "five", "seven", "two"]
    pause = np.zeros(int(0.7 * 16000), np.int16)
    parts = [np.zeros(4800, np.int16)]
    for word in words:
        parts += [espeak_speech(word, 16000, voice="en-gb", wpm=120), pause]
    parts.append(np.zeros(32000, np.int16))
    async with VoiceClient.connect(url) as client:
        await client.start(16000, echo_cancelled=True)
        await client.wait_for("audio_end")
        await asyncio.sleep(0.5)
        await client.stream(np.concatenate(parts), 16000)
        await asyncio.sleep(1.0)
    assert dialogue.turns == ["4 5 7 2"]  # one turn, the whole number; none into the gaps
