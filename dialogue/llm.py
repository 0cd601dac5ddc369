"""Optional LLM planner: a better answer for turns the built-in skills can't place.

Used only when ``settings.llm_base_url`` is set, and only for turns the
offline NLU could not handle (out of scope, an FAQ miss). It talks to any
OpenAI-compatible server (vLLM, llama.cpp, Ollama) with the ``openai``
client. What it sends is already redacted, and it carries only shop context
(FAQ entries, matching products, the last few turns): no names, no numbers
from cards. Any error or timeout returns None and the built-in answer
stands, so a slow or dead LLM never breaks a call.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hark.privacy.redact import redact

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger("hark.dialogue.llm")

MAX_ANSWER_CHARS = 600
_SYSTEM = (
    "You are {assistant}, the automated voice assistant of the shop {shop}. "
    "Answer the customer's last message in at most three short spoken sentences, plain text, "
    "no lists, no markdown. Use ONLY the shop facts given below; never invent prices, "
    "policies, order details or products. If the facts don't answer it, say you're not sure "
    "and offer to connect them with a person. Never ask for card numbers: payment is on file."
)


@dataclass
class PlannerRequest:
    """Everything the planner may see: redacted, shop-only context."""

    text: str
    intent: str
    shop_name: str
    assistant_name: str
    faq: list[tuple[str, str]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    recent: list[dict[str, str]] = field(default_factory=list)


class Planner(Protocol):
    """Anything that can answer a turn the skills could not (or decline with None)."""

    def answer(self, request: PlannerRequest) -> str | None: ...


def build_messages(request: PlannerRequest) -> list[ChatCompletionMessageParam]:
    facts: list[str] = []
    for question, answer in request.faq:
        facts.append(f"FAQ: {question} -> {answer}")
    for p in request.products:
        stock = "in stock" if p.get("stock", 0) > 0 else "out of stock"
        facts.append(
            f"Product: {p['name']} ({p['category']}), {p['price']:.2f}, {stock}. "
            f"{p.get('description', '')}"
        )
    system = _SYSTEM.format(assistant=request.assistant_name, shop=request.shop_name)
    if facts:
        system += "\n\nShop facts:\n" + "\n".join(facts)
    messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": system}]
    for turn in request.recent[-4:]:
        content = redact(turn.get("text", "")).text
        if turn.get("role") == "assistant":
            messages.append({"role": "assistant", "content": content})
        else:
            messages.append({"role": "user", "content": content})
    if not request.recent or request.recent[-1].get("text") != request.text:
        messages.append({"role": "user", "content": redact(request.text).text})
    return messages


def clean_answer(text: str | None) -> str | None:
    """Plain speakable text, or None when the model gave nothing usable."""
    if not text:
        return None
    text = re.sub(r"[*_#`>|]+", " ", text)
    text = re.sub(r"^\s*[-•]\s*", "", text, flags=re.MULTILINE)
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > MAX_ANSWER_CHARS:
        cut = text[:MAX_ANSWER_CHARS]
        text = cut[: cut.rfind(".") + 1] or cut
    return redact(text).text


class LlmPlanner:
    """OpenAI-compatible chat completions with a hard timeout and no retries."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 8.0
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.timeout_s = timeout_s
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
        )

    @classmethod
    def from_settings(cls, settings: Any) -> LlmPlanner | None:
        if not settings.llm_base_url:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_s)

    def answer(self, request: PlannerRequest) -> str | None:
        started = time.perf_counter()
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=build_messages(request),
                temperature=0.2,
                max_tokens=160,
            )
            content = response.choices[0].message.content if response.choices else None
        except Exception as exc:
            log.warning(
                "llm planner failed, using the built-in answer",
                extra={
                    "error": type(exc).__name__,
                    "ms": round((time.perf_counter() - started) * 1000),
                },
            )
            return None
        log.info(
            "llm planner answered", extra={"ms": round((time.perf_counter() - started) * 1000)}
        )
        return clean_answer(content)
