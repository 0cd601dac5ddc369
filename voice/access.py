"""What a voice connection proved about its caller, as the server's authentication decided.

The voice package never sees keys or tickets: the WebSocket route turns them
into a :class:`CallerAccess`, and the session asks it which customer (and
identity level) a ``start`` message may open a conversation for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hark.skills.identity import CustomerNotAllowed, Identity, starting_identity

__all__ = ["CallerAccess", "Continuity", "CustomerNotAllowed", "Resumable"]


@dataclass(frozen=True)
class Resumable:
    """A conversation this connection may continue, and who owned it until now."""

    conversation_id: str
    previous_owner: str


@dataclass(frozen=True)
class Continuity:
    """How a web page's conversation survives a reload (the server signs and checks).

    ``issue`` gives the token the ``ready`` event carries for a conversation;
    ``redeem`` reads a token a ``start`` message brings back, and answers which
    conversation this connection may continue (``None``: start a new one).
    """

    issue: Callable[[str], str]
    redeem: Callable[[str], Resumable | None]


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
    continuity: Continuity | None = None  # ticket connections: resumable after a reload

    def start_as(self, requested: str | None) -> tuple[str | None, Identity]:
        """The customer and level for ``start``; ``CustomerNotAllowed`` for a foreign one."""
        return starting_identity(
            requested, vouches=self.vouches, bound_customer=self.customer_id, bound=self.bound
        )
