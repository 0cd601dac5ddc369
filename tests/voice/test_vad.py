"""The webrtcvad endpointer on real (espeak-ng) speech, silence, noise and clicks."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_voice import espeak_speech

from hark.voice.audio.codecs import int16_to_pcm16
from hark.voice.audio.resample import resample
from hark.voice.errors import AudioFormatError
from hark.voice.listen.vad import Endpointer
from hark.voice.listen.vad_events import VadEvent, VadEventType

START, FIRST, RESUMED, END, DISCARDED = (
    VadEventType.SPEECH_START,
    VadEventType.FIRST_SILENCE,
    VadEventType.SPEECH_RESUMED,
    VadEventType.SPEECH_END,
    VadEventType.SPEECH_DISCARDED,
)
PHRASE = "Do you have the blue running shoes in size nine?"


def noise(seconds: float, rate: int, level: float = 120.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0, level, int(seconds * rate)).astype(np.float32)


def mix(parts: list[np.ndarray], rate: int, level: float = 120.0) -> np.ndarray:
    """Concatenate int16 parts and add background noise over the whole stream."""
    clean = np.concatenate([p.astype(np.float32) for p in parts])
    noisy = clean + noise(clean.size / rate, rate, level)[: clean.size]
    return np.clip(np.rint(noisy), -32768, 32767).astype(np.int16)


def run(ep: Endpointer, samples: np.ndarray, seed: int = 0) -> list[VadEvent]:
    """Feed in chunks of random size (5-60 ms), as a network would, then flush."""
    rng = np.random.default_rng(seed)
    events: list[VadEvent] = []
    pos = 0
    while pos < samples.size:
        size = int(rng.integers(ep.sample_rate // 200, ep.sample_rate * 60 // 1000))
        events += ep.feed(samples[pos : pos + size])
        pos += size
    return events + ep.flush()


def kinds(events: list[VadEvent]) -> list[VadEventType]:
    return [e.type for e in events]


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_speech_in_noise_gives_start_and_end_with_precise_times(rate: int) -> None:
    speech = espeak_speech(PHRASE, rate)
    lead, tail = 1.0, 1.0
    stream = mix(
        [np.zeros(int(lead * rate), np.int16), speech, np.zeros(int(tail * rate), np.int16)], rate
    )
    true_start, true_end = lead, lead + speech.size / rate
    ep = Endpointer(rate, hangover_ms=300)
    events = run(ep, stream)

    starts = [e for e in events if e.type is START]
    ends = [e for e in events if e.type is END]
    assert len(starts) == 1 and len(ends) == 1, kinds(events)
    start, end = starts[0], ends[0]
    assert kinds(events)[0] is START and kinds(events)[-1] is END
    # Onset: the first frame of the voiced run, found within a frame or two of the truth,
    # and announced start_ms (+ a frame) later.
    assert true_start - 0.03 <= start.speech_start_s <= true_start + 0.08
    assert start.time_s - start.speech_start_s == pytest.approx(0.16, abs=0.021)
    # End: the energy end finds the true end within a frame (webrtcvad alone lags it by
    # 70-130 ms), and the decision comes exactly the hangover after it.
    assert true_end - 0.02 <= end.speech_end_s <= true_end + 0.02
    assert end.endpoint_lag_s == pytest.approx(0.3, abs=1e-6)
    assert end.time_s - true_end == pytest.approx(0.3, abs=0.02)
    assert end.utterance == 1 and not end.truncated
    # The utterance audio: 16 kHz int16 from onset minus pre-roll to 100 ms (the energy
    # tail, whole frames) past the speech end, so decaying phonemes are kept.
    assert end.audio is not None and end.audio.dtype == np.int16
    assert end.audio_start_s == pytest.approx(end.speech_start_s - 0.2, abs=1e-6)
    assert end.audio_end_s == pytest.approx(end.speech_end_s + 0.1, abs=1e-6)
    assert end.audio.size == pytest.approx((end.audio_end_s - end.audio_start_s) * 16000, abs=2)
    assert end.audio_f32 is not None and end.audio_f32.dtype == np.float32


def test_early_asr_audio_equals_final_audio_when_the_caller_does_not_resume() -> None:
    rate = 16000
    stream = mix(
        [np.zeros(rate, np.int16), espeak_speech(PHRASE, rate), np.zeros(rate, np.int16)], rate
    )
    events = run(Endpointer(rate), stream)
    end = events[-1]
    last_first = max(i for i, e in enumerate(events) if e.type is FIRST)
    assert RESUMED not in kinds(events[last_first:])
    early = events[last_first]
    assert early.time_s < end.time_s  # ASR can start this much earlier
    # Early ASR starts as soon as the 100 ms energy tail has been heard, hangover - tail
    # before the end decision.
    assert early.time_s == pytest.approx(early.audio_end_s, abs=1e-6)
    assert end.time_s - early.time_s == pytest.approx(0.2, abs=1e-6)
    assert early.audio is not None and end.audio is not None
    assert np.array_equal(early.audio, end.audio)
    assert early.speech_end_s == end.speech_end_s


@pytest.mark.parametrize("level", [0.0, 120.0, 400.0])
def test_energy_end_beats_webrtcvads_overhang_without_splitting_the_utterance(
    level: float,
) -> None:
    rate = 16000
    speech = espeak_speech(PHRASE, rate)
    stream = mix([np.zeros(rate, np.int16), speech, np.zeros(rate, np.int16)], rate, level)
    true_end = 1.0 + speech.size / rate
    by_energy = run(Endpointer(rate), stream)
    by_vad = run(Endpointer(rate, energy_end=False), stream)
    for events in (by_energy, by_vad):
        assert kinds(events).count(START) == 1 and kinds(events).count(END) == 1, kinds(events)
        assert RESUMED not in kinds(events)
    energy_end, vad_end = by_energy[-1], by_vad[-1]
    # webrtcvad's overhang: its last voiced frame is 70-130 ms after the true end.
    assert 0.07 <= vad_end.speech_end_s - true_end <= 0.13
    assert energy_end.time_s <= vad_end.time_s - 0.07
    assert energy_end.speech_end_s == pytest.approx(true_end, abs=0.02)
    assert energy_end.speech_start_s == vad_end.speech_start_s  # onset is unchanged


def test_a_quiet_gap_shorter_than_the_tail_is_not_a_pause() -> None:
    """A stop closure (a short drop to the background) fires no speculative ASR."""
    rate = 16000
    first = espeak_speech("I would like to order", rate)
    second = espeak_speech("the green rain jacket please", rate)
    gap = np.zeros(int(0.06 * rate), np.int16)  # 60 ms < the 100 ms tail
    stream = mix([np.zeros(rate, np.int16), first, gap, second, np.zeros(rate, np.int16)], rate)
    events = run(Endpointer(rate), stream)
    gap_start = 1.0 + first.size / rate
    assert kinds(events).count(START) == 1 and kinds(events).count(END) == 1
    assert not [e for e in events if e.type is FIRST and gap_start < e.time_s < gap_start + 0.2]


def test_short_pause_resumes_the_same_utterance() -> None:
    rate = 16000
    first = espeak_speech("I would like to order", rate)
    second = espeak_speech("the green rain jacket please", rate)
    gap = np.zeros(int(0.2 * rate), np.int16)  # shorter than the 300 ms hangover
    lead = np.zeros(rate, np.int16)
    stream = mix([lead, first, gap, second, np.zeros(rate, np.int16)], rate)
    events = run(Endpointer(rate, hangover_ms=300), stream)
    assert kinds(events).count(START) == 1 and kinds(events).count(END) == 1
    gap_start = (lead.size + first.size) / rate
    resumed = [e for e in events if e.type is RESUMED]
    assert any(e.time_s > gap_start + 0.2 for e in resumed), "no resume after the pause"
    # Every RESUMED follows a FIRST_SILENCE of the same utterance.
    for i, event in enumerate(events):
        if event.type is RESUMED:
            assert FIRST in kinds(events[:i])
    end = events[-1]
    whole = (first.size + gap.size + second.size) / rate
    assert end.speech_end_s - end.speech_start_s > whole - 0.15


def test_long_pause_splits_into_two_utterances() -> None:
    rate = 16000
    silence = np.zeros(rate, np.int16)
    stream = mix(
        [silence, espeak_speech("Where is my order?", rate), silence,
         espeak_speech("It was placed last week.", rate), silence],
        rate,
    )  # fmt: skip
    ends = [e for e in run(Endpointer(rate), stream) if e.type is END]
    assert [e.utterance for e in ends] == [1, 2]
    assert ends[0].speech_end_s < ends[1].speech_start_s


def test_noise_and_clicks_alone_never_start_speech() -> None:
    rate = 16000
    stream = mix([np.zeros(4 * rate, np.int16)], rate, level=300.0)
    for at in np.arange(0.3, 4.0, 0.5):  # 5 ms full-scale clicks
        i = int(at * rate)
        stream[i : i + 80] = np.where(np.arange(80) % 2, 30000, -30000)
    events = run(Endpointer(rate, aggressiveness=2), stream)
    assert events == []


def test_a_burst_shorter_than_min_speech_is_discarded_not_transcribed() -> None:
    rate = 16000
    word = espeak_speech("Oh", rate)
    silence = np.zeros(rate, np.int16)
    stream = mix([silence, word, silence], rate)
    events = run(Endpointer(rate, start_ms=120, min_speech_ms=2000), stream)
    assert kinds(events) == [START, DISCARDED]
    assert events[1].audio is None and events[1].speech_end_s is not None
    # The same burst with an ordinary minimum counts as speech.
    assert kinds(run(Endpointer(rate, start_ms=120, min_speech_ms=100), stream))[-1] is END


def test_flush_closes_an_open_utterance_and_max_length_truncates() -> None:
    rate = 16000
    speech = espeak_speech(PHRASE, rate)
    ep = Endpointer(rate)
    assert ep.utterance_so_far() is None
    events = ep.feed(mix([np.zeros(rate // 2, np.int16), speech], rate))
    assert START in kinds(events) and ep.in_speech
    so_far = ep.utterance_so_far()
    start = next(e for e in events if e.type is START)
    assert so_far is not None and so_far.dtype == np.int16
    assert so_far.size == pytest.approx(
        (ep.stream_time_s - start.speech_start_s + 0.2) * 16000, abs=2
    )
    closing = ep.flush()
    assert kinds(closing) == [END] and not ep.in_speech

    events = run(
        Endpointer(rate, max_utterance_s=1.0), mix([np.zeros(rate // 2, np.int16), speech], rate)
    )
    truncated = [e for e in events if e.type is END and e.truncated]
    assert truncated and truncated[0].audio is not None
    assert truncated[0].audio.size <= 16000 + 1


def test_bytes_and_arrays_give_the_same_events() -> None:
    rate = 8000
    stream = mix(
        [
            np.zeros(rate // 2, np.int16),
            espeak_speech("Hello there", rate),
            np.zeros(rate, np.int16),
        ],
        rate,
    )
    from_array = Endpointer(rate).feed(stream)
    from_bytes = Endpointer(rate).feed(int16_to_pcm16(stream))
    assert [(e.type, e.time_s) for e in from_array] == [(e.type, e.time_s) for e in from_bytes]
    assert from_array


def test_stream_time_and_reset() -> None:
    ep = Endpointer(48000)
    ep.feed(np.zeros(4800, np.int16))
    assert ep.stream_time_s == pytest.approx(0.1)
    ep.reset()
    assert ep.stream_time_s == 0.0 and not ep.in_speech


def test_24k_runs_the_classifier_at_16k_and_native_rates_run_natively() -> None:
    assert Endpointer(24000).vad_rate == 16000
    assert Endpointer(22050).vad_rate == 16000
    for rate in (8000, 16000, 32000, 48000):
        assert Endpointer(rate).vad_rate == rate


def test_bad_parameters_and_input() -> None:
    with pytest.raises(ValueError, match="frame_ms"):
        Endpointer(16000, frame_ms=25)
    with pytest.raises(ValueError, match="aggressiveness"):
        Endpointer(16000, aggressiveness=4)
    with pytest.raises(AudioFormatError):
        Endpointer(96000)
    with pytest.raises(AudioFormatError, match="odd length"):
        Endpointer(16000).feed(b"\x00\x00\x00")


def test_from_settings_uses_the_vad_settings(settings) -> None:
    tuned = settings.model_copy(
        update={"vad_frame_ms": 30, "vad_hangover_ms": 600, "vad_start_ms": 90}
    )
    ep = Endpointer.from_settings(tuned, 8000)
    assert (ep.frame_ms, ep.hangover_ms, ep.start_ms) == (30, 600, 90)
    assert ep.aggressiveness == settings.vad_aggressiveness
    assert ep.min_speech_ms == settings.vad_min_speech_ms
    assert ep.energy_end is settings.vad_energy_end is True
    off = settings.model_copy(update={"vad_energy_end": False})
    assert Endpointer.from_settings(off, 16000).energy_end is False


@pytest.mark.parametrize("frame_ms", [10, 30])
def test_other_frame_lengths_work(frame_ms: int) -> None:
    rate = 32000
    speech = resample(espeak_speech(PHRASE, 16000), 16000, rate)
    stream = mix([np.zeros(rate, np.int16), speech, np.zeros(rate, np.int16)], rate)
    events = run(Endpointer(rate, frame_ms=frame_ms), stream)
    assert kinds(events)[0] is START and kinds(events)[-1] is END


def test_warmup_hides_the_fresh_vad_calling_early_noise_speech() -> None:
    rate = 16000
    stream = mix([np.zeros(2 * rate, np.int16)], rate, level=150.0)
    cold = run(Endpointer(rate, start_ms=60, warmup_ms=0), stream)
    assert cold and cold[0].type is START and cold[0].speech_start_s == 0.0  # the quirk
    assert run(Endpointer(rate, start_ms=60), stream) == []
