"""What an LLM adds to the time before Hark starts speaking, per mode, on the voice path.

    .venv/bin/python bench/llm_latency.py [--runs 10] [--first-token-ms 300] [--word-ms 30]

A real server on loopback runs the real ``VoiceSession`` and
``DialogueManager`` with a real piper voice (``en_US-joe-medium`` from the
real-model cache, fetched by ``tools/fetch_real_models.py``; the tiny test
voice if that fails, and the table says so). The LLM is the scripted
OpenAI-compatible server of the tests (``tests/openai_double.py``, real HTTP
and server-sent events): it answers after ``--first-token-ms`` and then
writes one word every ``--word-ms`` (300 ms and 30 ms: a small model on a
GPU; a hosted model is usually slower to its first token). Turns are typed
``text`` messages (each one cutting the previous reply short, see ``one_turn``), so speech recognition (which an LLM does not change) is
left out and the figure is the one the LLM moves: text in -> first reply
audio byte (``first_audio_ms`` of ``turn_metrics``).

Two kinds of turn, each in every mode:

* placed: "where is order 7002", which the built-in NLU handles. In
  ``always`` mode the LLM calls ``get_order_status`` and reports the result.
* unplaced: a turn the NLU can't place. Without an LLM Hark says it didn't
  understand; with one (``fallback`` or ``always``) the LLM answers.

The added latency is each mode's median minus the no-LLM median of the same
kind of turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from harness import LiveServer, RealModelsUnavailable, real_model_paths  # first: tests/ helpers

# isort: split

PLACED = "where is order 7002"
UNPLACED = "tell me something nice about your shop"
ANSWER = (
    "We're a small shop that cares about good everyday things. "
    "Everything we sell is picked by our own team, and returns are easy."
)


def voice_path() -> tuple[Path, str]:
    """The real piper voice from the real-model cache, else the tiny test voice."""
    try:
        path = Path(real_model_paths()["piper_voice"])
        if path.is_file():
            return path, "piper en_US-joe-medium (real weights)"
    except (RealModelsUnavailable, subprocess.SubprocessError, OSError, ValueError, KeyError):
        pass
    from modelfactory import build_piper_voice

    folder = Path(tempfile.mkdtemp(prefix="hark-bench-voice-"))
    return build_piper_voice(folder / "en_US-test-medium.onnx"), "tiny test voice (no real model)"


def responder(first_token_s: float, word_s: float):
    """The scripted model: a tool call for order questions, quoting the tool's result
    after it, and a short answer to anything else."""
    from openai_double import Call, QuoteTool, Say

    def respond(body: dict[str, Any]):
        messages = body.get("messages", [])
        last = messages[-1] if messages else {}
        if last.get("role") == "tool":
            return QuoteTool(prefix="", first_delay_s=first_token_s, gap_s=word_s)
        if "order" in str(last.get("content", "")):
            return Call([("get_order_status", {"order_id": "7002"})], first_delay_s=first_token_s)
        words = [w + " " for w in ANSWER.split()]
        return Say(ANSWER, pieces=words, first_delay_s=first_token_s, gap_s=word_s)

    return respond


async def one_turn(client: Any, text: str) -> float:
    """first_audio_ms of one typed turn. The server sends audio unpaced (a long
    ``lead_s``), so ``audio_end`` means all of the reply is synthesised; the next turn
    then cuts only its playback (as a caller talking over it), the same small cost
    for every row, and no synthesis of one turn competes with the next."""
    mark = client.mark()
    await client.send_json({"type": "text", "text": text})
    metrics = (await client.wait_for("turn_metrics", since=mark, timeout=30)).event
    await client.wait_for("audio_end", since=mark, timeout=30)
    return float((metrics or {})["first_audio_ms"])


def start_server(mode: str, voice: Path, llm_url: str | None) -> tuple[LiveServer, Any, str]:
    """A server whose brain uses the LLM in ``mode`` (no LLM when ``llm_url`` is None)."""
    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services
    from hark.voice.tts.piper import PiperSynthesizer
    from hark.voice.turn.session import VoiceOptions

    data = tempfile.mkdtemp(prefix="hark-bench-llm-")
    llm: dict[str, Any] = {}
    if llm_url is not None:
        llm = {"llm_base_url": llm_url, "llm_model": "scripted", "llm_mode": mode}
    settings = load_settings(
        data_dir=data, log_level="WARNING", log_format="text", tts_voice=str(voice), **llm
    )
    services = build_services(
        settings, load_engines=False, synthesizer=PiperSynthesizer.from_settings(settings)
    )
    app = create_app(settings, services)
    app.state.voice_options = VoiceOptions(partial_interval_s=None, lead_s=60.0)
    server = LiveServer(app, log_level="warning").start()
    return server, services, f"ws://127.0.0.1:{server.port}/v1/voice"


def run_all(voice: Path, runs: int, llm_url: str) -> dict[str, dict[str, list[float]]]:
    """Every mode and kind of turn, interleaved run by run, so a change in the machine's
    load (2 shared cores) hits every row alike; one conversation per mode and kind."""
    modes = {"no LLM": ("fallback", None), "fallback": ("fallback", llm_url),
             "always": ("always", llm_url)}  # fmt: skip
    kinds = {"placed": PLACED, "unplaced": UNPLACED}
    servers = {name: start_server(mode, voice, url) for name, (mode, url) in modes.items()}

    async def measure_all() -> dict[str, dict[str, list[float]]]:
        from contextlib import AsyncExitStack

        from voice_client import VoiceClient

        results: dict[str, dict[str, list[float]]] = {m: {k: [] for k in kinds} for m in modes}
        async with AsyncExitStack() as stack:
            clients = {}
            for name, (_, _, url) in servers.items():
                for kind in kinds:
                    client = await stack.enter_async_context(VoiceClient.connect(url))
                    await client.start(16000)
                    await client.wait_for("reply")
                    await one_turn(client, PLACED)  # warm-up: first synthesis, connection
                    clients[name, kind] = client
            for _ in range(runs):
                for (name, kind), client in clients.items():
                    results[name][kind].append(await one_turn(client, kinds[kind]))
        return results

    try:
        return asyncio.run(measure_all())
    finally:
        for server, services, _ in servers.values():
            server.stop()
            services.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--first-token-ms", type=float, default=300.0)
    parser.add_argument("--word-ms", type=float, default=30.0)
    args = parser.parse_args()

    from openai_double import ScriptedLLM

    voice, voice_name = voice_path()
    script = responder(args.first_token_ms / 1000, args.word_ms / 1000)
    with ScriptedLLM([script]) as llm:
        results = run_all(voice, args.runs, llm.url)
        requests = len(llm.requests)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"LLM latency on the voice path: {args.runs} typed turns per row, {voice_name}; "
        f"scripted LLM: first token {args.first_token_ms:.0f} ms, a word every "
        f"{args.word_ms:.0f} ms ({requests} requests); load average {load}"
    )
    print()
    print("| mode | turn | first audio p50 (ms) | p95 (ms) | added vs no LLM, p50 (ms) |")
    print("| --- | --- | --- | --- | --- |")
    for mode, kinds in results.items():
        for kind, values in kinds.items():
            base = statistics.median(results["no LLM"][kind])
            median = statistics.median(values)
            added = "" if mode == "no LLM" else f"{median - base:+.0f}"
            print(f"| {mode} | {kind} | {median:.0f} | {p95(values):.0f} | {added} |")


if __name__ == "__main__":
    main()
