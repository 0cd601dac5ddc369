"""A turn's first step: the caller's words redacted, before anything reads, stores, logs or
sends them (an LLM included).

The one exception is an answer to a verification question: it is read from
the raw words here, compared, and dropped; the stored turn (and anything an
LLM sees) keeps only the placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hark.language.characters import fold_text
from hark.privacy.redact import CARD_KINDS, SSN, RedactionMemory, bounded, redact
from hark.runtime.settings import Settings
from hark.skills import verification, verify_code
from hark.skills.state import ConversationState

MAX_TEXT_CHARS = 1000  # stored and understood
MAX_INPUT_CHARS = 4 * MAX_TEXT_CHARS  # read and redacted; the rest of a flood is dropped


@dataclass(frozen=True)
class Heard:
    """What the caller said, made safe: ``clean`` is all that later steps may keep."""

    raw: str  # folded and bounded; read only by this step and the callback answer
    clean: str  # redacted, cut to MAX_TEXT_CHARS
    found: set[str]  # the kinds of personal data redacted (cards, SSN, phones, ...)
    answer: verification.AnswerCheck | None  # an attempted answer to a verification question


def folded(text: str) -> str:
    """One character set for every later stage: Unicode digits as ASCII, no control
    characters or NUL (PostgreSQL rejects it), no lone surrogates."""
    return bounded(fold_text(text), MAX_INPUT_CHARS).strip()


def redact_turn(session: Session, settings: Settings, state: ConversationState, text: str) -> Heard:
    """Redact ``text`` (already :func:`folded`) with the conversation's redaction memory
    (a card number said across turns), and check an answer to an open verification
    question; updates ``state.privacy``."""
    memory = RedactionMemory.from_json(state.privacy)
    redaction = redact(text, memory, region=settings.region, today=settings.current_date())
    state.privacy = redaction.memory.to_json() if redaction.memory else {}
    # cut after redaction, so a card number is never cut into an unrecognised half
    clean = redaction.text[:MAX_TEXT_CHARS]
    answer = None
    if (
        state.pending is not None
        and state.pending.kind == verification.VERIFY
        and not redaction.found & (CARD_KINDS | {SSN})  # that's not an answer
    ):
        code = verify_code.said_code(text) if state.verify_code else None
        if code is not None:
            answer = verification.code_answer(state.pending, code)
        else:
            answer = verification.check_answer(
                session, state.pending, text, settings.region, state.asserted
            )
        if answer.attempted:
            clean = answer.stored_text
    return Heard(raw=text, clean=clean, found=set(redaction.found), answer=answer)
