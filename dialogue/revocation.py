"""Recognising "stop contacting me" however it is put: the revocation of consent.

The law asks that consent can be revoked "by any reasonable means", so this
is not a list of phrases but a small grammar of the meaning: a *stopping*
word ("stop", "quit", "no more", "don't", "never", "rather not") followed
closely by a *contacting* word ("call", "text", "message", "contact",
"e-mail", "ring", "bother", ...) aimed at the speaker ("me", "this number",
"again", "anymore"), or an idiom that means it on its own ("unsubscribe",
"opt me out", "take me off your list", "leave me alone"). Bare "stop" is not
enough in a conversation (a caller says it to interrupt); the text channel
handles the carriers' bare keywords (STOP, UNSUBSCRIBE, ...) itself.
Erring towards recognising is the safe side: a false opt-out costs one
"reply START", a missed one is an unlawful call.
"""

from __future__ import annotations

import re

_CONTACT = {
    "call", "calls", "calling", "called", "ring", "ringing", "rings", "phone", "phoning",
    "phoned", "text", "texts", "texting", "texted", "message", "messages", "messaging",
    "messaged", "sms", "email", "emails", "emailing", "emailed", "mail", "mails", "contact",
    "contacting", "contacted", "notify", "notifying", "notifications", "notification",
    "bother", "bothering", "pester", "pestering", "spam", "spamming", "robocall",
    "robocalls", "voicemail", "voicemails", "alerts", "reminders", "updates", "whatsapp",
    "reach", "reaching", "hassle", "hassling",
}  # fmt: skip
_SEND = {"send", "sending", "sent"}
_SENT_THINGS = {
    "messages", "message", "texts", "text", "emails", "email", "notifications", "updates",
    "alerts", "reminders", "stuff", "things", "these", "those", "anything",
}  # fmt: skip
_PLURALS = {
    "calls", "texts", "messages", "emails", "notifications", "updates", "alerts",
    "reminders", "voicemails", "robocalls",
}  # fmt: skip
_STOP_HEADS = {"stop", "quit", "cease", "halt", "enough"}
_AT_ME = {
    "me", "us", "again", "anymore", "ever", "number", "here", "contacted", "called",
    "texted", "messaged", "emailed", "calls", "texts", "messages", "emails", "updates",
    "notifications", "alerts", "reminders",
}  # fmt: skip
_IDIOMS = re.compile(
    r"\b(unsubscribe|opt ?me ?out|opt ?out|optout|revoke (my )?consent|"
    r"(remove|take) (me|my number|my (phone|details)) (off|from)( of)? (your|the|this|all)? ?"
    r"(list|lists|system|database|calls|calling list|mailing list)|"
    r"(lose|delete|forget) my (phone )?number|leave me alone|"
    r"(do not|dont) (call|contact) list|no more (calls|texts|messages|emails|contact)|"
    r"withdraw (my )?consent)\b"
)
_WINDOW = 4


def _words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("n't", "nt").replace("e-mail", "email")
    text = re.sub(r"\b(do|does|will|would|can|could|please) not\b", " dont ", text)
    text = re.sub(r"\b(wont|won't|cant|can't|shouldnt|wouldnt)\b", " dont ", text)
    text = re.sub(r"\b(rather|prefer) not\b", " dont ", text)
    text = re.sub(r"\byou not\b", " dont ", text)  # "could you not call me"
    text = re.sub(r"\bno longer\b", " dont ", text)
    text = re.sub(r"\bno more\b", " stop ", text)
    return re.findall(r"[a-z]+", text)


def revokes_contact(text: str) -> bool:
    """Whether ``text`` asks not to be contacted any more (on this or any channel)."""
    if not isinstance(text, str) or not text.strip():
        return False
    plain = " ".join(re.findall(r"[a-z]+", text.lower().replace("’", "'").replace("'", "")))
    if _IDIOMS.search(plain):
        return True
    words = _words(text)
    for i, word in enumerate(words):
        if word not in _STOP_HEADS and word != "dont" and word not in ("never",):
            continue
        before = set(words[max(0, i - 3) : i])
        if word in _STOP_HEADS and before & {"didnt", "did", "dont", "never", "why", "when"}:
            continue  # "why did you stop calling", "don't stop": not a request
        ahead = words[i + 1 : i + 1 + _WINDOW]
        for j, other in enumerate(ahead):
            hit = other in _CONTACT or (
                other in _SEND and any(w in _SENT_THINGS for w in ahead[j + 1 : j + 4])
            )
            if not hit:
                continue
            if word in _STOP_HEADS:
                return True
            # a negation needs the contact aimed at the speaker: "don't call me again"
            after = words[i + 2 + j : i + 6 + j]
            if any(w in _AT_ME for w in after) or other in ("contacted", "called", "texted"):
                return True
            if word == "dont" and other in _PLURALS:  # "I'd rather not get these calls"
                return True
    return False
