"""Build real, loadable speech models with random weights, offline, in milliseconds.

No test may download a model, yet the faster-whisper and piper code paths
must really run. These builders write the same files the real models have
(tiny random weights, the real loading and inference code):

* ``build_whisper(folder, ...)``: a CTranslate2 Whisper model folder
  (``model.bin``, ``config.json``, ``vocabulary.json``) plus the
  ``tokenizer.json`` faster-whisper needs to stay offline. At the default
  size it is ~1 MB and builds in a few hundredths of a second; with the real
  dimensions (``WHISPER_SIZES``) it costs what a real model costs per
  encoder call and decoded token, which is what the benchmarks need.
* ``build_piper_voice(path, ...)``: an ONNX graph with piper's input/output
  contract plus its ``.onnx.json``. It sings one tone per phoneme id; the
  tone's length follows ``length_scale`` and its pitch the speaker id, so
  tests can see that those settings reach the model.

The weights are random, so the Whisper "words" are meaningless: tests that
need a known transcript use a scripted ``Transcriber`` (``tests/doubles.py``).
To keep the output non-empty, the decoder's output bias pushes every token
except lowercase letters and the word separator far down, and with
``eot_bias`` the end-of-text token too, so decoding runs to the token limit:
a fixed amount of work per call, as a benchmark wants.

Used by ``tests/fixtures_voice.py`` and by ``bench/`` (which puts ``tests/``
on ``sys.path``). Needs ``ctranslate2``, ``tokenizers``, ``onnx`` (dev extra).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import numpy as np

N_MELS: Final = 80
WHISPER_SIZES: Final[dict[str, dict[str, int]]] = {
    # name: width, encoder/decoder layers, heads, vocabulary (the real models' numbers)
    "tiny.en": {"d": 384, "layers": 4, "heads": 6, "vocab": 51864},
    "base.en": {"d": 512, "layers": 6, "heads": 8, "vocab": 51864},
    "small.en": {"d": 768, "layers": 12, "heads": 12, "vocab": 51864},
}
"""Real Whisper dimensions, for ``build_whisper(folder, **WHISPER_SIZES["tiny.en"])``."""

_LANGUAGES: Final[tuple[str, ...]] = tuple(
    [
        "en",
        "zh",
        "de",
        "es",
        "ru",
        "ko",
        "fr",
        "ja",
        "pt",
        "tr",
        "pl",
        "ca",
        "nl",
        "ar",
        "sv",
        "it",
        "id",
        "hi",
        "fi",
        "vi",
        "he",
        "uk",
        "el",
        "ms",
        "cs",
        "ro",
        "da",
        "hu",
        "ta",
        "no",
        "th",
        "ur",
        "hr",
        "bg",
        "lt",
        "la",
        "mi",
        "ml",
        "cy",
        "sk",
        "te",
        "fa",
        "lv",
        "bn",
        "sr",
        "az",
        "sl",
        "kn",
        "et",
        "mk",
        "br",
        "eu",
        "is",
        "hy",
        "ne",
        "mn",
        "bs",
        "kk",
        "sq",
        "sw",
        "gl",
        "mr",
        "pa",
        "si",
        "km",
        "sn",
        "yo",
        "so",
        "af",
        "oc",
        "ka",
        "be",
        "tg",
        "sd",
        "gu",
        "am",
        "yi",
        "lo",
        "uz",
        "fo",
        "ht",
        "ps",
        "tk",
        "nn",
        "mt",
        "sa",
        "lb",
        "my",
        "bo",
        "tl",
        "mg",
        "as",
        "tt",
        "haw",
        "ln",
        "ha",
        "ba",
        "jw",
        "su",
    ]
)  # Whisper's language tokens, in its order
_TASK_SPECIALS: Final = (
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nocaptions|>",
    "<|notimestamps|>",
)


def _byte_alphabet() -> list[str]:
    """GPT-2's byte-to-printable-character table, in token-id order (ids 0-255)."""
    printable = list(range(ord("!"), ord("~") + 1))
    printable += list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars: dict[int, str] = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    order = printable + [b for b in range(256) if b not in printable]
    return [chars[b] for b in order]


