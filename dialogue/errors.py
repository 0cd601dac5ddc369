"""Errors the brain raises to its callers (HTTP routes, CLI, channel adapters).

Each maps to one clear answer at the edge: an unknown conversation is a 404,
an unknown customer a 404/422, never a stack trace.
"""

from __future__ import annotations


class DialogueError(Exception):
    """Base class for errors the dialogue layer reports to callers."""


class ConversationNotFound(DialogueError, LookupError):
    """No conversation with that id exists (or it was deleted)."""

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        super().__init__(f"conversation not found: {conversation_id}")


class CustomerNotFound(DialogueError, LookupError):
    """A customer id given by a caller does not exist in the shop."""

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(f"customer not found: {customer_id}")


class InvalidUtterance(DialogueError, ValueError):
    """The turn text is unusable (not a string, or far too long to be speech)."""
