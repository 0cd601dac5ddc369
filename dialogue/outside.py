"""Turns outside the shop's business, answered honestly instead of "I didn't understand".

A person on a shop's phone line doesn't say "I didn't understand" to "how
are you", "are you a robot", "can I give you my card number" or "hola,
¿hablas español?": they answer, say what they can do, and offer a
colleague. This module recognises those turns from English conversation
patterns and from the words' language (wordfreq's word lists), never from
the shop's catalog, so a shop that sells a robot vacuum still hears "I'm an
automated assistant" when it asks "are you a robot".

It also tells speech that carried no words apart from a clear question Hark
can't help with: "the uh the wah" gets "Sorry, I didn't catch that" (and
counts towards a handoff), "what's the weather like" gets an honest "that's
not something I can help with" and what Hark can do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from wordfreq import zipf_frequency

from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.state import Pending

# --- am I talking to a machine? ------------------------------------------------------
_WHAT = r"(?:real |actual |live |just |an? |some )*(?:robot|bot|machine|computer|human|person|ai|a i|recording|automated|real|human being)"
_IDENTITY = re.compile(
    rf"\b(?:are you|r u|you are|youre|is this|is that|is it|am i (?:talking|speaking|chatting) (?:to|with)"
    rf"|you must be|you sound like|are you even)(?: not)?(?: even)? (?:{_WHAT})\b"
    rf"|\bis (?:this|that) (?:a )?(?:real )?(?:person|human) or\b"
)
_WANTS_PERSON = re.compile(
    r"\b(?:talk|speak|chat) (?:to|with)\b|\bconnect me\b|\btransfer me\b|\bput me through\b"
)

# --- small talk ---------------------------------------------------------------------------
_HOW_ARE_YOU = re.compile(
    r"\bhow (?:are|r) (?:you|u)\b|\bhows (?:your day|it going|things|life)\b|\bhow is your day\b"
    r"|\bhow are things\b|\bhows your day going\b|\bhow (?:are you|is it) (?:doing|going)\b"
)
_WHO_ARE_YOU = re.compile(
    r"\bwhats your name\b|\bwhat is your name\b|\bwho are you\b|\bwho am i (?:talking|speaking) (?:to|with)\b"
    r"|\bwho is this\b|\bwhat are you called\b|\bdo you have a name\b"
)
_JOKE = re.compile(
    r"\btell me (?:a|another|something) (?:joke|funny)\b|\b(?:know|got|have) any (?:good |funny )?jokes\b"
    r"|\bmake me laugh\b|\bsay something funny\b|\bsing (?:me )?a song\b"
)

# --- card numbers offered by voice -----------------------------------------------------
_CARD_WORDS = re.compile(
    r"\b(?:card|credit card|debit card|visa|mastercard|amex|american express|card details|card number"
    r"|payment details|security code|cvv)\b"
)
_CARD_GIVING = re.compile(
    r"\b(?:can|could|may|shall|should|let|do you want|want) (?:i|me|you)(?: to)? (?:just )?"
    r"(?:give|read|tell|take|use|pay|provide|share|send|have)\b"
    r"|\b(?:take|here is|heres|ready with) my\b|\bpay (?:over|by|on) the phone\b"
)

# --- other languages ----------------------------------------------------------------------
#: "I only speak English; shall I connect you with a person?" in the languages callers try most.
NOT_ENGLISH: dict[str, str] = {
    "es": "Lo siento, solo hablo inglés. ¿Quiere que le comunique con una persona?",
    "fr": "Désolé, je ne parle qu'anglais. Voulez-vous que je vous mette en relation avec une personne ?",
    "de": "Entschuldigung, ich spreche nur Englisch. Soll ich Sie mit einem Mitarbeiter verbinden?",
    "it": "Mi dispiace, parlo solo inglese. Vuole che la metta in contatto con una persona?",
    "pt": "Desculpe, só falo inglês. Quer que eu o transfira para uma pessoa?",
    "nl": "Sorry, ik spreek alleen Engels. Wilt u dat ik u doorverbind met een medewerker?",
    "pl": "Przepraszam, mówię tylko po angielsku. Czy mam połączyć z pracownikiem?",
    "ru": "Извините, я говорю только по-английски. Соединить вас с сотрудником?",
    "zh": "抱歉，我只会说英语。需要为您转接人工客服吗？",
    "ja": "申し訳ありません、英語のみ対応しています。担当者におつなぎしましょうか？",
    "ko": "죄송합니다, 영어만 할 수 있습니다. 상담원을 연결해 드릴까요?",
    "ar": "عذرًا، أتحدث الإنجليزية فقط. هل تريد أن أوصلك بموظف؟",
    "hi": "माफ़ कीजिए, मैं केवल अंग्रेज़ी बोलता हूँ। क्या मैं आपको किसी व्यक्ति से जोड़ दूँ?",
}
#: Latin-script languages told apart from English by how common the words are in each.
_LATIN_CANDIDATES = ("es", "fr", "de", "it", "pt", "nl", "pl")
#: Scripts that name their language outright (first letter of the Unicode character name).
_SCRIPTS = (
    ("CYRILLIC", "ru"), ("CJK", "zh"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("HANGUL", "ko"),
    ("ARABIC", "ar"), ("DEVANAGARI", "hi"),
)  # fmt: skip
#: How much more common (mean Zipf) the words must be in the other language than in English.
LANGUAGE_MARGIN = 1.0
#: A word at least this common in English (Zipf) is a word, not a noise the recogniser wrote.
CLEAR_WORD_ZIPF = 4.3


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def language_of(text: str) -> str | None:
    """The language of a turn that is clearly not English (a code of :data:`NOT_ENGLISH`), or None."""
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x24F:
            name = unicodedata.name(ch, "")
            for prefix, code in _SCRIPTS:
                if name.startswith(prefix):
                    return code
    words = _words(text)
    if len(words) < 2:
        return None
    english = sum(_zipf(w, "en") for w in words) / len(words)
    best: tuple[float, str] | None = None
    for code in _LATIN_CANDIDATES:
        score = sum(_zipf(w, code) for w in words) / len(words)
        if score >= english + LANGUAGE_MARGIN and (best is None or score > best[0]):
            best = (score, code)
    return best[1] if best else None


@lru_cache(maxsize=20000)
def _zipf(word: str, language: str) -> float:
    return zipf_frequency(word, language)


def warm() -> None:
    """Load the word lists now (each takes a moment on first use), not during a caller's turn."""
    for code in ("en", *_LATIN_CANDIDATES):
        zipf_frequency("the", code)


