"""Hark's own reply coming back through the caller's loudspeaker is not a barge-in.

Real server over ``/v1/voice``; the caller is ``LoudspeakerCaller`` (tests/hearing_sim.py),
which feeds the reply it hears back into its microphone, delayed, quieter and
through a synthetic room. Recognition is a TEST DOUBLE (``ScriptedTranscriber``:
any audio that reaches it would become a transcript, so none must), and speech
synthesis the TEST DOUBLE ``EspeakSynthesizer`` (real speech, so echo looks like speech).
"""

from __future__ import annotations

import numpy as np
import pytest
from doubles import ScriptedTranscriber
from hearing_sim import EspeakSynthesizer, LoudspeakerCaller
from voice_client import VoiceClient

from hark.voice.listen import echo
from hark.voice.turn.session import VoiceOptions

pytestmark = pytest.mark.skipif(not echo.available(), reason=echo.missing_reason())


async def _greeting_with_echo(make_app, live_server, settings, aec: str, delay_s: float, db: float):
    transcriber = ScriptedTranscriber(["what was that"])
    synth = EspeakSynthesizer()
    app = make_app(
        settings.model_copy(update={"aec": aec, "noise_suppression": aec == "on"}),
        transcriber=transcriber,
        synthesizer=synth,
    )
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    url = f"{live_server(app).ws_url}/v1/voice"
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        caller = LoudspeakerCaller(client, echo_delay_s=delay_s, echo_db=db)
        await caller.run(4.5)
        return client.types(), transcriber.calls, caller


@pytest.mark.parametrize(("delay_s", "level_db"), [(0.06, -6.0), (0.15, -20.0)])
async def test_an_echo_only_reply_is_never_interrupted(
    make_app, live_server, settings, delay_s, level_db
):
    types, calls, caller = await _greeting_with_echo(
        make_app, live_server, settings, "on", delay_s, level_db
    )
    assert "interrupted" not in types and "speech_started" not in types, types
    assert calls == []  # nothing reached the recogniser: no transcript of Hark's own words
    assert caller.played_s() > 2.5  # the whole greeting played


async def test_without_the_canceller_the_echo_interrupts(make_app, live_server, settings):
    types, calls, _ = await _greeting_with_echo(make_app, live_server, settings, "off", 0.06, -6.0)
    assert "speech_started" in types  # what the canceller is there for


async def test_a_caller_talking_over_the_echo_still_barges_in(make_app, live_server, settings):
    from fixtures_voice import espeak_speech

    transcriber = ScriptedTranscriber(["wait, stop"])
    app = make_app(
        settings.model_copy(update={"aec": "on"}),
        transcriber=transcriber,
        synthesizer=EspeakSynthesizer(),
    )
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    url = f"{live_server(app).ws_url}/v1/voice"
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        words = espeak_speech("Wait, stop.", 16000, voice="en-gb")
        caller = LoudspeakerCaller(client, echo_delay_s=0.1, echo_db=-10.0, speech=[(2.0, words)])
        await caller.run(4.0)
        types = client.types()
    assert "interrupted" in types, types


def test_a_reply_that_ended_before_the_microphone_started_is_not_taken_for_echo() -> None:
    """A client that sends no audio while the greeting plays (it waits, then speaks) can't
    have the greeting in its microphone: nothing of it may be cancelled out of the
    caller's words (it once was, placed back to back from the first sample, and the
    canceller ate the caller's first question)."""
    from hark.voice.listen.echo import CallerAudio

    rate, now = 16000, [100.0]
    audio = CallerAudio(rate, echo=True, noise=False, clock=lambda: now[0])
    rng = np.random.default_rng(7)
    reply = (rng.standard_normal(rate * 3) * 3000).astype(np.int16)
    for k in range(0, reply.size, 640):  # 3 s of reply, played from t=100 s
        audio.far_end(reply[k : k + 640], 100.0 + k / rate)
    now[0] = 104.0  # the caller starts a second after the reply ended
    voice = (np.sin(np.arange(rate * 2) * 2 * np.pi * 220 / rate) * 8000).astype(np.int16)
    out = np.concatenate([audio.process(voice[k : k + 320]) for k in range(0, voice.size, 320)])
    assert not audio.far_audible()
    level = lambda x: float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))  # noqa: E731
    assert level(out[rate // 2 :]) > 0.5 * level(voice[rate // 2 :])


def test_a_reply_sent_before_the_microphone_started_is_placed_where_it_plays() -> None:
    """The greeting is sent as soon as the session starts, usually before the caller's first
    audio arrives: what of it plays after the microphone started is echo to cancel, so it
    must be in the reference at the right place (it was once dropped, and the greeting's
    first words came back uncancelled)."""
    from hark.voice.listen.echo import CallerAudio

    rate, now = 16000, [100.0]
    audio = CallerAudio(rate, echo=True, noise=False, clock=lambda: now[0])
    reply = (np.random.default_rng(3).standard_normal(rate) * 3000).astype(np.int16)
    for k in range(0, reply.size, 640):  # 1 s of reply sent at t=100, playing from t=100.2
        audio.far_end(reply[k : k + 640], 100.2 + k / rate, follows=k > 0)
    # (the microphone is open while the reply is still being sent: no ``reply_sent`` yet)
    now[0] = 100.3  # the first 20 ms packet: the microphone started at 100.28
    audio.process(np.zeros(320, np.int16))
    placed = audio._far_span(0, rate)  # the reference on the caller's timeline
    first = int(np.flatnonzero(placed)[0])
    # the reply that played before the microphone started (100.2 .. 100.28) is not there;
    # the rest starts at the caller's sample 0 and runs on back to back
    assert first == 0
    assert np.array_equal(placed[: rate - int(0.08 * rate)], reply[int(0.08 * rate) :])


def test_a_client_that_opens_its_microphone_after_the_reply_was_sent_gets_no_reference() -> None:
    """A half-duplex client waits for the reply's end before it sends anything: the server's
    model of its player still has the reply's last second playing when its first words
    come, but nothing played into its microphone, so nothing is cancelled."""
    from hark.voice.listen.echo import CallerAudio

    rate, now = 16000, [100.0]
    audio = CallerAudio(rate, echo=True, noise=False, clock=lambda: now[0])
    reply = (np.random.default_rng(5).standard_normal(rate * 2) * 3000).astype(np.int16)
    for k in range(0, reply.size, 640):  # 2 s of reply, modelled to play from t=100 s
        audio.far_end(reply[k : k + 640], 100.0 + k / rate, follows=k > 0)
    audio.reply_sent()
    now[0] = 101.0  # the client speaks while the model says the reply still plays
    audio.process(np.zeros(320, np.int16))
    assert not audio.far_audible()
    assert not audio._far_span(0, rate).any()
