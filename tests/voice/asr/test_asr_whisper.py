"""The faster-whisper engine on a random-weight model built offline (tests/modelfactory.py).

The model's words are meaningless; these tests check the real loading,
decoding and option plumbing, not recognition quality.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from doubles import ScriptedTranscriber

from hark.models.errors import ModelNotFound
from hark.voice.asr.base import Transcriber, Transcript
from hark.voice.asr.whisper import PROMPT_TOKEN_BUDGET, WhisperTranscriber
from hark.voice.audio.codecs import float32_to_int16
from hark.voice.errors import AudioFormatError


@pytest.fixture(scope="module")
def engine(tiny_whisper_dir: Path) -> WhisperTranscriber:
    return WhisperTranscriber(tiny_whisper_dir, cpu_threads=2, max_new_tokens=40)


def test_transcribes_speech_through_the_real_model(
    engine: WhisperTranscriber, asr_audio: np.ndarray
) -> None:
    result = engine.transcribe(asr_audio)
    assert isinstance(result, Transcript)
    assert result.text and result.text == result.text.strip()
    assert result.language == "en"
    assert result.duration_s == pytest.approx(2.0)
    assert result.segments and result.segments[0].text
    assert result.elapsed_s > 0
    assert isinstance(engine, Transcriber)


def test_int16_input_gives_the_same_result(
    engine: WhisperTranscriber, asr_audio: np.ndarray
) -> None:
    assert engine.transcribe(float32_to_int16(asr_audio)).text == engine.transcribe(asr_audio).text


def test_empty_and_malformed_audio(engine: WhisperTranscriber) -> None:
    empty = engine.transcribe(np.zeros(0, np.float32))
    assert empty.text == "" and empty.empty and empty.duration_s == 0.0
    with pytest.raises(AudioFormatError):
        engine.transcribe(np.zeros((2, 16000), np.float32))
    with pytest.raises(AudioFormatError):
        engine.transcribe(np.zeros(16000, np.int64))


def test_decoding_options_are_the_live_conversation_ones(engine: WhisperTranscriber) -> None:
    options = engine.transcribe_options()
    assert options["temperature"] == 0.0
    assert options["vad_filter"] is False
    assert options["condition_on_previous_text"] is False
    assert options["without_timestamps"] is True
    assert options["beam_size"] == 1 and options["language"] == "en"
    assert engine.compute_type == "int8"


def test_vocabulary_becomes_hotwords_and_reaches_the_decoder(
    tiny_whisper_dir: Path, asr_audio: np.ndarray
) -> None:
    plain = WhisperTranscriber(tiny_whisper_dir, max_new_tokens=40)
    biased = WhisperTranscriber(
        tiny_whisper_dir, max_new_tokens=40,
        vocabulary=["Aurora Desk Lamp", "Trail Runner Shoes", "aurora  desk lamp", " "],
    )  # fmt: skip
    assert biased.vocabulary_prompt == "Aurora Desk Lamp, Trail Runner Shoes."
    assert biased.transcribe_options()["hotwords"] == biased.vocabulary_prompt
    assert "hotwords" not in plain.transcribe_options()
    # The prompt conditions the decoder, so even random weights decode differently.
    assert biased.transcribe(asr_audio).text != plain.transcribe(asr_audio).text
    biased.set_vocabulary([])
    assert biased.vocabulary_prompt is None
    assert biased.transcribe(asr_audio).text == plain.transcribe(asr_audio).text


def test_vocabulary_as_initial_prompt_and_budget(tiny_whisper_dir: Path) -> None:
    engine = WhisperTranscriber(tiny_whisper_dir, vocabulary_mode="initial_prompt")
    engine.set_vocabulary(f"Product number {i}" for i in range(500))
    prompt = engine.vocabulary_prompt
    assert prompt and engine.transcribe_options()["initial_prompt"] == prompt
    assert prompt.startswith("Product number 0, Product number 1,")
    tokens = engine._model.hf_tokenizer.encode(" " + prompt, add_special_tokens=False).ids
    assert len(tokens) <= PROMPT_TOKEN_BUDGET + 1
    with pytest.raises(ValueError, match="vocabulary_mode"):
        WhisperTranscriber(tiny_whisper_dir, vocabulary_mode="prefix")  # type: ignore[arg-type]


def test_max_new_tokens_bounds_the_work(tiny_whisper_dir: Path, asr_audio: np.ndarray) -> None:
    short = WhisperTranscriber(tiny_whisper_dir, max_new_tokens=10).transcribe(asr_audio)
    long = WhisperTranscriber(tiny_whisper_dir, max_new_tokens=60).transcribe(asr_audio)
    assert 0 < len(short.text) < len(long.text)


def test_concurrent_calls_from_threads_agree_with_serial(
    engine: WhisperTranscriber, asr_audio: np.ndarray
) -> None:
    clips = [asr_audio, asr_audio[:16000], asr_audio * 0.5, asr_audio[8000:]]
    serial = [engine.transcribe(c).text for c in clips]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = engine.transcribe(clips[i]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clips))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [results[i] for i in range(len(clips))] == serial


def test_model_by_name_resolves_under_models_dir(tiny_whisper_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(tiny_whisper_dir, tmp_path / "whisper" / "base")
    engine = WhisperTranscriber("base", models_dir=tmp_path)
    assert engine.path == tmp_path / "whisper" / "base"
    assert "base" in engine.describe() and "int8" in engine.describe()


def test_missing_model_is_one_line_naming_path_and_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as caught:
        WhisperTranscriber("base.en", models_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(tmp_path / "whisper" / "base.en") in message
    assert "hark models download --asr base.en" in message
    assert caught.value.command == "hark models download --asr base.en"


def test_folder_without_tokenizer_is_reported_not_fetched(
    tiny_whisper_dir: Path, tmp_path: Path
) -> None:
    broken = shutil.copytree(tiny_whisper_dir, tmp_path / "whisper" / "base")
    (broken / "tokenizer.json").unlink()
    with pytest.raises(ModelNotFound, match=r"tokenizer\.json is missing"):
        WhisperTranscriber(broken)
    with pytest.raises(ModelNotFound, match="no folder"):
        WhisperTranscriber(tmp_path / "nowhere")


def test_from_settings(voice_settings) -> None:
    engine = WhisperTranscriber.from_settings(voice_settings, vocabulary=["Aurora Desk Lamp"])
    assert engine.path == Path(voice_settings.asr_model)
    assert engine.beam_size == voice_settings.asr_beam_size
    assert engine.vocabulary_prompt == "Aurora Desk Lamp."


def test_scripted_transcriber_double_follows_the_protocol(asr_audio: np.ndarray) -> None:
    double = ScriptedTranscriber(["hello", "bye"])
    assert isinstance(double, Transcriber)
    assert [double.transcribe(asr_audio).text for _ in range(3)] == ["hello", "bye", "bye"]
    assert double.calls == [pytest.approx(2.0)] * 3


def test_window_is_sized_to_the_utterance_with_a_margin() -> None:
    from hark.voice.asr.window import window_frames

    assert window_frames(3.0, 15.0) == 1500  # a caller's line: the configured window
    assert window_frames(14.5, 15.0) == 1650  # a long line keeps 2 s of padding after it
    assert window_frames(3.0, 30.0) is None  # 30 s: Whisper's own full window
    assert window_frames(29.0, 15.0) is None  # longer audio: faster-whisper's 30 s windows


def test_encoder_reads_only_the_window_and_decodes_the_same_way(
    tiny_whisper_dir: Path, asr_audio: np.ndarray
) -> None:
    windowed = WhisperTranscriber(tiny_whisper_dir, max_new_tokens=20, window_s=10.0)
    full = WhisperTranscriber(tiny_whisper_dir, max_new_tokens=20, window_s=30.0)
    got = windowed.transcribe(asr_audio)
    assert windowed._model.encoded_frames[-1] == 1000
    assert full.transcribe(asr_audio).text and full._model.encoded_frames[-1] == 3000
    assert got.text and got.duration_s == pytest.approx(2.0)
    assert "window 10 s" in windowed.describe()
    long_audio = np.zeros(16000 * 12, np.float32)  # 12 s: window grows to 14 s
    windowed.transcribe(long_audio)
    assert windowed._model.encoded_frames[-1] == 1400
    with pytest.raises(ValueError, match="window_s"):
        WhisperTranscriber(tiny_whisper_dir, window_s=31)
