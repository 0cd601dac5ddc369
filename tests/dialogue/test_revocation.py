"""The opt-out recogniser hears the meaning "stop contacting me", not a list of phrases:
paraphrases it was not written from are recognised, near misses are not."""

from __future__ import annotations

import pytest

from hark.dialogue.consent_requests import keyword
from hark.dialogue.revocation import revokes_contact

# Held out: written after the recogniser, phrased the way people text and talk.
REVOKING = [
    "stop calling me",
    "stop texting me",
    "Don't contact me again",
    "please never text me again",
    "I do not want to be contacted",
    "no more calls please",
    "Quit sending me messages!",
    "take me off your list",
    "unsubscribe me",
    "I'd rather not get these calls",
    "can you stop ringing this number",
    "leave me alone",
    "I want you to stop messaging me",
    "Please stop with the texts",
    "Enough with the phone calls",
    "you can stop emailing me now",
    "opt me out",
    "I don't want any more texts from you",
    "stop bothering me",
    "do not call this number again",
    "I no longer want your messages",
    "Please don't ring me again",
    "stop sending me updates",
    "could you not call me anymore",
    "remove my number from your system",
    "I withdraw my consent",
]
NOT_REVOKING = [
    "when will it get here?",
    "can you call me back",
    "stop",  # said to interrupt; the text channel's own keyword handles it
    "why did you stop calling",
    "did you stop texting me?",
    "I didn't get your text",
    "put me through to someone",
    "I'd rather cancel",
    "cancel my order",
    "text me the tracking number",
    "don't stop",
    "stop the order",
    "please call me tomorrow",
    "can I get a message when it ships",
    "don't worry about it",
    "I never got the email",
    "send me the receipt by email",
    "I never get your texts",
    "don't ship it yet",
    "I don't want the blue one",
]


@pytest.mark.parametrize("text", REVOKING)
def test_revocations_are_recognised(text: str) -> None:
    assert revokes_contact(text)


@pytest.mark.parametrize("text", NOT_REVOKING)
def test_other_requests_are_not_revocations(text: str) -> None:
    assert not revokes_contact(text)


@pytest.mark.parametrize(
    ("body", "wanted"),
    [
        ("STOP", "stop"),
        ("stop.", "stop"),
        ("Unsubscribe", "stop"),
        ("CANCEL", "stop"),
        ("end", "stop"),
        ("QUIT", "stop"),
        ("revoke", "stop"),
        ("OPTOUT", "stop"),
        ("opt out", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("stop calling me", None),  # a sentence: the brain's recogniser, not the keyword
        ("cancel my order", None),
        ("yes", None),
    ],
)
def test_text_keywords(body: str, wanted: str | None) -> None:
    assert keyword(body) == wanted
