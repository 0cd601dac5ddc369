"""The skills' actions, defined once: name, meaning, parameters and the skill that does it.

Two planners choose actions. The built-in NLU picks one from the caller's
words (``hark.dialogue.policy`` dispatches through :func:`handler`); an LLM
picks one as a tool call (``hark.dialogue.llm_tools``), whose JSON schema
is generated here from the same pydantic parameter model. Either way the
same skill function runs, on the same conversation state (cart, last
results, customer, identity), so a rule a skill applies (who may hear an
order's facts, that checkout needs a yes in a turn of its own) applies to
both, and nothing is described twice.

``run(ctx, None)`` is the built-in path: the skill reads the caller's words
itself. ``run(ctx, params)`` is an LLM's tool call: the skill runs on a copy
of the turn context carrying a typed :class:`~hark.skills.understanding.ToolCall`
(the validated arguments as words and entities; see :func:`tool_context`),
and shares everything else with the turn. The caller's own NLU reading is
left as it was: a tool call is no guess about the caller's words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hark.shop.product_words import ProductDoc
from hark.shop.search import SearchQuery
from hark.skills import cart, handoff, sales, support, verification
from hark.skills.context import SkillReply, TurnContext
from hark.skills.identity import Permission
from hark.skills.intent import Intent
from hark.skills.understanding import Entities, ToolCall

_ORDER_ID = r"^[A-Za-z0-9#][A-Za-z0-9 #_-]{0,39}$"


class Params(BaseModel):
    """Tool arguments: unknown keys are an error, strings are stripped and bounded."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SearchProducts(Params):
    query: str = Field(
        min_length=1, max_length=200, description="What the caller is looking for, in words."
    )
    category: str | None = Field(
        None, max_length=100, description="One of the shop's categories, if the caller named one."
    )
    min_price: float | None = Field(None, ge=0, description="Lowest price the caller wants.")
    max_price: float | None = Field(None, ge=0, description="Highest price the caller wants.")
    in_stock_only: bool = Field(False, description="Only products that are in stock.")


class ProductRef(Params):
    product: str = Field(
        min_length=1,
        max_length=200,
        description="The product's sku from a search result, or its name.",
    )


class AddToCart(ProductRef):
    quantity: int = Field(1, ge=1, le=99, description="How many to add.")


class OrderRef(Params):
    order_id: str | None = Field(
        None,
        pattern=_ORDER_ID,
        description="The order number the caller gave; leave out to use the caller's own "
        "recent order.",
    )


class FaqLookup(Params):
    question: str = Field(
        min_length=1, max_length=300, description="The caller's question about the shop."
    )


class NoParams(Params):
    """An action that takes no arguments."""


class Handoff(Params):
    reason: str | None = Field(
        None, max_length=200, description="A few words on why a person is needed."
    )


P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class Action(Generic[P]):
    """One thing Hark can do for a caller.

    ``final``: the skill's own words end the turn, unchanged. These are the
    actions that ask for a commitment (checkout, a return), prove identity or
    hand over to a person: an LLM may decide to call them, but the caller hears
    the shop's exact question, and only a yes in the caller's next turn
    (answered by the built-in pending-question path) commits anything.
    """

    intent: Intent  # what the action does: the name Python code knows it by
    tool: str  # its name in an LLM's tool list (docs/llm.md): a wire name, kept as published
    description: str
    params: type[P]
    run: Callable[[TurnContext, P | None], SkillReply]
    final: bool = False

    def tool_schema(self) -> dict[str, Any]:
        """The OpenAI ``tools`` entry, generated from the parameter model."""
        schema = self.params.model_json_schema()
        schema.pop("title", None)
        schema.pop("description", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.tool, "description": self.description, "parameters": schema},
        }


def tool_context(
    ctx: TurnContext, words: str, intent: Intent, entities: Entities | None = None
) -> TurnContext:
    """The turn as a skill should see a tool call: the tool's arguments are what is
    asked, everything else (session, state, customer, identity) is the turn's own."""
    text = " ".join(words.split())
    call = ToolCall(intent, BY_INTENT[intent].tool, text, entities or Entities())
    return dataclasses.replace(ctx, text=text, tool=call)


