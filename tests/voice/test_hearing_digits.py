"""A number read out digit by digit, with pauses longer than the hangover, arrives whole;
a complete number, or a question, is still answered after the short hangover.

Real server over ``/v1/voice``, real espeak-ng digits with pauses, the real
endpointer; recognition is a TEST DOUBLE that hears the digits as bursts
(``DigitCounter``: one scripted digit per burst of speech in the audio it is
given), so what reaches the brain shows exactly which audio was joined. The
brain is the TEST DOUBLE ``ScriptedDialogue`` (it records the turns); where it
asks for the order number, its greeting says so (``Reply.expects`` a number of
``expects_digits`` digits), as the real brain's question does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from doubles import ScriptedDialogue, ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech
from hearing_sim import read_out
from voice_client import VoiceClient

from hark.skills.reply import Expects
from hark.voice.listen.endpointing import EndpointWait, mid_number, trailing_digits
from hark.voice.turn.session import VoiceOptions

DIGITS = ["4", "5", "7", "2", "1"]
WORDS = ["four", "five", "seven", "two", "one"]


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


def test_the_number_the_words_end_with_is_counted_in_digits() -> None:
    assert trailing_digits("my order is four five seven") == (3, 3)
    assert trailing_digits("4572.") == (4, 1) and trailing_digits("45-72") == (4, 2)
    assert trailing_digits("double five, um, 3") == (3, 2)
    assert trailing_digits("Oh, where is it") == (0, 0) and trailing_digits("4 5 please") == (0, 0)
    assert trailing_digits("For.") == (0, 0) and trailing_digits("For.", expecting=True) == (1, 1)


class HeldDouble:
    """TEST DOUBLE endpointer: records what ``EndpointWait`` asks of it."""

    def __init__(self) -> None:
        self.hangover_ms = 300
        self.holds: list[tuple[int, int | None]] = []

    def hold(self, utterance: int, silence_ms: int | None) -> None:
        self.holds.append((utterance, silence_ms))


def test_the_wait_follows_the_digits_said_so_far_against_the_shape_expected() -> None:
    wait = EndpointWait(HeldDouble(), normal_ms=300, number_ms=900, incomplete_ms=2500)
    wait.expect(Expects.NUMBER, frozenset({5}))
    assert wait.endpointer.hangover_ms == 900  # nothing heard yet: not the short hangover
    assert wait.wait_ms("4 5 7") == 2500  # incomplete: the longer, bounded wait
    assert wait.wait_ms("It's four five seven two one.") == 300  # complete: answer quickly
    assert wait.wait_ms("Where is my order?") == 300  # a complete question: quickly
    assert wait.wait_ms("I don't have it") is None  # no number: the endpointer's own wait
    wait.expect(None, frozenset({5}))  # a number read out unasked, one digit at a time
    assert wait.endpointer.hangover_ms == 300
    assert wait.wait_ms("my order is four five") == 2500 and wait.wait_ms("I'd like 2") == 900
    wait.expect(None)  # no shape known: words ending in a digit wait the number hangover
    assert wait.wait_ms("4 5") == 900


def _app(make_app, live_server, dialogue: ScriptedDialogue, script: Any) -> str:
    transcriber = ScriptedTranscriber(script)
    app = make_app(
        transcriber=transcriber,
        synthesizer=ToneSynthesizer(seconds_per_word=0.02),
        dialogue=dialogue,
    )
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    return f"{live_server(app).ws_url}/v1/voice"


async def _say(url: str, audio: np.ndarray) -> list[dict[str, Any]]:
    async with VoiceClient.connect(url) as client:
        await client.start(16000, echo_cancelled=True)
        await client.wait_for("audio_end")
        await asyncio.sleep(0.5)
        await client.stream(audio, 16000)
        await asyncio.sleep(1.0)
        return client.events()


def _asking(digits: int) -> ScriptedDialogue:
    return ScriptedDialogue(
        reply="Thanks.",
        greeting="What's your order number?",
        greeting_expects=Expects.NUMBER,
        expects_digits=frozenset({digits}),
    )


def _endpoints_ms(events: list[dict[str, Any]]) -> list[float]:
    return [e["endpoint_ms"] for e in events if e["type"] == "turn_metrics"]


async def test_a_slowly_read_order_number_arrives_whole(make_app, live_server) -> None:
    dialogue = ScriptedDialogue(reply="Thanks.")  # not asked for: the words end in a digit
    url = _app(make_app, live_server, dialogue, DigitCounter())
    await _say(url, read_out(WORDS[:4], gap_s=0.7))
    assert dialogue.turns == ["4 5 7 2"]  # one turn, the whole number; none into the gaps


@pytest.mark.parametrize("gap_s", [0.9, 1.5])
async def test_digits_read_with_gaps_as_long_as_the_number_hangover_arrive_whole(
    make_app, live_server, gap_s: float
) -> None:
    """900 ms is ``HARK_VAD_NUMBER_HANGOVER_MS``: the gap that cut the number before; the
    wait follows the digits still missing, not a longer constant."""
    dialogue = _asking(digits=5)
    url = _app(make_app, live_server, dialogue, DigitCounter())
    events = await _say(url, read_out(WORDS, gap_s=gap_s, tail_s=3.5))
    assert dialogue.turns == ["4 5 7 2 1"]
    assert _endpoints_ms(events)[0] < 700  # complete: answered after the short hangover


async def test_an_incomplete_number_is_answered_once_the_caller_stops(make_app, live_server):
    dialogue = _asking(digits=5)
    url = _app(make_app, live_server, dialogue, DigitCounter())
    events = await _say(url, read_out(WORDS[:2], gap_s=0.5, tail_s=4.0))
    assert dialogue.turns == ["4 5"]  # the wait is bounded: the caller stopped at two digits
    assert 2000 < _endpoints_ms(events)[0] < 3200  # HARK_VAD_INCOMPLETE_NUMBER_MS (2500)


async def test_a_question_while_a_number_is_expected_is_answered_quickly(make_app, live_server):
    dialogue = _asking(digits=5)
    url = _app(make_app, live_server, dialogue, ["Where can I find my order number?"])
    speech = espeak_speech("Where can I find my order number?", 16000, voice="en-gb")
    silence = np.zeros(32000, np.int16)
    events = await _say(url, np.concatenate((silence[:4800], speech, silence)))
    assert dialogue.turns == ["Where can I find my order number?"]
    assert _endpoints_ms(events)[0] < 700  # not the 900 ms number hangover
