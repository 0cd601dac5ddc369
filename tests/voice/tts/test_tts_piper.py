"""Sentence chunking and the piper engine on a tiny ONNX voice built offline.

The test voice sings one tone per phoneme id (tests/modelfactory.py), so its
output length follows the phonemes and ``length_scale`` and its pitch follows
the speaker: enough to see that the real piper code path carries our settings.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from doubles import ToneSynthesizer

from hark.models.errors import ModelNotFound
from hark.voice.tts.base import Synthesizer
from hark.voice.tts.chunking import split_sentences
from hark.voice.tts.piper import PiperSynthesizer

REPLY = "The Aurora Desk Lamp costs $24.99. Dr. Lee loves it! Want one, e.g. in blue?"


# --------------------------------------------------------------------------- chunking
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (REPLY, ["The Aurora Desk Lamp costs $24.99.", "Dr. Lee loves it!", "Want one, e.g. in blue?"]),
        ("It costs $24. Want it?", ["It costs $24.", "Want it?"]),
        ("It is 3.5 mm wide. Yes.", ["It is 3.5 mm wide.", "Yes."]),
        ("Ships approx. two weeks. Ok.", ["Ships approx. two weeks.", "Ok."]),
        ("No. Order No. 5 ships Dec. 24. Thanks!", ["No.", "Order No. 5 ships Dec. 24.", "Thanks!"]),
        ("Ask J. R. Smith. He knows.", ["Ask J. R. Smith.", "He knows."]),
        ('He said "Hi." Then left.', ['He said "Hi."', "Then left."]),
        ("Wait... What?! Really?", ["Wait...", "What?!", "Really?"]),
        ("First line\nSecond line", ["First line", "Second line"]),
        ("  spaced   out  text ", ["spaced out text"]),
        ("", []),
        (" ... :-) ", []),
    ],
)  # fmt: skip
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_long_sentences_are_cut_at_clause_marks() -> None:
    text = "We have lamps, chairs, desks, shelves, rugs, mirrors, " * 8 + "and more."
    pieces = split_sentences(text, max_chars=120)
    assert len(pieces) > 1 and all(len(p) <= 120 for p in pieces)
    assert all(p.endswith(",") for p in pieces[:-1])
    assert " ".join(pieces) == " ".join(text.split())


# --------------------------------------------------------------------------- piper
@pytest.fixture(scope="module")
def voice(tiny_piper_voice: Path) -> PiperSynthesizer:
    return PiperSynthesizer(tiny_piper_voice)


def test_one_int16_chunk_per_sentence(voice: PiperSynthesizer) -> None:
    assert isinstance(voice, Synthesizer)
    assert voice.sample_rate == 16000
    chunks = list(voice.synthesize(REPLY))
    assert len(chunks) == len(split_sentences(REPLY)) == 3
    for chunk in chunks:
        assert chunk.dtype == np.int16 and chunk.ndim == 1 and chunk.size > 0
        assert np.abs(chunk).max() > 30000  # piper peak-normalises each chunk
    # Longer sentences have more phonemes, so more samples.
    assert chunks[0].size > chunks[1].size


def test_synthesis_is_lazy_one_sentence_per_pull(tiny_piper_voice: Path) -> None:
    class Recording(PiperSynthesizer):
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            self.done: list[str] = []

        def synthesize_sentence(self, sentence: str) -> np.ndarray:
            self.done.append(sentence)
            return super().synthesize_sentence(sentence)

    engine = Recording(tiny_piper_voice)
    chunks = engine.synthesize(REPLY)
    assert engine.done == []
    next(chunks)
    assert engine.done == ["The Aurora Desk Lamp costs $24.99."]
    next(chunks)
    assert len(engine.done) == 2


def test_length_scale_stretches_the_audio(tiny_piper_voice: Path) -> None:
    normal = PiperSynthesizer(tiny_piper_voice).synthesize_sentence("Hello there.")
    slow = PiperSynthesizer(tiny_piper_voice, length_scale=2.0).synthesize_sentence("Hello there.")
    assert slow.size == pytest.approx(2 * normal.size, rel=0.02)
    with pytest.raises(ValueError, match="length_scale"):
        PiperSynthesizer(tiny_piper_voice, length_scale=0)


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


def test_speaker_reaches_the_model(tiny_piper_voice_multi: Path, tiny_piper_voice: Path) -> None:
    low = PiperSynthesizer(tiny_piper_voice_multi, speaker=0).synthesize_sentence("Ah.")
    high = PiperSynthesizer(tiny_piper_voice_multi, speaker=2).synthesize_sentence("Ah.")
    assert _dominant_hz(high, 16000) > _dominant_hz(low, 16000) + 150
    with pytest.raises(ValueError, match="speaker 3 does not exist"):
        PiperSynthesizer(tiny_piper_voice_multi, speaker=3)
    with pytest.raises(ValueError, match="1 speaker"):
        PiperSynthesizer(tiny_piper_voice, speaker=1)


def test_nothing_to_say_yields_nothing(voice: PiperSynthesizer) -> None:
    assert list(voice.synthesize("")) == []
    assert list(voice.synthesize(" ... ")) == []


def test_concurrent_synthesis_from_threads(voice: PiperSynthesizer) -> None:
    texts = [REPLY, "Hello.", "Your order ships tomorrow. Anything else?"]
    serial = [[c.tobytes() for c in voice.synthesize(t)] for t in texts]
    results: dict[int, list[bytes]] = {}

    def work(i: int) -> None:
        results[i] = [c.tobytes() for c in voice.synthesize(texts[i])]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [results[i] for i in range(len(texts))] == serial


def test_voice_by_name_and_missing_files(tiny_piper_voice: Path, tmp_path: Path) -> None:
    piper_dir = tmp_path / "piper"
    piper_dir.mkdir()
    shutil.copy(tiny_piper_voice, piper_dir / "en_US-joe-medium.onnx")
    with pytest.raises(ModelNotFound) as caught:
        PiperSynthesizer("en_US-joe-medium", models_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message and "en_US-joe-medium.onnx.json" in message
    assert "hark models download --voice en_US-joe-medium" in message
    shutil.copy(f"{tiny_piper_voice}.json", piper_dir / "en_US-joe-medium.onnx.json")
    engine = PiperSynthesizer("en_US-joe-medium", models_dir=tmp_path)
    assert engine.name == "en_US-joe-medium" and "16000 Hz" in engine.describe()
    with pytest.raises(ModelNotFound, match="hark models download --voice en_GB-alan-low"):
        PiperSynthesizer("en_GB-alan-low", models_dir=tmp_path)
    with pytest.raises(ModelNotFound, match="no file"):
        PiperSynthesizer(tmp_path / "elsewhere.onnx")


def test_from_settings(voice_settings) -> None:
    engine = PiperSynthesizer.from_settings(voice_settings, length_scale=1.5)
    assert engine.path == Path(voice_settings.tts_voice) and engine.length_scale == 1.5


def test_tone_synthesizer_double_follows_the_protocol() -> None:
    double = ToneSynthesizer(seconds_per_word=0.1)
    assert isinstance(double, Synthesizer)
    chunks = list(double.synthesize("One two. Three."))
    assert [c.size for c in chunks] == [3200, 1600]
    assert double.spoken == ["One two.", "Three."]
