"""``POST /alexa`` on a real server: signed requests from a local CA, the real brain
and database, a real loopback server receiving progressive responses."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hark.integrations.alexa.customers import link_customer
from hark.integrations.alexa.routes import announce_verification, configure_alexa
from hark.integrations.alexa.testing import (
    DEFAULT_CERT_URL,
    AlexaRequestSigner,
    LocalCertificateAuthority,
)
from hark.store.models import Conversation, Order, Turn

FIXTURES = Path(__file__).parent / "fixtures" / "alexa"
SKILL_ID = "amzn1.ask.skill.test-skill"
USER_ID = "amzn1.ask.account.ENDPOINT-TEST"
BAD_REQUEST = {"error": "bad request"}


@pytest.fixture(scope="module")
def ca() -> LocalCertificateAuthority:
    return LocalCertificateAuthority()


@pytest.fixture(scope="module")
def leaf(ca: LocalCertificateAuthority):  # noqa: ANN201
    issued = ca.issue_leaf()
    ca.publish(DEFAULT_CERT_URL, issued)
    return issued


class DirectiveSink:
    """A real HTTP server on loopback standing in for the Alexa Directive Service."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", "0"))
                sink.received.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[DirectiveSink]:
    server = DirectiveSink()
    yield server
    server.close()


class Caller:
    """One Echo user: builds real Alexa envelopes, signs them, posts them, keeps the session."""

    def __init__(self, base_url: str, signer: AlexaRequestSigner) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.signer = signer
        self.attributes: dict[str, Any] = {}
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"

    def post(self, request: dict[str, Any], *, new: bool = False) -> httpx.Response:
        envelope = self.signer.envelope(
            request, attributes=dict(self.attributes), new=new, session_id=self.session_id
        )
        body, headers = self.signer.signed(envelope)
        response = self.http.post("/alexa", content=body, headers=headers)
        if response.status_code == 200:
            self.attributes = response.json().get("sessionAttributes", self.attributes)
        return response

    def launch(self) -> dict[str, Any]:
        return self._ok(self.post({"type": "LaunchRequest"}, new=True))

    def say(self, utterance: str) -> dict[str, Any]:
        intent = {"name": "CatchAllIntent", "slots": {"utterance": {"name": "utterance", "value": utterance}}}
        return self._ok(self.post({"type": "IntentRequest", "intent": intent}))

    def intent(self, name: str, **slots: str) -> dict[str, Any]:
        intent = {"name": name, "slots": {k: {"name": k, "value": v} for k, v in slots.items()}}
        return self._ok(self.post({"type": "IntentRequest", "intent": intent}))

    def fixture(self, name: str) -> httpx.Response:
        raw = json.loads((FIXTURES / f"{name}.json").read_text())
        request = copy.deepcopy(raw["request"])
        for key in ("requestId", "timestamp"):
            request.pop(key, None)  # fresh ones, or the 150-second rule rejects it
        return self.post(request, new=raw["session"]["new"])

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["version"] == "1.0"
        return body


def speech(body: dict[str, Any]) -> str:
    ssml = body["response"]["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>")
    return ssml


@pytest.fixture
def alexa_server(make_app, live_server, ca, leaf):  # noqa: ANN001, ANN201
    """Start a verifying server; returns ``start(**configure_kwargs) -> (base_url, app)``."""

    def start(app=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        app = app or make_app()
        kwargs.setdefault("verify", True)
        kwargs.setdefault("skill_id", SKILL_ID)
        configure_alexa(app, fetcher=ca.fetcher, trust_roots=ca.trust_roots, **kwargs)
        return live_server(app).url, app

    return start


@pytest.fixture
def caller(alexa_server, leaf) -> Caller:  # noqa: ANN001
    base_url, _app = alexa_server()
    return Caller(base_url, AlexaRequestSigner(leaf, application_id=SKILL_ID, user_id=USER_ID))


# --- rejections -------------------------------------------------------------------------------
def test_an_unsigned_request_gets_a_bare_400(caller: Caller, caplog) -> None:  # noqa: ANN001
    body = json.dumps(caller.signer.envelope({"type": "LaunchRequest"})).encode()
    with caplog.at_level(logging.WARNING, logger="hark.alexa"):
        response = caller.http.post("/alexa", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == BAD_REQUEST
    assert any("missing SignatureCertChainUrl" in r.getMessage() for r in caplog.records)


def test_a_tampered_request_gets_a_bare_400(caller: Caller) -> None:
    envelope = caller.signer.envelope({"type": "LaunchRequest"})
    body, headers = caller.signer.signed(envelope)
    response = caller.http.post("/alexa", content=body.replace(b"TEST", b"TEST2"), headers=headers)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_a_request_for_another_skill_gets_a_bare_400(caller: Caller) -> None:
    caller.signer.application_id = "amzn1.ask.skill.someone-else"
    response = caller.post({"type": "LaunchRequest"}, new=True)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[1, 2, 3]", b'{"request": {}}', b""])
def test_broken_json_signed_by_alexa_gets_a_clean_400(caller: Caller, body: bytes) -> None:
    response = caller.http.post("/alexa", content=body, headers=caller.signer.sign(body))
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_an_unknown_request_type_gets_an_empty_alexa_response(caller: Caller) -> None:
    response = caller.fixture("unknown_type")
    assert response.status_code == 200
    assert response.json() == {"version": "1.0", "response": {}}


def test_turning_verification_off_is_loud(make_app, caplog) -> None:  # noqa: ANN001
    app = make_app()
    with caplog.at_level(logging.WARNING, logger="hark.alexa.verify"):
        announce_verification(app)
        announce_verification(app)  # once per app
    warnings = [r for r in caplog.records if "VERIFICATION IS OFF" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_verification_on_without_a_skill_id_warns(make_app, settings, caplog) -> None:  # noqa: ANN001
    app = make_app(settings.model_copy(update={"alexa_verify": True}))
    with caplog.at_level(logging.WARNING, logger="hark.alexa.verify"):
        announce_verification(app)
    assert any("HARK_ALEXA_SKILL_ID is not set" in r.getMessage() for r in caplog.records)


def test_with_verification_off_unsigned_requests_are_served(alexa_server, leaf) -> None:  # noqa: ANN001
    base_url, _ = alexa_server(verify=False)
    signer = AlexaRequestSigner(leaf, application_id="anything")
    body = json.dumps(signer.envelope({"type": "LaunchRequest"}, new=True)).encode()
    response = httpx.post(f"{base_url}/alexa", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["response"]["shouldEndSession"] is False
