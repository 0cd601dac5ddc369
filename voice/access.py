"""What a voice connection proved about its caller, as the server's authentication decided.

The voice package never sees keys or tickets: the WebSocket route turns them
into a :class:`CallerAccess`, and the session asks it which customer (and
identity level) a ``start`` message may open a conversation for.
"""

from __future__ import annotations

from dataclasses import dataclass

from hark.skills.identity import CustomerNotAllowed, Identity, starting_identity

__all__ = ["CallerAccess", "CustomerNotAllowed"]


@dataclass(frozen=True)
class CallerAccess:
    """``owner`` names who opened the connection (stored with the conversation).
    ``vouches``: a ``customer_id`` in ``start`` is taken as proven (an API key
    holder). A ticket connection is ``bound`` to the ticket's ``customer_id``
    (or to none). The default proves nothing: a customer id is only claimed.
    """

    owner: str | None = None
    vouches: bool = False
    customer_id: str | None = None
    bound: bool = False

    def start_as(self, requested: str | None) -> tuple[str | None, Identity]:
        """The customer and level for ``start``; ``CustomerNotAllowed`` for a foreign one."""
        return starting_identity(
            requested, vouches=self.vouches, bound_customer=self.customer_id, bound=self.bound
        )
