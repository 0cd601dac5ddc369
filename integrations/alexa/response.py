"""Turn a brain ``Reply`` into an Alexa response that Alexa will accept.

Alexa rejects (and the user hears an error chime for) a response whose
speech is over 8,000 characters, whose JSON is over 24 KB, or whose SSML is
not well-formed. So speech is validated and escaped here, trimmed at a
sentence boundary when too long, and the response is shrunk in a fixed
order (card detail first, then the card, then the reprompt, then speech)
until it fits.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from hark.skills.reply import Card, Reply

MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
MAX_CARD_CHARS = 8000
DEFAULT_REPROMPT = "What else can I help you with?"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def escape_text(text: str) -> str:
    """Plain text made safe inside ``<speak>``: XML-escaped, control characters dropped."""
    return escape(_CONTROL.sub("", text), {'"': "&quot;"})


def wrap(inner: str) -> str:
    return f"<speak>{inner}</speak>"


def text_ssml(text: str) -> str:
    return wrap(escape_text(text))


def _well_formed(ssml: str) -> bool:
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError:
        return False
    return root.tag == "speak"


def reply_ssml(reply: Reply) -> str:
    """The reply's own SSML when it is well-formed, else its text escaped."""
    ssml = _CONTROL.sub("", (reply.ssml or "").strip())
    if ssml:
        if not ssml.startswith("<speak"):
            ssml = wrap(ssml)
        if _well_formed(ssml):
            return ssml
    return text_ssml(reply.text)


def inner_ssml(ssml: str) -> str:
    """The content of a ``<speak>`` document, to join two of them into one."""
    match = re.fullmatch(r"\s*<speak[^>]*>(.*)</speak>\s*", ssml, flags=re.S)
    return match.group(1) if match else escape_text(ssml)


def trim_text(text: str, fits: Any) -> str:
    """The longest run of whole sentences for which ``fits(candidate)`` holds.

    A single sentence longer than the limit is cut at a word boundary and
    ends with an ellipsis, so the caller never hears half a word.
    """
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if not fits(candidate):
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    words = text.split()
    low, high = 0, len(words)
    while low < high:  # binary search on word count: sentences can be very long
        mid = (low + high + 1) // 2
        if fits(" ".join(words[:mid]) + "…"):
            low = mid
        else:
            high = mid - 1
    return " ".join(words[:low]) + "…" if low else ""


def fit_speech(ssml: str, text: str, limit: int = MAX_SPEECH_CHARS) -> str:
    """Speech within Alexa's character limit, falling back to trimmed plain text."""
    if len(ssml) <= limit:
        return ssml
    trimmed = trim_text(text, lambda t: len(text_ssml(t)) <= limit)
    return text_ssml(trimmed)


def reprompt_text(reply_text: str) -> str:
    """Re-ask the reply's closing question, or a generic prompt if it ended without one."""
    sentences = [s for s in _SENTENCE_END.split(reply_text.strip()) if s]
    if sentences and sentences[-1].endswith("?") and len(sentences[-1]) <= 300:
        return sentences[-1]
    return DEFAULT_REPROMPT


def money(value: float, currency: str) -> str:
    return f"${value:,.2f}" if currency.upper() == "USD" else f"{value:,.2f} {currency}"


def standard_card(
    cards: list[Card], *, title: str, currency: str, detail: bool = True
) -> dict[str, Any]:
    """A Standard card listing the products (no image: the shop has no image URLs)."""
    blocks: list[str] = []
    for card in cards:
        stock = f"in stock ({card.stock})" if card.stock > 0 else "out of stock"
        line = f"{card.name} — {money(card.price, currency)} — {stock}"
        if detail and card.description:
            line += f"\n{card.description}"
        blocks.append(line)
    text = "\n\n".join(blocks)
    if len(title) + len(text) > MAX_CARD_CHARS:
        text = text[: MAX_CARD_CHARS - len(title) - 1].rstrip() + "…"
    return {"type": "Standard", "title": title, "text": text}


def speech_response(
    ssml: str,
    *,
    end: bool,
    reprompt: str | None = None,
    card: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response: dict[str, Any] = {"outputSpeech": {"type": "SSML", "ssml": ssml}}
    if card:
        response["card"] = card
    if reprompt and not end:
        response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": text_ssml(reprompt)}}
    response["shouldEndSession"] = end
    body: dict[str, Any] = {"version": "1.0", "response": response}
    if attributes is not None:
        body["sessionAttributes"] = attributes
    return body


def response_size(body: dict[str, Any]) -> int:
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def build_reply_response(
    reply: Reply,
    *,
    end: bool,
    attributes: dict[str, Any] | None,
    currency: str = "USD",
    card_title: str = "Products",
    lead_text: str = "",
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> dict[str, Any]:
    """The full response for a reply, within every Alexa limit.

    ``lead_text`` is spoken first, e.g. the assistant's introduction on a
    one-shot request.
    """
    text = f"{lead_text} {reply.text}".strip() if lead_text else reply.text
    ssml = reply_ssml(reply)
    if lead_text:
        ssml = wrap(f"{escape_text(lead_text)} {inner_ssml(ssml)}")
    speech = fit_speech(ssml, text)
    reprompt = None if end else reprompt_text(reply.text)
    card = standard_card(reply.cards, title=card_title, currency=currency) if reply.cards else None
    body = speech_response(speech, end=end, reprompt=reprompt, card=card, attributes=attributes)
    if response_size(body) <= max_bytes:
        return body
    # Too big: shed the least important parts first.
    if reply.cards:
        card = standard_card(reply.cards, title=card_title, currency=currency, detail=False)
        body = speech_response(speech, end=end, reprompt=reprompt, card=card, attributes=attributes)
        if response_size(body) <= max_bytes:
            return body
        body = speech_response(speech, end=end, reprompt=reprompt, attributes=attributes)
        if response_size(body) <= max_bytes:
            return body
    if reprompt and reprompt != DEFAULT_REPROMPT:
        reprompt = DEFAULT_REPROMPT
        body = speech_response(speech, end=end, reprompt=reprompt, attributes=attributes)
        if response_size(body) <= max_bytes:
            return body

    def fits(candidate: str) -> bool:
        trial = speech_response(
            text_ssml(candidate), end=end, reprompt=reprompt, attributes=attributes
        )
        return len(text_ssml(candidate)) <= MAX_SPEECH_CHARS and response_size(trial) <= max_bytes

    trimmed = trim_text(text, fits)
    return speech_response(text_ssml(trimmed), end=end, reprompt=reprompt, attributes=attributes)


def empty_response() -> dict[str, Any]:
    """The only valid answer to SessionEndedRequest (and to events Hark ignores)."""
    return {"version": "1.0", "response": {}}
