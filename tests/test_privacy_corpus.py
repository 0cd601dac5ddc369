"""No raw personal data anywhere: the corpus through HTTP and WebSocket, then a search.

Every conversation of the corpus (``privacy_corpus.py``; the held-out part in
``privacy_corpus_holdout.py``) is sent to a real server on loopback, once as
HTTP turns and once as WebSocket ``text`` messages, each followed by a turn
the skills can't place, so the optional LLM is asked and sees the recent
turns. The LLM is a TEST DOUBLE of an OpenAI-compatible server that records
every request. Then the captured log output (Hark's own JSON handler, at
DEBUG), a dump of every column of every table, and the recorded prompts are
searched for every secret: none may be found. The figures per part and per
place are printed (``pytest -s``) so the held-out result is seen on its own.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
import pytest
from openai_double import Say, ScriptedLLM
from privacy_corpus import TUNING, Case
from privacy_corpus_holdout import HELD_OUT
from privacy_search import digits_view, leaked, text_view
from sqlalchemy import inspect, text
from voice_client import VoiceClient

from hark.dialogue.manager import DialogueManager
from hark.voice.session import VoiceOptions

OUT_OF_SCOPE = "tell me a joke about all that"
PARTS = {"tuning": TUNING, "held_out": HELD_OUT}
SPOKEN_WORDS = ("one", "two", "three", "four", "five", "oh", " at ", " dot ")


def test_the_corpus_covers_every_kind_written_and_spoken() -> None:
    cases = TUNING + HELD_OUT
    assert sum(len(c.turns) for c in cases) >= 100
    kinds = Counter(c.kind for c in cases)
    for kind in ("card", "card-split", "code", "expiry", "email", "phone", "ssn", "address", "dob"):
        assert kinds[kind] >= 3, kind
        turns = " ".join(t.lower() for c in cases if c.kind == kind for t in c.turns)
        assert any(ch.isdigit() for ch in turns) or "@" in turns, f"{kind}: no written form"
        assert any(w in f" {turns} " for w in SPOKEN_WORDS), f"{kind}: no spoken form"
    assert all(len(c.turns) > 1 for c in cases if c.kind == "card-split")


def _dump(db) -> str:
    """Every column of every table, as text."""
    lines: list[str] = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                lines.append(
                    f"{table}: "
                    + " | ".join(
                        json.dumps(v) if isinstance(v, dict | list) else str(v) for v in row
                    )
                )
    return "\n".join(lines)


async def _over_websocket(url: str, case: Case) -> None:
    async with VoiceClient.connect(url) as client:
        await client.start(16000)
        await client.wait_for("reply")  # the greeting
        for utterance in (*case.turns, OUT_OF_SCOPE):
            mark = client.mark()
            await client.send_json({"type": "text", "text": utterance})
            await client.wait_for("turn_metrics", since=mark)
        await client.send_json({"type": "stop"})
        await client.wait_closed()


def _over_http(client: httpx.Client, case: Case) -> None:
    started = client.post("/v1/conversations", json={"channel": "api"})
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation_id"]
    for utterance in (*case.turns, OUT_OF_SCOPE):
        response = client.post(
            f"/v1/conversations/{conversation_id}/turns", json={"text": utterance}
        )
        assert response.status_code == 200, response.text
    assert client.get(f"/v1/conversations/{conversation_id}").status_code == 200


@pytest.mark.parametrize("part", list(PARTS))
def test_no_raw_value_in_logs_database_or_prompts(
    part, settings, db, make_app, live_server, captured_logs, capsys
) -> None:
    cases = PARTS[part]
    llm = ScriptedLLM([Say("I'm not sure about that, but I can connect you with a person.")])
    try:
        llm_settings = settings.model_copy(
            update={
                "llm_base_url": llm.url,
                "llm_model": "recorder",
                "llm_timeout_s": 5.0,
                "rate_limit": "off",  # one client sends the whole corpus in seconds
            }
        )
        manager = DialogueManager(db, llm_settings)
        app = make_app(llm_settings, dialogue=manager)
        app.state.voice_options = VoiceOptions(partial_interval_s=None)
        server = live_server(app)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for case in cases:
                _over_http(client, case)
        for case in cases:
            asyncio.run(_over_websocket(f"{server.ws_url}/v1/voice", case))
        prompts = json.dumps(llm.requests, ensure_ascii=False)
    finally:
        llm.close()
    assert len(llm.requests) >= 2 * len(cases), "the LLM must have been asked after every case"
    places = {"log": captured_logs.getvalue(), "database": _dump(db), "prompts": prompts}
    views = {name: (digits_view(hay), text_view(hay)) for name, hay in places.items()}
    found: list[str] = []
    per_place = Counter()
    secrets = 0
    for case in cases:
        for secret in case.secrets:
            secrets += 1
            for place, (digits, words) in views.items():
                if leaked(secret, digits, words):
                    per_place[place] += 1
                    found.append(f"{place}: {secret!r} from {case.turns}")
    with capsys.disabled():
        print(
            f"\nprivacy corpus, {part}: {len(cases)} conversations, "
            f"{sum(len(c.turns) for c in cases)} utterances, {secrets} secrets, each searched "
            f"in {', '.join(places)}; found: {len(found)} "
            f"({', '.join(f'{p} {per_place[p]}' for p in places)})"
        )
    assert not found, "\n".join(found)
