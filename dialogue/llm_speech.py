"""LLM text made fit to be heard, one finished sentence at a time.

A model writes for a screen: markdown, bullet lists, "$24.99", now and then
a number it was told never to repeat. Every sentence is cleaned as soon as
it is complete — markup and list markers dropped, prices in words, personal
data redacted — and handed on at once, so a voice channel can start
speaking while the model is still writing the rest. The reply is bounded
(sentences and characters); past the bound the rest is dropped and the
model is told to stop.

The text handed on is exactly what the stored reply will say: each sentence
is rendered the way :class:`hark.language.speech.Utterance` renders it, and
the same sentences make up the reply's ``Utterance``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hark.language.speech import Utterance, money_in_text
from hark.privacy.redact import redact

MAX_REPLY_CHARS = 600
MAX_REPLY_SENTENCES = 6

# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace, or at a line end.
_END = re.compile(r"[.!?]+[\"'”’)\]*_]*(?=\s)|\n")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_#`>|~]+|<[^>]{0,40}>")


def clean_sentence(text: str, currency: str) -> str:
    """Markdown, links and list markers out; prices in words; personal data redacted."""
    text = _LINK.sub(r"\1", text)
    text = _LIST_MARKER.sub("", text)
    text = _MARKUP.sub(" ", text)
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        return ""
    return redact(money_in_text(text, currency)).text


class SpokenStream:
    """Deltas in (:meth:`feed`), finished speakable sentences out (``emit``)."""

    def __init__(
        self,
        currency: str,
        emit: Callable[[str], None] | None = None,
        *,
        max_chars: int = MAX_REPLY_CHARS,
        max_sentences: int = MAX_REPLY_SENTENCES,
    ) -> None:
        self.currency = currency
        self.emit = emit
        self.max_chars = max_chars
        self.max_sentences = max_sentences
        self.say = Utterance()
        self.emitted: list[str] = []  # rendered sentences, as handed on
        self.full = False  # the bound was reached: nothing more is taken
        self._buffer = ""
        self._chars = 0

    @property
    def text(self) -> str:
        return " ".join(self.emitted)

    def feed(self, delta: str) -> bool:
        """Take a text delta; False once the reply is long enough (stop the model)."""
        if self.full:
            return False
        self._buffer += delta
        while not self.full:
            self._buffer = _LIST_MARKER.sub("", self._buffer)  # "1." is not a sentence
            match = _END.search(self._buffer)
            if match is None:
                break
            sentence, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
            self._add(sentence)
        if len(self._buffer) > 2 * self.max_chars:  # a run-on "sentence" with no end
            self.finish()
        return not self.full

    def finish(self) -> None:
        """The model is done: what is left in the buffer is the last sentence."""
        rest, self._buffer = self._buffer, ""
        if rest.strip() and not self.full:
            self._add(rest)

    def add_utterance(self, utterance: Utterance) -> None:
        """A skill's own sentences (a final action's question), spoken as they are."""
        for sentence in utterance.sentences:
            piece = Utterance()
            piece.sentences.append(sentence)
            rendered = piece.text()
            if rendered:
                self.say.sentences.append(sentence)
                self._hand_on(rendered)

    def _add(self, raw: str) -> None:
        cleaned = clean_sentence(raw, self.currency)
        if not cleaned:
            return
        rendered = Utterance().say(cleaned).text()
        if len(self.emitted) >= self.max_sentences or self._chars + len(rendered) > self.max_chars:
            self.full = True
            return
        self.say.say(cleaned)
        self._hand_on(rendered)

    def _hand_on(self, rendered: str) -> None:
        self.emitted.append(rendered)
        self._chars += len(rendered) + 1
        if self.emit is not None:
            self.emit(rendered)
