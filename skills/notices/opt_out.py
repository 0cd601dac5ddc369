"""The reply to "stop contacting me", in any channel: recorded at once, for every channel.

The opt-out is recorded whatever the conversation's identity level: honouring
a request not to be contacted can't harm the customer, and the words already
came from their phone, their account or their linked device.
"""

from __future__ import annotations

from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.store import consent


def opt_out(ctx: TurnContext) -> SkillReply:
    customer_id = ctx.conversation.customer_id
    shop = ctx.settings.shop_name
    if customer_id:
        consent.opt_out(
            ctx.session,
            customer_id,
            source=f"{ctx.conversation.channel}: asked",
            note=ctx.said[:300],
        )
        return SkillReply.of(
            Intent.CONTACT_OPT_OUT,
            f"Understood. {shop} won't call, text or message you again about updates, "
            "on any channel.",
            "If you change your mind, text START to us.",
        )
    return SkillReply.of(
        Intent.CONTACT_OPT_OUT,
        f"Understood. {shop} won't contact you. I couldn't match this conversation to an "
        "account, so if we have another number or e-mail of yours, tell us from there too.",
    )
