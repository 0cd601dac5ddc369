"""The playout clock: knowing what the caller actually heard of a reply.

Audio sent ahead of time sits in the caller's buffer, so "sent" is not
"played". The speaker (``hark.voice.speak.speaker``) records every frame it
sends on a ``PlayoutClock``, a model of the caller's player: each frame
starts playing when the previous one ends, or now if the player ran dry, at
real-time speed. When the caller barges in, the clock says how much of each
piece was heard, and ``played_text`` turns that into the words to keep in
the conversation (the barge-in cut).

Some transports say what was really played (Twilio echoes a ``mark`` when
the audio before it has been heard: ``Transport.on_playback_finished``). The
transport then reports each piece's end with ``PlayoutClock.confirm``, and a
clock made with ``reports=True`` trusts those reports over its own model: a
piece whose report has not come back was not heard to the end, however much
time has passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass
class _Sentence:
    text: str
    duration_s: float = 0.0  # audio scheduled so far for this sentence
    spans: list[tuple[float, float]] = field(default_factory=list)  # playout intervals
    complete: bool = False  # all of its audio has been scheduled
    reported_at: float | None = None  # the transport reported it played to the end


class PlayoutClock:
    """A model of the client's speaker: which sentence plays when.

    ``schedule`` is called for every frame sent; the frame is assumed to
    start playing when the client's queue reaches it (``max(now, busy
    until)``) and to last its duration. Times are on ``clock`` (perf_counter).
    With ``reports=True`` the transport reports each sentence's end
    (``confirm``) and ``played_text`` follows the reports (module docstring).
    """

    def __init__(self, clock: Clock = time.perf_counter, *, reports: bool = False) -> None:
        self._clock = clock
        self._sentences: list[_Sentence] = []
        self._busy_until: float | None = None
        self.started_at: float | None = None
        self.reports = reports
        self._all_reported: asyncio.Event | None = None

    def add_sentence(self, text: str) -> int:
        self._sentences.append(_Sentence(text))
        return len(self._sentences) - 1

    def schedule(self, index: int, seconds: float) -> None:
        """A frame of ``seconds`` of sentence ``index`` was handed to the socket now."""
        now = self._clock()
        start = now if self._busy_until is None else max(now, self._busy_until)
        if self.started_at is None:
            self.started_at = start
        end = start + seconds
        sentence = self._sentences[index]
        if sentence.spans and abs(sentence.spans[-1][1] - start) < 1e-9:
            sentence.spans[-1] = (sentence.spans[-1][0], end)
        else:
            sentence.spans.append((start, end))
        sentence.duration_s += seconds
        self._busy_until = end

    def finish_sentence(self, index: int) -> None:
        """All of sentence ``index`` is scheduled (an empty chunk is 'heard' at once)."""
        sentence = self._sentences[index]
        sentence.complete = True
        if not sentence.spans:
            at = self._clock() if self._busy_until is None else max(self._clock(), self._busy_until)
            sentence.spans.append((at, at))

    def confirm(self, index: int, at: float | None = None) -> None:
        """The client reports that sentence ``index`` finished playing at ``at`` (default now)."""
        if not 0 <= index < len(self._sentences):
            return
        sentence = self._sentences[index]
        if sentence.reported_at is None:
            sentence.reported_at = self._clock() if at is None else at
        if self._all_reported is not None and self._everything_reported():
            self._all_reported.set()

    def _everything_reported(self) -> bool:
        return all(s.complete and s.reported_at is not None for s in self._sentences)

    async def wait_reported(self, timeout: float) -> bool:
        """Wait (bounded) until every scheduled sentence has been reported as played."""
        if self._everything_reported():
            return True
        if self._all_reported is None:
            self._all_reported = asyncio.Event()
        try:
            await asyncio.wait_for(self._all_reported.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def ahead_s(self) -> float:
        """Seconds of audio queued at the client right now."""
        if self._busy_until is None:
            return 0.0
        return max(0.0, self._busy_until - self._clock())

    @property
    def ends_at(self) -> float | None:
        """When the client will have played everything scheduled so far."""
        return self._busy_until

    def audible_text(self, since: float, until: float | None = None) -> str:
        """The sentences playing at some moment between ``since`` and ``until`` (default
        now): the words an echo of Hark's voice in that span can hold."""
        until = self._clock() if until is None else until
        return " ".join(
            s.text
            for s in self._sentences
            if any(start <= until and end >= since for start, end in s.spans)
        )

    def played_text(self, at: float | None = None) -> str:
        """The words heard by time ``at`` (default now): whole sentences, then the
        completed words of the sentence playing, in proportion to its audio heard."""
        now = self._clock() if at is None else at
        if self.reports:
            return self._reported_text(now)
        words: list[str] = []
        for sentence in self._sentences:
            heard = sum(max(0.0, min(end, now) - start) for start, end in sentence.spans)
            total = sentence.duration_s
            if sentence.complete and (total <= 0 or heard >= total - 1e-6):
                if sentence.spans and sentence.spans[0][0] <= now:
                    words.append(sentence.text)
                    continue
                break
            if total > 0 and heard > 0:
                words.append(_prefix_words(sentence.text, heard / total))
            break
        return " ".join(w for w in words if w)

    def _reported_text(self, now: float) -> str:
        """Whole sentences reported by ``now``, then the part of the next one that can have
        played since the previous report (never all of it: its report has not come)."""
        words: list[str] = []
        since = self.started_at
        for sentence in self._sentences:
            if sentence.reported_at is not None and sentence.reported_at <= now:
                words.append(sentence.text)
                since = sentence.reported_at
                continue
            if since is not None and sentence.duration_s > 0 and now > since:
                fraction = min((now - since) / sentence.duration_s, 0.99)
                words.append(_prefix_words(sentence.text, fraction))
            break
        return " ".join(w for w in words if w)


def _prefix_words(text: str, fraction: float) -> str:
    """The whole words within the first ``fraction`` of ``text``'s characters."""
    cut = int(len(text) * max(0.0, min(1.0, fraction)))
    if cut >= len(text):
        return text
    if cut < len(text) and text[cut : cut + 1].isspace():
        return text[:cut].rstrip()
    head = text[:cut]
    space = head.rfind(" ")
    return head[:space].rstrip() if space > 0 else ""


async def wait_until(clock: Callable[[], float], deadline: float | None) -> None:
    """Sleep until ``clock()`` reaches ``deadline`` (no-op for ``None`` or the past)."""
    if deadline is None:
        return
    delay = deadline - clock()
    if delay > 0:
        await asyncio.sleep(delay)
