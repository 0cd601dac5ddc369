"""What Hark says first: hello, that it is an automated assistant, and for a customer it
may talk to about their account, the most urgent thing it knows (see ``skills.proactive``).

The caller gets the customer only when the conversation is verified: a claimed
caller hears the same greeting as anyone (no name, no order, no cart).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hark.language.speech import Utterance
from hark.runtime.settings import Settings
from hark.shop.knowledge import Knowledge
from hark.skills import proactive
from hark.skills.context import card
from hark.skills.reply import Action, Card
from hark.skills.state import ConversationState, Pending
from hark.store.models import Customer


def greeting(
    session: Session,
    knowledge: Knowledge,
    settings: Settings,
    state: ConversationState,
    customer: Customer | None,
    today: dt.date,
    conversation_id: str,
) -> tuple[Utterance, list[Card], list[Action]]:
    """The greeting's words, cards and actions; ``state`` learns the question it asks."""
    say = Utterance()
    name = customer.name.split()[0] if customer and customer.name else ""
    hello = f"Hi {name}, thanks for calling" if name else "Hi, thanks for calling"
    say.say(f"{hello} {settings.shop_name}.")
    say.say(f"I'm {settings.assistant_name}, an automated assistant.")
    actions: list[Action] = []
    cards: list[Card] = []
    if customer is not None:
        items = proactive.items_for(
            session, knowledge, customer, today, conversation_id, remedy=settings.delay_remedy
        )
        if items:
            top = items[0]
            say.extend(top.say)
            actions = [
                Action(a["type"], {k: v for k, v in a.items() if k != "type"}) for a in top.actions
            ]
            cards = [card(p) for s in top.cards if (p := knowledge.product(s))]
            state.pending = Pending.from_dict(top.pending)
            state.proactive_queue = [{"key": i.key} for i in items[1:3]]
            state.facts["proactive_mentioned"] = [top.key]
            proactive.note_facts(state, top, session, conversation_id)
    if state.pending is None:
        say.say("How can I help you today?")
    return say, cards, actions
