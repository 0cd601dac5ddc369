"""Health endpoints against a real server on loopback, and `hark serve` itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.ports import free_port

from hark.server.app import create_app


def test_healthz_readyz_and_docs(settings, live_server) -> None:
    server = live_server(
        create_app(settings)
    )  # production start-up path: services built in lifespan
    health = httpx.get(f"{server.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.headers["x-request-id"]
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["database"]["ok"]
    assert set(ready["engines"]) >= {"asr", "tts", "llm"}
    # No model on disk in tests: each engine says why, naming the command that fetches it.
    assert not ready["engines"]["asr"]["loaded"]
    assert "hark models download" in ready["engines"]["asr"]["detail"]
    assert "hark models download" in ready["engines"]["tts"]["detail"]
    assert "HARK_LLM_BASE_URL" in ready["engines"]["llm"]["detail"]
    assert httpx.get(f"{server.url}/docs").status_code == 200
    assert "/healthz" in httpx.get(f"{server.url}/openapi.json").json()["paths"]


def test_readyz_reports_unreachable_database(make_app, live_server) -> None:
    from sqlalchemy import create_engine

    app = make_app()
    server = live_server(app)
    # A database file that cannot be opened: readiness must say so, liveness must not care.
    app.state.services.db.engine = create_engine("sqlite:////proc/no-such-dir/hark.db")
    response = httpx.get(f"{server.url}/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and not body["database"]["ok"]
    assert "OperationalError" in body["database"]["detail"]
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_hark_serve_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HARK_")},
        "HARK_PORT": str(port),
        "HARK_DATA_DIR": str(tmp_path / "data"),
        "HARK_LOG_FORMAT": "json",
        "HARK_MODELS_AUTO_DOWNLOAD": "false",  # no hub or registry; the fetch has its own tests
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hark.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not answer within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert ready["status"] == "ready"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert proc.returncode in (0, -15)
    assert '"msg": "loaded the sample shop"' in output
    assert "Traceback" not in output


def test_metrics_count_text_turns(make_app, live_server) -> None:
    server = live_server(make_app())
    started = httpx.post(f"{server.url}/v1/conversations", json={"channel": "kiosk"}).json()
    turn = httpx.post(
        f"{server.url}/v1/conversations/{started['conversation_id']}/turns",
        json={"text": "get me a real person"},
    ).json()
    assert turn["handoff"]
    text = httpx.get(f"{server.url}/metrics").text
    assert 'hark_turns_total{channel="http",intent="human_agent"}' in text
    assert 'hark_handoffs_total{channel="http"}' in text
    assert 'hark_turn_stage_seconds_count{channel="http",stage="dialogue"}' in text