def find_product(ctx: TurnContext, ref: str) -> ProductDoc | None:
    """A product by sku (as search results give it), else by a name that clearly fits."""
    ref = ref.strip()
    product = ctx.knowledge.product(ref) or ctx.knowledge.product(ref.upper())
    if product is not None:
        return product
    outcome = ctx.knowledge.search.search(SearchQuery(text=ref, limit=3))
    pool = outcome.hits or outcome.out_of_stock
    for hit in pool:
        if hit.product.name.lower() == ref.lower():
            return hit.product
    if outcome.exact and pool and (len(pool) == 1 or pool[0].score > 1.2 * pool[1].score):
        return pool[0].product
    return None


def _unknown_product(intent: Intent, ref: str) -> SkillReply:
    return SkillReply.of(
        intent,
        f"I couldn't find a product called {ref} in our shop.",
        understood=False,
        handled=False,
    )


# --- the actions -----------------------------------------------------------------
def _search(ctx: TurnContext, p: SearchProducts | None) -> SkillReply:
    if p is None:
        return sales.product_search(ctx)
    query = SearchQuery(
        text=p.query,
        category=p.category,
        price_min=p.min_price,
        price_max=p.max_price,
        in_stock_only=p.in_stock_only,
    )
    entities = Entities(price_min=p.min_price, price_max=p.max_price, category=p.category)
    return sales.product_search(tool_context(ctx, p.query, Intent.PRODUCT_SEARCH, entities), query)


def _get_product(ctx: TurnContext, p: ProductRef | None) -> SkillReply:
    if p is None:
        return sales.product_info(ctx)
    product = find_product(ctx, p.product)
    if product is None:
        return _unknown_product(Intent.PRODUCT_INFO, p.product)
    tctx = tool_context(
        ctx, product.name, Intent.PRODUCT_INFO, Entities(products=[(product.sku, 1.0)])
    )
    return sales.describe_product(tctx, product, Intent.PRODUCT_INFO)


def _order_status(ctx: TurnContext, p: OrderRef | None) -> SkillReply:
    if p is None:
        return support.order_status(ctx)
    tctx = tool_context(ctx, p.order_id or "my order", Intent.ORDER_STATUS, Entities())
    return support.order_status(tctx, p.order_id)


def _add(ctx: TurnContext, p: AddToCart | None) -> SkillReply:
    if p is None:
        return cart.add_to_cart(ctx)
    product = find_product(ctx, p.product)
    if product is None:
        return _unknown_product(Intent.ADD_TO_CART, p.product)
    entities = Entities(products=[(product.sku, 1.0)], quantity=p.quantity)
    return cart.add_to_cart(
        tool_context(ctx, product.name, Intent.ADD_TO_CART, entities), product, p.quantity
    )


def _remove(ctx: TurnContext, p: ProductRef | None) -> SkillReply:
    if p is None:
        return cart.remove_from_cart(ctx)
    product = find_product(ctx, p.product)
    if product is None:
        return _unknown_product(Intent.REMOVE_FROM_CART, p.product)
    entities = Entities(products=[(product.sku, 1.0)])
    return cart.remove_from_cart(tool_context(ctx, product.name, Intent.REMOVE_FROM_CART, entities))


def _view_cart(ctx: TurnContext, p: NoParams | None) -> SkillReply:
    return cart.view_cart(ctx if p is None else tool_context(ctx, "my cart", Intent.VIEW_CART))


def _checkout(ctx: TurnContext, p: NoParams | None) -> SkillReply:
    return cart.checkout(ctx if p is None else tool_context(ctx, "check out", Intent.CHECKOUT))


def _faq(ctx: TurnContext, p: FaqLookup | None) -> SkillReply:
    return support.faq(ctx if p is None else tool_context(ctx, p.question, Intent.FAQ))