def is_garbled(normalised: str) -> bool:
    """No clear English word in it: what a recogniser writes for noise or mumbling."""
    content = [w for w in normalised.split() if w not in ENGLISH_STOP_WORDS and w.isalpha()]
    clear = [w for w in content if _zipf(w, "en") >= CLEAR_WORD_ZIPF]
    fairly = [w for w in content if _zipf(w, "en") >= 3.5 and len(w) > 3]
    return not clear and len(fairly) < 2


# --- replies ------------------------------------------------------------------------------
def what_i_do(ctx: TurnContext) -> str:
    return (
        "I can check an order, help with a return, answer questions about "
        f"{ctx.settings.shop_name}, or help you find a product."
    )


def answer(ctx: TurnContext) -> SkillReply | None:
    """The honest reply to a turn outside the shop's business, or None (it's a shop request)."""
    raw = ctx.nlu.text or ""
    language = language_of(ctx.said or ctx.text)
    if language is not None:
        return SkillReply.of(
            Intent.OUT_OF_SCOPE,
            NOT_ENGLISH[language],
            "Sorry, I only speak English. Would you like me to connect you with a person?",
            pending=Pending("handoff", {"reason": f"caller speaks {language}"}),
            handled=False,
        )
    if _IDENTITY.search(raw) and not _WANTS_PERSON.search(raw):
        return SkillReply.of(
            Intent.FAQ,
            f"I'm {ctx.settings.assistant_name}, an automated assistant, not a person.",
            "If you'd like a person, just say agent.",
            handled=False,
        )
    if _CARD_WORDS.search(raw) and _CARD_GIVING.search(raw) and not re.search(r"\d", raw):
        return SkillReply.of(
            Intent.OUT_OF_SCOPE,
            "Please don't read out your card number: I never need it.",
            "Orders are paid with the payment method on your account, "
            "and a person can help if you want to change it.",
            handled=False,
        )
    if _HOW_ARE_YOU.search(raw):
        return SkillReply.of(
            Intent.GREET, "I'm doing well, thanks for asking! What can I do for you?", handled=False
        )
    if _WHO_ARE_YOU.search(raw):
        return SkillReply.of(
            Intent.FAQ,
            f"I'm {ctx.settings.assistant_name}, the automated assistant for "
            f"{ctx.settings.shop_name}.",
            what_i_do(ctx),
            handled=False,
        )
    return None


def small_talk(ctx: TurnContext) -> SkillReply | None:
    """A request for fun ("tell me a joke"): an LLM, if configured, may do better."""
    if _JOKE.search(ctx.nlu.text or ""):
        return SkillReply.of(
            Intent.OUT_OF_SCOPE,
            "I'm afraid jokes aren't my strong point.",
            what_i_do(ctx),
            handled=False,
        )
    return None


def not_understood(ctx: TurnContext) -> SkillReply:
    """Nothing the shop can act on: garbled speech is asked again, a clear question redirected."""
    if is_garbled(ctx.nlu.text or ""):
        return SkillReply.of(
            Intent.OUT_OF_SCOPE,
            "Sorry, I didn't understand that. Could you say it again?",
            understood=False,
            handled=False,
        )
    return SkillReply.of(
        Intent.OUT_OF_SCOPE,
        "I'm not sure I can help with that, I'm afraid.",
        what_i_do(ctx),
        "Or I can connect you with a person.",
        handled=False,
    )
