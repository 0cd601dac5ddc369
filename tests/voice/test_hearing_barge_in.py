"""Backchannels over Hark's voice do not stop it; "wait, stop" does.

Real server over ``/v1/voice``; the caller is a real ``websockets`` client
streaming espeak-ng speech in real time over a long greeting (the TEST DOUBLE
``ToneSynthesizer``; this client plays nothing back into its microphone, and
says so with ``echo_cancelled``). Recognition is a TEST DOUBLE
(``ScriptedTranscriber``) that says what the caller is scripted to say for any
audio with speech in it, because a known transcript is what is under test.
"""

from __future__ import annotations

import asyncio

import numpy as np
from doubles import ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech
from voice_client import VoiceClient

from hark.voice.listen.barge_in import Verdict, judge, unlooped
from hark.voice.turn.session import VoiceOptions


def test_backchannels_are_short_acknowledgements_and_nothing_else() -> None:
    for text in ("Mm-hmm.", "Mhm", "uh-huh", "Okay.", "Yeah.", "Right.", "Oh, okay.", "I see"):
        assert judge(text) is Verdict.BACKCHANNEL, text
    for text in ("Wait, stop.", "No.", "Hang on.", "Okay?", "Yeah, I want the blue one.",
                 "Where is my order?", "okay okay okay okay"):  # fmt: skip
        assert judge(text) is Verdict.BARGE_IN, text
    assert judge("") is Verdict.NOTHING and judge(" ... ") is Verdict.NOTHING


def test_a_quick_looks_repetition_loop_counts_once() -> None:
    """The judge's quick looks use a short window, which sometimes repeats a word up to its
    token cap ("mm mm mm ...", "Wait Wait Wait ..."): the loop is one word."""
    assert judge(unlooped("mm mm mm mm mm mm")) is Verdict.BACKCHANNEL
    assert judge(unlooped("Wait Wait Wait Wait Wait")) is Verdict.BARGE_IN
    assert unlooped("Okay. okay Yeah, yeah.") == "Okay. Yeah,"


class Saying:
    """What the scripted caller says now (the double's answer for audio with speech)."""

    def __init__(self) -> None:
        self.text = ""

    def __call__(self, audio: np.ndarray) -> str:
        return self.text if np.abs(audio).max(initial=0) > 0.02 else ""


async def _over_the_greeting(make_app, live_server, words: str):
    saying = Saying()
    transcriber = ScriptedTranscriber(saying)
    synth = ToneSynthesizer(seconds_per_word=0.35)  # the greeting plays ~5 s
    app = make_app(transcriber=transcriber, synthesizer=synth)
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    url = f"{live_server(app).ws_url}/v1/voice"
    async with VoiceClient.connect(url) as client:
        await client.start(16000, echo_cancelled=True)
        await client.wait_for("audio_start")
        saying.text = words
        speech = espeak_speech(words.rstrip("."), 16000, voice="en-gb")
        silence = np.zeros(int(0.4 * 16000), np.int16)
        report = await client.stream(np.concatenate([silence, speech, silence, silence]), 16000)
        await asyncio.sleep(1.0)
        return client, report, silence.size


async def test_mhm_during_a_reply_does_not_stop_it(make_app, live_server) -> None:
    client, _, _ = await _over_the_greeting(make_app, live_server, "Yeah.")
    types = client.types()
    assert "speech_started" in types  # it was heard...
    assert "interrupted" not in types  # ...and Hark went on
    assert types.count("reply") == 1  # and it never became a turn (no answer to anything)


async def test_wait_stop_during_a_reply_stops_it_within_300_ms(make_app, live_server) -> None:
    client, report, lead = await _over_the_greeting(make_app, live_server, "Wait, stop.")
    interrupted = await client.wait_for("interrupted")
    assert interrupted.at - report.sent_at(lead) < 0.6  # onset to interrupted, loosely
    assert "reply" in client.types(client.index_of(interrupted))  # and it was answered


def test_words_hark_was_saying_do_not_take_the_turn() -> None:
    """Residual echo recognised as Hark's own words is not the caller's: the rest decides."""
    echo = frozenset({"there", "let", "them", "know", "your", "order"})
    assert judge("there mhm", echo) is Verdict.BACKCHANNEL
    assert judge("Let them.", echo) is Verdict.NOTHING
    assert judge("wait, your order", echo) is Verdict.BARGE_IN  # "wait" is the caller's
    assert judge("there mhm") is Verdict.BARGE_IN  # without an echo path every word counts


def test_the_playout_clock_names_the_sentences_audible_in_a_span() -> None:
    from hark.voice.speak.clock import PlayoutClock

    now = [10.0]
    clock = PlayoutClock(lambda: now[0])
    for text, seconds in (("Hello there.", 1.0), ("Your order ships today.", 2.0)):
        index = clock.add_sentence(text)
        clock.schedule(index, seconds)  # played back to back from t=10
        clock.finish_sentence(index)
    now[0] = 10.5
    assert clock.audible_text(since=10.0) == "Hello there."
    now[0] = 12.0
    assert clock.audible_text(since=10.8) == "Hello there. Your order ships today."
    assert clock.audible_text(since=11.5) == "Your order ships today."