def whisper_vocabulary(vocab_size: int | None = None) -> tuple[list[str], int]:
    """Tokens in id order and the id of ``<|endoftext|>``.

    Layout as OpenAI's: text tokens (the 256 byte tokens, then fillers up to
    the requested size), ``<|endoftext|>``, ``<|startoftranscript|>``,
    languages, task tokens, ``<|notimestamps|>``, then ``<|0.00|>``..``<|30.00|>``.
    """
    specials = ["<|endoftext|>", "<|startoftranscript|>"]
    specials += [f"<|{code}|>" for code in _LANGUAGES] + list(_TASK_SPECIALS)
    specials += [f"<|{i * 0.02:.2f}|>" for i in range(1501)]
    text = _byte_alphabet()
    if vocab_size is not None:
        fillers = vocab_size - len(text) - len(specials)
        if fillers < 0:
            raise ValueError(f"vocab must be at least {len(text) + len(specials)}")
        text += [f"<filler{i}>" for i in range(fillers)]
    return text + specials, len(text)


def _write_tokenizer(folder: Path, tokens: list[str], eot_id: int) -> None:
    """A byte-level BPE ``tokenizer.json`` (no merges) with the same ids as the model."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    vocab = {token: i for i, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True) for t in tokens[eot_id:]])
    tokenizer.save(str(folder / "tokenizer.json"))


def build_whisper(
    folder: str | Path,
    *,
    d: int = 64,
    layers: int = 2,
    heads: int = 4,
    vocab: int | None = None,
    seed: int = 0,
    eot_bias: float = -30.0,
    quantization: str = "int8",
) -> Path:
    """Write a random-weight faster-whisper model folder; return its path.

    ``d``/``layers``/``heads`` are the width, encoder and decoder depth and
    attention heads; ``vocab`` pads the vocabulary to a real size (51864 for
    the ``.en`` models; ``None`` keeps the minimum, 1864). A vocabulary under
    51865 makes CTranslate2 treat the model as English-only, as ``tiny.en``.
    ``eot_bias`` < 0 suppresses end-of-text so every call decodes up to the
    token limit (``max_new_tokens``); use 0.0 to let it stop where it likes.
    """
    import ctranslate2

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tokens, eot_id = whisper_vocabulary(vocab)
    v = len(tokens)
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * (1.0 / np.sqrt(shape[-1]))).astype(np.float32)

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, np.float32)

    def norm(spec: object) -> None:
        spec.gamma = np.ones(d, np.float32)  # type: ignore[attr-defined]
        spec.beta = zeros(d)  # type: ignore[attr-defined]

    def attention(spec: object, fused: bool) -> None:
        linear = spec.linear  # type: ignore[attr-defined]
        norm(spec.layer_norm)  # type: ignore[attr-defined]
        if fused:  # self-attention: one fused q/k/v projection
            linear[0].weight, linear[0].bias = w(3 * d, d), zeros(3 * d)
            linear[1].weight, linear[1].bias = w(d, d), zeros(d)
        else:  # cross-attention: q from the decoder, fused k/v from the encoder
            linear[0].weight, linear[0].bias = w(d, d), zeros(d)
            linear[1].weight, linear[1].bias = w(2 * d, d), zeros(2 * d)
            linear[2].weight, linear[2].bias = w(d, d), zeros(d)

    def ffn(spec: object) -> None:
        norm(spec.layer_norm)  # type: ignore[attr-defined]
        spec.linear_0.weight, spec.linear_0.bias = w(4 * d, d), zeros(4 * d)  # type: ignore[attr-defined]
        spec.linear_1.weight, spec.linear_1.bias = w(d, 4 * d), zeros(d)  # type: ignore[attr-defined]

    spec = ctranslate2.specs.WhisperSpec(layers, heads, layers, heads)
    enc = spec.encoder
    enc.conv1.weight, enc.conv1.bias = w(d, N_MELS, 3), zeros(d)
    enc.conv2.weight, enc.conv2.bias = w(d, d, 3), zeros(d)
    enc.position_encodings.encodings = w(1500, d)
    norm(enc.layer_norm)
    for layer in enc.layer:
        attention(layer.self_attention, fused=True)
        ffn(layer.ffn)
    dec = spec.decoder
    dec.embeddings.weight = w(v, d)
    dec.position_encodings.encodings = w(448, d)
    norm(dec.layer_norm)
    for layer in dec.layer:
        attention(layer.self_attention, fused=True)
        attention(layer.attention, fused=False)
        ffn(layer.ffn)
    dec.projection.weight = w(v, d)
    dec.projection.bias = _projection_bias(tokens, eot_id, eot_bias)

    timestamp_begin = tokens.index("<|0.00|>")
    spec.config.suppress_ids = [
        tokens.index("<|startoftranscript|>"),
        tokens.index("<|startofprev|>"),
    ]
    spec.config.suppress_ids_begin = [eot_id, tokens.index("Ġ")]
    spec.config.lang_ids = [tokens.index(f"<|{code}|>") for code in _LANGUAGES]
    spec.config.alignment_heads = [
        (layers // 2 + i, h) for i in range(layers - layers // 2) for h in range(heads)
    ]
    spec.register_vocabulary(tokens)
    spec.validate()
    spec.optimize(quantization=quantization)
    spec.save(str(out))
    _write_tokenizer(out, tokens, eot_id)
    assert timestamp_begin == tokens.index("<|notimestamps|>") + 1
    return out


def _projection_bias(tokens: list[str], eot_id: int, eot_bias: float) -> np.ndarray:
    """Favour lowercase letters and the word separator so random weights emit text."""
    bias = np.full(len(tokens), -40.0, np.float32)
    for char in "abcdefghijklmnopqrstuvwxyz":
        bias[tokens.index(char)] = 0.0
    bias[tokens.index("Ġ")] = 0.0
    bias[eot_id] = eot_bias
    return bias


def build_piper_voice(
    onnx_path: str | Path,
    *,
    sample_rate: int = 16000,
    num_speakers: int = 1,
    samples_per_phoneme: int = 80,
) -> Path:
    """Write a tiny piper voice (``X.onnx`` + ``X.onnx.json``); return the ``.onnx`` path.

    The graph takes piper's inputs (``input`` int64 [1,T], ``input_lengths``
    int64 [1], ``scales`` float32 [3] = noise, length, noise_w; plus ``sid``
    int64 [1] for multi-speaker voices) and returns float32 [1,1,N]: for
    each phoneme id a tone of ``samples_per_phoneme * length_scale`` samples
    at 150 + 5*id (+ 100*sid) Hz.
    """
    import onnx
    from onnx import TensorProto, helper
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    path = Path(onnx_path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def const(name: str, value: np.ndarray) -> onnx.NodeProto:
        return helper.make_node(
            "Constant", [], [name], value=onnx.numpy_helper.from_array(value, name)
        )

    nodes = [
        const("per_phoneme", np.array([float(samples_per_phoneme)], np.float32)),
        const("length_index", np.array([1], np.int64)),
        const("zero", np.array(0.0, np.float32)),
        const("one", np.array(1.0, np.float32)),
        const("rate", np.array(float(sample_rate), np.float32)),
        const("base_hz", np.array(150.0, np.float32)),
        const("hz_per_id", np.array(5.0, np.float32)),
        const("two_pi", np.array(2.0 * np.pi, np.float32)),
        const("out_shape", np.array([1, 1, -1], np.int64)),
        const("last_axis", np.array([-1], np.int64)),
        helper.make_node("Gather", ["scales", "length_index"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["per_phoneme", "length_scale"], ["n_float"]),
        helper.make_node("Ceil", ["n_float"], ["n_ceil"]),
        helper.make_node("Squeeze", ["n_ceil"], ["n_scalar"]),
        helper.make_node("Range", ["zero", "n_scalar", "one"], ["steps"]),
        helper.make_node("Div", ["steps", "rate"], ["seconds"]),  # [n]
        helper.make_node("Cast", ["input"], ["ids"], to=TensorProto.FLOAT),  # [1,T]
        helper.make_node("Mul", ["ids", "hz_per_id"], ["id_hz"]),
        helper.make_node("Add", ["id_hz", "base_hz"], ["hz"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "T"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    pitch = "hz"
    if num_speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        nodes += [
            const("hz_per_speaker", np.array(100.0, np.float32)),
            helper.make_node("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["sid_f", "hz_per_speaker"], ["speaker_hz"]),
            helper.make_node("Add", ["hz", "speaker_hz"], ["hz_speaker"]),
        ]
        pitch = "hz_speaker"
    nodes += [
        helper.make_node("Unsqueeze", [pitch, "last_axis"], ["hz3"]),  # [1,T,1]
        helper.make_node("Mul", ["hz3", "seconds"], ["cycles"]),  # [1,T,n]
        helper.make_node("Mul", ["cycles", "two_pi"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tones"]),
        helper.make_node("Reshape", ["tones", "out_shape"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "hark_test_voice",
        inputs,
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "N"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    config = {
        "audio": {"sample_rate": sample_rate, "quality": "test"},
        "espeak": {"voice": "en-us"},
        "phoneme_type": "espeak",
        "num_symbols": max(i for ids in DEFAULT_PHONEME_ID_MAP.values() for i in ids) + 1,
        "num_speakers": num_speakers,
        "speaker_id_map": {f"speaker{i}": i for i in range(num_speakers)}
        if num_speakers > 1
        else {},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "piper_version": "1.0.0",
    }
    Path(f"{path}.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path
