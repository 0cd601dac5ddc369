"""What a good agent adds around the answer, after the skill has spoken.

An upset caller hears an acknowledgement first; a caller who reads out a
card number hears that it isn't needed (and it is never repeated); two
turns not understood, or strong anger twice, hand the call to a person;
and when a request has been handled, one proactive "By the way, ..." from
the greeting's queue. Kept apart from the skills so every skill gets the
same manners.
"""

from __future__ import annotations

import re

from hark.dialogue.sentiment import is_upset, strongly_negative
from hark.privacy.kinds import CARD_KINDS, PLACEHOLDER_RE
from hark.skills import handoff as handoff_skill
from hark.skills import proactive
from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.reply import Action
from hark.skills.state import Pending

_ACKS = (
    "I'm sorry about the trouble.",
    "I understand, that's frustrating.",
    "I'm sorry this has been a hassle.",
)


def finish_turn(
    ctx: TurnContext,
    result: SkillReply,
    score: float,
    found: set[str],
    pending: Pending | None,
) -> SkillReply:
    """Handoff triggers, upset acknowledgement, the card-number note, one "by the way"."""
    state = ctx.state
    upset = is_upset(score)
    card_given = bool(found & CARD_KINDS)
    if card_given:
        state.facts["card_number_offered"] = True
    elif upset and not result.understood:
        # Not a request we can parse, but clearly a complaint: that *is* understood.
        result = SkillReply(
            intent=Intent.OUT_OF_SCOPE,
            handled=False,
            pending=Pending("handoff", {"reason": "upset"}),
        )
        result.say.say("Tell me what went wrong and I'll do my best to fix it.")
        result.say.say("Or would you like me to connect you with a person?")
    is_handoff = any(a.type == "handoff" for a in result.actions)
    state.not_understood = 0 if result.understood or is_handoff else state.not_understood + 1
    if strongly_negative(score):
        state.strong_negative_turns += 1
    if not is_handoff and state.strong_negative_turns >= 2:
        answer = result
        result = handoff_skill.handoff(ctx, "negative_sentiment")
        if answer.understood and answer.handled:
            result.say = answer.say.extend(result.say)
            result.cards = answer.cards
        result.say.prepend("I'm sorry this has been so frustrating.")
        is_handoff, upset = True, False
    elif not is_handoff and state.not_understood >= 2:
        result = handoff_skill.handoff(ctx, "not_understood")
        result.say.prepend("Sorry, I'm having trouble understanding.")
        is_handoff = True
    if is_handoff:
        state.strong_negative_turns = 0
    if upset:
        opening = result.say.text()
        acks = [
            a for a in _ACKS if not (opening.startswith("I'm sorry") and a.startswith("I'm sorry"))
        ]
        result.say.prepend(acks[state.acknowledged_upset % len(acks)])
        state.acknowledged_upset += 1
    if card_given:
        result.say.prepend(
            "You don't need to give me card details. Your payment method is "
            "already on file, so I haven't kept them."
        )
    if (
        result.handled
        and result.pending is None
        and not is_handoff
        and not result.end
        and state.proactive_queue
        and not state.proactive_offered
        and not upset  # an upset caller wants their problem solved, not an offer
    ):
        _by_the_way(ctx, result)
    return result


def _by_the_way(ctx: TurnContext, result: SkillReply) -> None:
    state = ctx.state
    state.proactive_offered = True
    if ctx.customer is None:
        return
    wanted = {q.get("key") for q in state.proactive_queue}
    items = proactive.items_for(
        ctx.session,
        ctx.knowledge,
        ctx.customer,
        ctx.today,
        ctx.conversation.id,
        remedy=ctx.settings.delay_remedy,
    )
    for item in items:
        if item.key in wanted and item.key not in state.facts.get("proactive_mentioned", []):
            first, *rest = item.say.sentences
            result.say.say("By the way, ", *_lower_first(first))
            for sentence in rest:
                result.say.say(*sentence)
            result.pending = Pending.from_dict(item.pending)
            result.actions += [
                Action(a["type"], {k: v for k, v in a.items() if k != "type"}) for a in item.actions
            ]
            state.facts.setdefault("proactive_mentioned", []).append(item.key)
            proactive.note_facts(state, item, ctx.session, ctx.conversation.id)
            break
    state.proactive_queue = []


_CARD_TALK = frozenset(
    """
    my the a card number is its it here you go credit debit visa mastercard amex discover
    and security code cvv cvc pin expiry expiration date use charge pay with this number
    [card [security code] number] code] ok okay so expires exp valid thru through ends
    ending starts begins on back of digits last first
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def without_placeholders(text: str) -> str:
    """What the NLU reads: redacted text minus the placeholders (they are not words)."""
    return " ".join(PLACEHOLDER_RE.sub(" ", text).split())


def card_only_reply(ctx: TurnContext, pending: Pending | None) -> SkillReply | None:
    """A turn that only reads out card details gets no skill at all (nothing is bought,
    added or answered on the strength of "ok, pay with <card>"): the open question,
    if any, is asked again. ``finish_turn`` adds the "payment is on file" note."""
    if not _card_only(ctx.text):
        return None
    question = _last_question(ctx.state.last_reply) if pending is not None else None
    reply = SkillReply(
        intent=Intent.REPEAT if question else Intent.HELP, pending=pending, handled=False
    )
    reply.say.say(question or "What else can I help you with?")
    return reply


def _last_question(text: str) -> str | None:
    sentences = re.split(r"(?<=[.!?])\s+", text or "")
    return next((s for s in reversed(sentences) if s.endswith("?")), None)


def _card_only(text: str) -> bool:
    """Was this turn just a card number being read out (nothing else to act on)?"""
    words = [w for w in text.lower().replace(",", " ").replace(".", " ").split()]
    return sum(1 for w in words if w not in _CARD_TALK and not w.isdigit()) <= 1


def _lower_first(sentence: tuple) -> tuple:
    if (
        sentence
        and isinstance(sentence[0], str)
        and sentence[0][:1].isupper()
        and not sentence[0].startswith("I ")
    ):
        return (sentence[0][0].lower() + sentence[0][1:], *sentence[1:])
    return sentence
