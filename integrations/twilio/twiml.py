"""TwiML documents Hark answers with, built by the helper library (never by string pasting).

Every spoken text goes through ``<Say>``: plain text, no SSML (the brain's
SSML is for engines that take it; Twilio's ``<Say>`` would read tags aloud
or reject them). URLs are absolute, built from ``HARK_PUBLIC_URL``, because
they are what Twilio signs when it calls them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

LANGUAGE = "en-US"
HINT_CHARS = 100  # Twilio: each hint at most 100 characters
MAX_HINTS = 100


def speech_hints(names: Iterable[str]) -> str:
    """Product names as ``<Gather hints>``: comma-separated phrases, commas removed inside."""
    hints: list[str] = []
    seen: set[str] = set()
    for name in names:
        phrase = " ".join(name.replace(",", " ").split())[:HINT_CHARS].strip()
        if phrase and phrase.lower() not in seen:
            seen.add(phrase.lower())
            hints.append(phrase)
        if len(hints) >= MAX_HINTS:
            break
    return ", ".join(hints)


def _say(parent: VoiceResponse | Gather, text: str) -> None:
    if text.strip():
        parent.say(text, language=LANGUAGE)


def gather(text: str, action: str, *, hints: str = "", keypad_only: bool = False) -> str:
    """Say ``text`` while listening for speech and keys; the answer goes to ``action``.

    ``actionOnEmptyResult`` makes silence come back to ``action`` too (so Hark
    can count it and re-prompt); the ``<Redirect>`` covers an account where
    that attribute is ignored. ``keypad_only`` is the menu: one key ends it.
    """
    response = VoiceResponse()
    options: dict[str, object] = {
        "input": "speech dtmf",
        "action": action,
        "method": "POST",
        "timeout": 6,
        "speech_timeout": "auto",
        "language": LANGUAGE,
        "action_on_empty_result": True,
        "finish_on_key": "#",
    }
    if hints:
        options["hints"] = hints
    if keypad_only:
        options["num_digits"] = 1
    listen = response.gather(**options)
    _say(listen, text)
    response.redirect(action, method="POST")
    return str(response)


def connect_stream(stream_url: str, parameters: Mapping[str, str], action: str) -> str:
    """``<Connect><Stream>``: a bidirectional Media Stream (stream URLs take no query string,
    so what the session needs rides in ``<Parameter>``s)."""
    response = VoiceResponse()
    connect = response.connect(action=action, method="POST")
    stream = connect.stream(url=stream_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    return str(response)


def transfer(lead: str, agent: str, *, whisper_url: str, action: str, timeout_s: int = 20) -> str:
    """A warm transfer: the agent's leg first runs ``whisper_url`` (the summary), then the
    caller is connected; ``action`` hears how the dial ended (no answer: offer a callback)."""
    response = VoiceResponse()
    _say(response, lead)
    dial = Dial(action=action, method="POST", timeout=timeout_s, answer_on_bridge=True)
    if agent.lower().startswith("sip:"):
        dial.sip(agent, url=whisper_url, method="POST")
    else:
        dial.number(agent, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


def whisper(text: str) -> str:
    """What the agent hears before the caller is put through."""
    response = VoiceResponse()
    _say(response, text)
    return str(response)


def offer_callback(text: str, action: str, *, otherwise: str) -> str:
    """Ask yes/no (speech or keys 1/2); silence is a no, said with ``otherwise``."""
    response = VoiceResponse()
    listen = response.gather(
        input="speech dtmf",
        action=action,
        method="POST",
        timeout=6,
        speech_timeout="auto",
        num_digits=1,
        language=LANGUAGE,
    )
    _say(listen, text)
    _say(response, otherwise)
    response.hangup()
    return str(response)


def say_and_hang_up(text: str) -> str:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return str(response)


def say_and_redirect(text: str, url: str) -> str:
    response = VoiceResponse()
    _say(response, text)
    response.redirect(url, method="POST")
    return str(response)


def empty_voice() -> str:
    return str(VoiceResponse())


def message(body: str) -> str:
    """A text reply: one ``<Message>`` (or none for an empty body)."""
    response = MessagingResponse()
    if body:
        response.message(body)
    return str(response)
