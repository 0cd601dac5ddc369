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
import datetime as dt
import json
import string
import unicodedata
from collections import Counter

import httpx
import pytest
import regex
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openai_double import Say, ScriptedLLM
from privacy_corpus import TUNING, Case
from privacy_corpus_holdout import HELD_OUT
from privacy_search import digits_view, leaked, text_view
from sqlalchemy import inspect, text
from voice_client import VoiceClient

from hark.dialogue.manager import DialogueManager
from hark.language.normalize import normalize_tokens
from hark.privacy.redact import RedactionMemory, redact
from hark.voice.turn.session import VoiceOptions

OUT_OF_SCOPE = "tell me a joke about all that"
PARTS = {"tuning": TUNING, "held_out": HELD_OUT}
SPOKEN_WORDS = ("one", "two", "three", "four", "five", "oh", " at ", " dot ")
TODAY = dt.date(2026, 11, 30)


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


# --- what a person can't see ------------------------------------------------------------
def _unseen_alphabet() -> tuple[str, ...]:
    """Characters a reader does not see, generated from Unicode's own tables: every
    ``Default_Ignorable_Code_Point`` (zero-width spaces and joiners, U+034F, the variation
    selectors such as U+FE0F, the Hangul fillers such as U+3164, tag characters), and every
    nonspacing or enclosing mark that composes with no ASCII letter or digit (U+0334, U+20DD;
    one that does, as U+0301 on "e", makes a letter a person sees as another one)."""
    ignorable = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    alnum = string.ascii_letters + string.digits
    chars: list[str] = []
    for code in range(0x110000):
        ch = chr(code)
        if "\ud800" <= ch <= "\udfff":
            continue
        unseen_mark = unicodedata.category(ch) in ("Mn", "Me") and all(
            len(unicodedata.normalize("NFKC", base + ch)) == 2 for base in alnum
        )
        if unseen_mark or ignorable.match(ch):
            chars.append(ch)
    return tuple(chars)


UNSEEN = _unseen_alphabet()
_UNSEEN_SET = frozenset(UNSEEN)
JOINERS = frozenset("\u200c\u200d")


def test_the_unseen_alphabet_is_unicodes_not_a_hand_list() -> None:
    for ch in ("\u200b", "\u200c", "\u200d", "\u034f", "\ufe0f", "\u3164", "\u00ad", "\u2060"):
        assert ch in _UNSEEN_SET, hex(ord(ch))
    assert "\u0301" not in _UNSEEN_SET and "\u0334" in _UNSEEN_SET  # composes / does not
    assert len(UNSEEN) > 4000


def _sprinkle(data, text: str) -> str:
    """``text`` with 1-8 unseen characters at positions Hypothesis chooses (a joiner never
    between two non-ASCII characters, where it shapes the text and a person sees that)."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 8), label="how many")):
        at = data.draw(st.integers(0, len(chars)), label="where")
        ch = data.draw(st.sampled_from(UNSEEN), label="which")
        around = chars[max(at - 1, 0) : at + 1]
        if ch in JOINERS and len(around) == 2 and not any(c.isascii() for c in around):
            ch = "\u200b"
        chars.insert(at, ch)
    return "".join(chars)


@pytest.mark.parametrize("part", list(PARTS))
def test_unseen_characters_anywhere_hide_no_secret(part) -> None:
    """Every corpus conversation, with unseen characters sprinkled into its turns, leaves no
    secret in the stored (redacted) text, and the NLU reads each turn as without them."""
    cases = PARTS[part]

    @hypothesis_settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(data=st.data())
    def check(data) -> None:
        found: list[str] = []
        for case in cases:  # every conversation, each example sprinkled anew
            memory = RedactionMemory()
            stored: list[str] = []
            for turn in case.turns:
                sprinkled = _sprinkle(data, turn)
                assert normalize_tokens(sprinkled) == normalize_tokens(turn), repr(sprinkled)
                result = redact(sprinkled, memory, region="US", today=TODAY)
                memory = result.memory or memory
                stored.append(result.text)
            # What a person reads back: the output without the characters nobody sees.
            seen = "".join(ch for ch in "\n".join(stored) if ch not in _UNSEEN_SET)
            found += [
                f"{secret!r} from {stored}"
                for secret in case.secrets
                if leaked(secret, digits_view(seen), text_view(seen))
            ]
        assert not found, "\n".join(found)

    check()
