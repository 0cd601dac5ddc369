"""What a caller wants, one name per thing: the vocabulary of the NLU, the policy, the
skills' actions and the LLM's tools.

The *value* of each member is the public string Hark has always stored and
exported: it is the ``intent`` column of every stored turn, the label of the
NLU's training data (``dialogue/data/intents.json``) and of reviewed
examples, the intent shown on the dashboard and in exported CSVs, and the
``intent`` of a ``Reply`` a client reads. Renaming a member is free;
changing a value would split history in two, so values never change.

An LLM tool has a name of its own (``get_order_status`` for
``Intent.ORDER_STATUS``): the tool names are part of the prompt a model was
written or tuned for (docs/llm.md), so the action registry
(``hark.skills.actions``) keeps them as the wire name of its action, next to
the intent that identifies the action everywhere in Python.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """One thing a caller can want (or a reply can be about)."""

    # --- conversation (the order is the NLU's historical INTENTS order)
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    HELP = "help"
    AFFIRM = "affirm"
    DENY = "deny"
    #: a person asked for (the stored value predates the tool's name ``handoff_to_human``)
    HUMAN_AGENT = "human_agent"
    # --- orders and the shop's policies
    ORDER_STATUS = "order_status"
    RETURN_POLICY = "return_policy"
    START_RETURN = "start_return"
    FAQ = "faq"
    # --- products
    PRODUCT_SEARCH = "product_search"
    PRODUCT_INFO = "product_info"
    PRODUCT_PRICE = "product_price"
    REFINE_SEARCH = "refine_search"
    SELECT_ITEM = "select_item"
    # --- the cart
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    CHANGE_QUANTITY = "change_quantity"
    VIEW_CART = "view_cart"
    CHECKOUT = "checkout"
    # --- and the rest
    CANCEL = "cancel"
    REPEAT = "repeat"
    OUT_OF_SCOPE = "out_of_scope"
    # --- replies only (never the NLU's reading of a caller)
    #: Hark asked the caller to prove who they are (a skill needed it)
    VERIFY = "verify"
    #: the same question, asked because an LLM called the ``verify_identity`` tool
    VERIFY_IDENTITY = "verify_identity"
    #: the opening of a proactive notice's conversation
    NOTICE = "notice"
    #: the caller asked never to be contacted again (answered at once, on any channel)
    CONTACT_OPT_OUT = "contact_opt_out"


_REPLIES_ONLY = frozenset(
    {Intent.VERIFY, Intent.VERIFY_IDENTITY, Intent.NOTICE, Intent.CONTACT_OPT_OUT}
)
#: The intents the NLU can read from a caller's words (and the labels of its training data).
UNDERSTOOD: tuple[Intent, ...] = tuple(i for i in Intent if i not in _REPLIES_ONLY)