def _start_return(ctx: TurnContext, p: OrderRef | None) -> SkillReply:
    if p is None:
        return support.start_return(ctx)
    tctx = tool_context(ctx, p.order_id or "my order", Intent.START_RETURN, Entities())
    return support.start_return(tctx, p.order_id)


def _verify(ctx: TurnContext, p: NoParams | None) -> SkillReply:
    """Ask the caller to prove who they are (the same question the built-in skills ask).
    The proof itself is never the LLM's business: the caller's answer (a phone number,
    an e-mail) is checked by the brain in their next turn and never sent to the model."""
    if ctx.may(Permission.CUSTOMER_DATA):
        return SkillReply.of(
            Intent.VERIFY_IDENTITY, "You're signed in to your account, so I can help with it."
        )
    return verification.ask_to_verify(ctx, "status", intent=Intent.VERIFY_IDENTITY)


def _handoff(ctx: TurnContext, p: Handoff | None) -> SkillReply:
    return handoff.handoff(ctx, "requested")


_ALL: tuple[Action[Any], ...] = (
    Action(
        Intent.PRODUCT_SEARCH,
        "search_products",
        "Search the shop's catalog. Returns matching products with sku, name, price and stock.",
        SearchProducts,
        _search,
    ),
    Action(
        Intent.PRODUCT_INFO,
        "get_product",
        "Price, description and stock of one product.",
        ProductRef,
        _get_product,
    ),
    Action(
        Intent.ORDER_STATUS,
        "get_order_status",
        "Status, items and delivery date of an order, if this caller may hear them.",
        OrderRef,
        _order_status,
    ),
    Action(
        Intent.ADD_TO_CART,
        "add_to_cart",
        "Add a product to the caller's cart (never more than is in stock).",
        AddToCart,
        _add,
    ),
    Action(
        Intent.REMOVE_FROM_CART,
        "remove_from_cart",
        "Remove a product from the caller's cart.",
        ProductRef,
        _remove,
    ),
    Action(
        Intent.VIEW_CART,
        "view_cart",
        "What is in the caller's cart, and the total.",
        NoParams,
        _view_cart,
    ),
    Action(
        Intent.CHECKOUT,
        "checkout",
        "Read the cart back and ask the caller to confirm the order. Never places it: "
        "the caller's yes in their next turn does.",
        NoParams,
        _checkout,
        final=True,
    ),
    Action(
        Intent.FAQ,
        "faq_lookup",
        "The shop's own answer to a question about shipping, returns, payment, hours or services.",
        FaqLookup,
        _faq,
    ),
    Action(
        Intent.START_RETURN,
        "start_return",
        "Check that an order can be returned and ask the caller to confirm. The caller's yes "
        "in their next turn opens the return.",
        OrderRef,
        _start_return,
        final=True,
    ),
    Action(
        Intent.VERIFY_IDENTITY,
        "verify_identity",
        "When the caller must prove who they are before hearing order or account details: "
        "Hark asks them itself. Never ask for or repeat personal details yourself.",
        NoParams,
        _verify,
        final=True,
    ),
    Action(
        Intent.HUMAN_AGENT,
        "handoff_to_human",
        "Connect the caller with a person, with a summary of the conversation.",
        Handoff,
        _handoff,
        final=True,
    ),
)

#: The actions by tool name (what an LLM's call names).
ACTIONS: dict[str, Action[Any]] = {a.tool: a for a in _ALL}
#: The actions by intent (what the built-in NLU reads).
BY_INTENT: dict[Intent, Action[Any]] = {a.intent: a for a in _ALL}


def handler(intent: Intent) -> Callable[[TurnContext], SkillReply]:
    """The built-in NLU's entry point for an action: the skill reads the caller's words."""
    action = BY_INTENT[intent]

    def run_from_turn(ctx: TurnContext) -> SkillReply:
        return action.run(ctx, None)

    run_from_turn.__name__ = f"{action.tool}_from_turn"
    return run_from_turn


def tool_schemas() -> list[dict[str, Any]]:
    """Every action as an OpenAI-compatible tool definition."""
    return [action.tool_schema() for action in _ALL]
