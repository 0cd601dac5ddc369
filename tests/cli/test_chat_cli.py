"""``hark chat`` as a user runs it.

Every conversation scenario of test_dialogue_scenarios.py runs through
``hark chat --shop examples/shop --db <tmp> --json ...`` (the database is
given so the test can check the rows the conversation created). They run
in-process through ``hark.cli.main.main`` (the same parser, command and
JSON printer as the console script) because a fresh interpreter costs
~1.8 s per run; the real console script still runs in a subprocess for
the ``--json`` contract of a full multi-behaviour call, the interactive
prompt, the configured database and the error exits.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from dialogue.test_dialogue_scenarios import SCENARIOS, Scenario, Talk
from sqlalchemy import select

from hark.cli.main import main as cli_main
from hark.privacy.redact import redact
from hark.store.db import Database
from hark.store.models import Order

REPO = Path(__file__).resolve().parent.parent.parent
HARK = REPO / ".venv" / "bin" / "hark"
SHOP = REPO / "examples" / "shop"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update({"HARK_TODAY": "2026-11-24", "HARK_LOG_FORMAT": "json"}, **extra)
    return env


def hark(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(HARK)] if HARK.exists() else [sys.executable, "-m", "hark.cli"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or REPO,
        env=env or _env(),
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def chat_json(db_url: str, customer: str | None, utterances: list[str]) -> tuple[Talk, str]:
    args = ["chat", "--shop", str(SHOP), "--db", db_url, "--json"]
    if customer:
        args += ["--customer", customer]
    done = hark(*args, *utterances)
    assert done.returncode == 0, done.stderr
    return _events(done.stdout, utterances), done.stderr


def _events(stdout: str, utterances: list[str]) -> Talk:
    events = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert events[0]["event"] == "greeting"
    assert set(events[0]) >= {"text", "ssml"}
    assert all(e["event"] == "turn" for e in events[1:])
    for event, text in zip(events[1:], utterances, strict=False):
        # as stored: no card number echoed; an identity answer is only its placeholders
        assert event["user"] == redact(text).text or _placeholders_only(event["user"])
        assert set(event) >= {"reply", "ssml", "intent", "sentiment", "handoff", "cards", "end"}
    return Talk(events[0], events[1:])


def _placeholders_only(text: str) -> bool:
    return bool(text) and set(text.split()) <= {"[phone]", "[email]"}


def chat_in_process(
    capsys: pytest.CaptureFixture[str], db_url: str, customer: str | None, utterances: list[str]
) -> tuple[Talk, str]:
    """``hark chat ... --json`` through the CLI's own entry point, without a new interpreter."""
    args = ["chat", "--shop", str(SHOP), "--db", db_url, "--json"]
    if customer:
        args += ["--customer", customer]
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(""))  # no utterances: the prompt sees EOF
        assert cli_main([*args, *utterances]) == 0
    out = capsys.readouterr()
    return _events(out.out, utterances), out.err


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_through_hark_chat(
    scenario: Scenario,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in [k for k in os.environ if k.startswith("HARK_")]:
        monkeypatch.delenv(key)
    for key, value in _env().items():
        if key.startswith("HARK_"):
            monkeypatch.setenv(key, value)
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    before = [
        chat_in_process(capsys, url, customer, utterances)[0]
        for customer, utterances in scenario.before
    ]
    talk, stderr = chat_in_process(capsys, url, scenario.customer, scenario.utterances)
    db = Database(url)
    try:
        scenario.check(talk, db, before)
    finally:
        db.dispose()
    assert "4111" not in stderr  # nothing sensitive in the logs either


def test_console_script_json_contract_over_a_whole_call(tmp_path: Path) -> None:
    """The real ``hark`` executable: one call through support, sales, cart, checkout,
    privacy and goodbye, with the rows it made checked in the database."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    utterances = [
        "where is order two nine one five",
        "something to keep coffee hot",
        "add it",
        "no thanks",
        "my card number is 4111 1111 1111 1111",
        "check out",
        "yes",
        "bye",
    ]
    talk, stderr = chat_json(url, "C001", utterances)
    status, search, added, declined, card, checkout, placed, bye = talk.turns
    assert "automated assistant" in talk.greeting["text"]
    assert "2915" in status["reply"] and "delivered" in status["reply"].lower()
    assert search["cards"] and all(c["stock"] > 0 for c in search["cards"])
    assert added["intent"] == "add_to_cart"
    assert "4111" not in json.dumps(card) and "4111" not in stderr
    assert placed["end"] is False and bye["end"] is True
    for event in [talk.greeting, *talk.turns]:
        ElementTree.fromstring(event["ssml"])
    db = Database(url)
    try:
        with db.session() as session:
            orders = session.scalars(select(Order).where(Order.customer_id == "C001")).all()
            assert any(o.placed_at.isoformat() == "2026-11-24" for o in orders)
    finally:
        db.dispose()


def test_interactive_prompt_until_quit(tmp_path: Path) -> None:
    done = hark(
        "chat",
        "--shop",
        str(SHOP),
        stdin="where is order 3186\n555 010 0103\nquit\nnever read\n",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "automated assistant" in done.stdout
    assert "3186" in done.stdout and "delivered" in done.stdout
    assert "0103" not in done.stdout  # the phone number answered is never printed back
    assert "never read" not in done.stdout
    assert not (tmp_path / "data").exists()  # --shop alone used a throwaway database


def test_interactive_prompt_ends_on_eof_and_goodbye(tmp_path: Path) -> None:
    eof = hark("chat", "--shop", str(SHOP), "--json", stdin="hello\n", cwd=tmp_path)
    assert eof.returncode == 0, eof.stderr
    assert [json.loads(x)["event"] for x in eof.stdout.splitlines()] == ["greeting", "turn"]
    bye = hark("chat", "--shop", str(SHOP), "--json", "goodbye", "where is order 3186")
    events = [json.loads(x) for x in bye.stdout.splitlines()]
    assert events[-1]["end"] is True and len(events) == 2  # nothing after the goodbye


def test_configured_database_gets_the_sample_shop(tmp_path: Path) -> None:
    done = hark(
        "chat",
        "--json",
        "--customer",
        "C002",  # the operator's own tool vouches for the customer it names
        "where is order 7002",
        env=_env(HARK_DATA_DIR=str(tmp_path / "data")),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "shipped" in json.loads(done.stdout.splitlines()[1])["reply"]
    assert (tmp_path / "data" / "hark.db").exists()


def test_unknown_customer_and_bad_shop_are_clear_errors(tmp_path: Path) -> None:
    unknown = hark("chat", "--shop", str(SHOP), "--customer", "C999", "hi")
    assert unknown.returncode == 2
    assert "unknown customer: C999" in unknown.stderr and "Traceback" not in unknown.stderr
    missing = hark("chat", "--shop", str(tmp_path / "nope"), "hi")
    assert missing.returncode == 2
    assert "shop" in missing.stderr and "Traceback" not in missing.stderr
