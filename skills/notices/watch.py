"""The brain's side of ``back_in_stock``: when it tells a known customer that a product is
out of stock, it remembers that they asked (``hark.store.stock_watch``), so the shop's
next restock can tell them. Only while the shop's rules send ``back_in_stock`` (what a
customer shops for is not kept for nothing). An anonymous caller leaves nothing behind; a
``claimed`` customer (a phone number on file) is known enough, since the notice says only
that "an item you asked about" is back, never which."""

from __future__ import annotations

from hark.runtime.notice_rules import parse_rules
from hark.shop.product_words import ProductDoc
from hark.skills.context import TurnContext
from hark.store import stock_watch


def note_sold_out(ctx: TurnContext, product: ProductDoc) -> None:
    """Call where a reply says ``product`` is out of stock."""
    who = ctx.customer or ctx.claimed
    if who is None or product.in_stock or "back_in_stock" not in parse_rules(ctx.settings.notices):
        return
    stock_watch.watch(ctx.session, who.customer_id, product.sku, ctx.conversation.channel)
