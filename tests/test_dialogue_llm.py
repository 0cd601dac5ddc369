"""The optional LLM planner: used only for turns the skills can't place, fed only
redacted text, and never able to break a turn (errors and timeouts fall back)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hark.dialogue.llm import LlmPlanner, PlannerRequest, build_messages, clean_answer
from hark.dialogue.manager import DialogueManager
from hark.skills.identity import Identity


class ScriptedPlanner:
    """TEST DOUBLE ``Planner``: answers from a script and records what it was asked."""

    def __init__(self, answer: str | None) -> None:
        self.answer_text = answer
        self.requests: list[PlannerRequest] = []

    def answer(self, request: PlannerRequest) -> str | None:
        self.requests.append(request)
        return self.answer_text


class FakeOpenAIServer:
    """TEST DOUBLE of an OpenAI-compatible server on loopback (real HTTP, real ``openai`` client)."""

    def __init__(self, content: str, delay_s: float = 0.0) -> None:
        self.bodies: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append(body)
                time.sleep(delay_s)
                payload = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                    }
                ).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_planner_answers_only_what_the_skills_cannot(db, settings) -> None:
    planner = ScriptedPlanner("We're a friendly shop. I can help with orders and products.")
    manager = DialogueManager(db, settings, planner=planner)
    conversation_id, _ = manager.start_conversation("kiosk", "C003", identity=Identity.VERIFIED)
    status = manager.turn(conversation_id, "where is order 3186")
    assert "3186" in status.text and planner.requests == []  # handled offline
    odd = manager.turn(conversation_id, "tell me a joke about my card 4111 1111 1111 1111")
    assert odd.text.endswith("I can help with orders and products.")
    assert planner.requests and "4111" not in planner.requests[0].text


def test_no_answer_keeps_the_built_in_reply(db, settings) -> None:
    manager = DialogueManager(db, settings, planner=ScriptedPlanner(None))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "blorp flim zazz")
    assert "didn't understand" in reply.text


def test_real_client_against_a_compatible_server(db, settings) -> None:
    server = FakeOpenAIServer("**Sure!** We have a `store` in town.\n- Open daily.")
    try:
        llm_settings = settings.model_copy(update={"llm_base_url": server.url, "llm_model": "tiny"})
        manager = DialogueManager(db, llm_settings)
        assert isinstance(manager.planner, LlmPlanner)
        conversation_id, _ = manager.start_conversation("kiosk")
        reply = manager.turn(conversation_id, "my email is jo@example.com, do you like jazz")
        assert reply.text == "Sure! We have a store in town. Open daily."
        sent = json.dumps(server.bodies[0])
        assert server.bodies[0]["model"] == "tiny"
        assert "jo@example.com" not in sent and "[email]" in sent
    finally:
        server.close()


def test_timeout_falls_back_quickly(db, settings) -> None:
    server = FakeOpenAIServer("too late", delay_s=3.0)
    try:
        slow = settings.model_copy(update={"llm_base_url": server.url, "llm_timeout_s": 0.3})
        manager = DialogueManager(db, slow)
        conversation_id, _ = manager.start_conversation("kiosk")
        started = time.perf_counter()
        reply = manager.turn(conversation_id, "blorp flim zazz")
        assert time.perf_counter() - started < 2.5
        assert "didn't understand" in reply.text
    finally:
        server.close()


def test_prompt_has_shop_facts_and_answers_are_cleaned() -> None:
    request = PlannerRequest(
        text="do you have tents",
        intent="out_of_scope",
        shop_name="S",
        assistant_name="A",
        faq=[("Q?", "Ans.")],
        products=[
            {"name": "Tent", "category": "outdoor", "price": 9.5, "stock": 0, "description": "Dry."}
        ],
    )
    messages = build_messages(request)
    assert "Tent" in messages[0]["content"] and "out of stock" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": "do you have tents"}
    assert clean_answer("") is None and clean_answer("   ") is None
    assert clean_answer("# Hi\n* one\n* two") == "Hi one two"
    assert len(clean_answer("word. " * 300)) <= 600


@pytest.mark.parametrize("url", [None, ""])
def test_no_url_no_planner(db, settings, url) -> None:
    assert DialogueManager(db, settings.model_copy(update={"llm_base_url": url})).planner is None
