"""``WS /twilio/media``: Twilio's Media Streams protocol in front of a ``VoiceSession``.

Inbound (Twilio -> Hark): ``connected``, ``start``, ``media``, ``dtmf``,
``mark``, ``stop``. Outbound: ``media`` (μ-law 8 kHz, base64, one 20 ms
frame each), ``mark`` and ``clear``, each with the ``streamSid``.

This is only a translator. The session does the listening, the turns, the
brain calls and the speaking, exactly as for ``/v1/voice``:

* ``start`` -> the conversation is started for the caller's number, or with the
  notice of a notice call Hark placed (``identity.start_call_conversation``), and
  handed to ``VoiceSession.begin``
  with μ-law at 8 kHz, the rate Twilio sends and takes.
* ``media`` -> ``VoiceSession.on_bytes``; duplicated or late frames (by
  ``sequenceNumber``) and malformed ones are dropped and counted.
* ``dtmf`` -> keys gathered into one entry (``#`` or a pause ends it),
  which becomes a typed turn.
* The session's audio (PCM16 at 8 kHz) -> μ-law, cut into 20 ms ``media``
  messages; after each piece a ``mark`` (``on_playback_finished``). Twilio
  echoes a mark when the audio before it has been played, and the echo is
  reported to the turn's ``PlayoutClock`` (the ``played`` callable), so a
  barge-in or a hang-up cuts the stored reply where playback really stopped.
* The session's ``interrupted`` (barge-in) -> ``clear``: Twilio drops its
  buffered audio and echoes the pending marks, which are then ignored.
* The session's ``handoff`` -> once the handoff sentence has been heard
  (its last mark echoed), the call is moved to the transfer TwiML with the
  REST API; if that fails, the socket is closed and ``<Connect action>``
  (``/twilio/stream-ended``) dials instead.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import re
import time
from dataclasses import replace
from typing import Any

from fastapi import WebSocket

from hark.integrations.twilio import keypad, transfer
from hark.integrations.twilio.identity import start_call_conversation
from hark.integrations.twilio.runtime import TwilioRuntime
from hark.integrations.twilio.services import TwilioServices
from hark.runtime.log_context import log_context
from hark.voice.audio.codecs import mulaw_encode, pcm16_to_int16
from hark.voice.protocol import (
    AudioEndEvent,
    AudioStartEvent,
    ErrorEvent,
    HandoffEvent,
    InterruptedEvent,
    ReplyEvent,
    ServerEvent,
    TextMessage,
    TurnMetricsEvent,
)
from hark.voice.transport import PlaybackFinished, Played
from hark.voice.turn.session import VoiceOptions, VoiceSession

log = logging.getLogger("hark.twilio")

CHANNEL = "phone"
RATE = 8000
FRAME_BYTES = 160  # 20 ms of μ-law at 8 kHz
SILENCE = b"\xff"  # μ-law zero
MAX_PAYLOAD_BYTES = 8000  # one second; Twilio sends 20 ms
SID = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")


def stream_options(base: VoiceOptions | None) -> VoiceOptions:
    """The app's voice options for a phone line: 20 ms frames, the ``phone`` channel."""
    return replace(base or VoiceOptions(), channel=CHANNEL, frame_ms=20)


class MediaStream:
    """One Media Streams connection (see the module docstring)."""

    def __init__(
        self,
        websocket: WebSocket,
        services: TwilioServices,
        runtime: TwilioRuntime,
        options: VoiceOptions | None = None,
    ) -> None:
        self.ws = websocket
        self.services = services
        self.settings = services.settings
        self.runtime = runtime
        self.session = VoiceSession(services, self, stream_options(options))
        self.stream_sid: str | None = None
        self.call_sid: str | None = None
        self.done = asyncio.Event()  # stop, a refused start, or a moved call
        self.counts = {"malformed": 0, "duplicate": 0, "before_start": 0, "media": 0}
        self._last_seq = 0
        self._send_lock = asyncio.Lock()
        self._audio = bytearray()  # μ-law not yet sent (less than one frame)
        self._marks: dict[str, Played] = {}  # mark name -> whom its echo reports to
        self._mark_number = 0
        self._last_mark: str | None = None
        self._keypad = keypad.KeypadBuffer(pause_s=runtime.keypad_pause_s)
        self._keypad_timer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._handoff: dict[str, Any] | None = None
        self._transfer_after: str | None = None
        self._transferring = False
        self._reply_audio = False

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> None:
        """Read until ``stop``, a vanished socket, or the session is finished; then clean up."""
        receiver = asyncio.create_task(self._receive())
        finished = asyncio.create_task(self.session.finished.wait())
        done = asyncio.create_task(self.done.wait())
        waiters = {receiver, finished, done}
        try:
            await asyncio.wait(waiters, timeout=None, return_when=asyncio.FIRST_COMPLETED)
            if receiver.done() and not receiver.cancelled() and receiver.exception():
                log.error("media stream failed", exc_info=receiver.exception())
        finally:
            for task in waiters:
                task.cancel()
            await asyncio.wait(waiters)
            await self.close()

    async def close(self) -> None:
        """Cancel every task of this stream, close the session (it saves what was heard)."""
        self.done.set()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        self._keypad.keys.clear()
        await self.session.close()
        with contextlib.suppress(Exception):
            await self.ws.close(code=1000)
        if self.session.conversation_id is not None:
            with log_context(conversation_id=self.session.conversation_id):
                log.info("media stream closed", extra=dict(self.counts))

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _receive(self) -> None:
        timeout = self._spawn(self._start_deadline())
        try:
            while not self.done.is_set():
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:  # Twilio sends JSON text only
                    self._malformed("binary frame")
                    continue
                try:
                    await self.on_message(text)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one bad message must not end the call
                    log.exception("media stream message failed")
                    self._malformed("handling failed")
        finally:
            timeout.cancel()

    async def _start_deadline(self) -> None:
        await asyncio.sleep(self.runtime.start_timeout_s)
        if self.stream_sid is None:
            log.warning("media stream sent no 'start' in time; closing it")
            self.done.set()

    # ------------------------------------------------------------------ Twilio -> Hark
    async def on_message(self, raw: str) -> None:
        if len(raw) > self.settings.max_frame_bytes:
            self._malformed("message too large")
            return
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            self._malformed("not JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            self._malformed("no event")
            return
        event = message["event"]
        if event == "connected":
            return
        if not self._in_order(message):
            return
        if event == "start":
            await self._on_start(message)
        elif self.stream_sid is None:
            self.counts["before_start"] += 1
            if event == "stop":
                self.done.set()
        elif message.get("streamSid") not in (None, self.stream_sid):
            self._malformed("another stream's message")
        elif event == "media":
            await self._on_media(message)
        elif event == "dtmf":
            await self._on_dtmf(message)
        elif event == "mark":
            self._on_mark(message)
        elif event == "stop":
            self.done.set()
        else:
            self._malformed("unknown event")

    def _in_order(self, message: dict[str, Any]) -> bool:
        """Drop a message whose ``sequenceNumber`` is not past the last one (repeat or late)."""
        seq = message.get("sequenceNumber")
        if seq is None:
            return True
        try:
            number = int(seq)
        except (TypeError, ValueError):
            self._malformed("bad sequenceNumber")
            return False
        if number <= self._last_seq:
            self.counts["duplicate"] += 1
            return False
        self._last_seq = number
        return True

    def _malformed(self, why: str) -> None:
        self.counts["malformed"] += 1
        if self.counts["malformed"] in (1, 10, 100, 1000):  # a flood logs a handful of lines
            log.warning("malformed media stream message ignored: %s", why, extra=dict(self.counts))

    async def _on_start(self, message: dict[str, Any]) -> None:
        if self.stream_sid is not None:
            self.counts["duplicate"] += 1
            return
        start = message.get("start")
        if not isinstance(start, dict):
            self._malformed("start without 'start'")
            return
        stream_sid, call_sid = start.get("streamSid"), start.get("callSid")
        media = start.get("mediaFormat") or {}
        params = start.get("customParameters") or {}
        if not (isinstance(stream_sid, str) and SID.match(stream_sid)):
            self._malformed("bad streamSid")
            return
        if not (isinstance(call_sid, str) and SID.match(call_sid)):
            self._malformed("bad callSid")
            return
        if _media_format(media) != ("audio/x-mulaw", RATE, 1):
            log.warning("media stream refused: not μ-law 8 kHz mono")
            self.done.set()
            return
        caller = params.get("caller") if isinstance(params, dict) else None
        caller = caller if isinstance(caller, str) and len(caller) <= 64 else None
        self.stream_sid, self.call_sid = stream_sid, call_sid
        dialogue = self.services.dialogue
        calls = self.services.calls
        try:
            record = await asyncio.to_thread(calls.get, call_sid)
            if record is None or record.mode != "stream" or record.conversation_id is not None:
                log.warning("media stream refused: no streaming call waits for it")
                self.done.set()
                return
            conversation_id, greeting = await asyncio.to_thread(
                start_call_conversation, dialogue, CHANNEL, call_sid, caller
            )
            if not await asyncio.to_thread(calls.attach_stream, call_sid, conversation_id):
                await asyncio.to_thread(dialogue.end_conversation, conversation_id)
                log.warning("media stream refused: the call already has a conversation")
                self.done.set()
                return
        except Exception:
            log.exception("could not start the phone conversation")
            self.done.set()
            return
        with log_context(conversation_id=conversation_id):
            log.info("media stream started", extra={"known_caller": bool(caller)})
        # A phone cancels its own echo (handsets and mobile networks must): HARK_AEC=auto
        # leaves the line alone, HARK_AEC=on cancels on the server too (a speakerphone).
        await self.session.begin(
            conversation_id, greeting, sample_rate=RATE, encoding="mulaw", client_cancels_echo=True
        )

    async def _on_media(self, message: dict[str, Any]) -> None:
        media = message.get("media")
        if not isinstance(media, dict) or media.get("track", "inbound") != "inbound":
            self._malformed("media without inbound audio")
            return
        payload = media.get("payload")
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_BYTES * 4 // 3 + 4:
            self._malformed("bad payload")
            return
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            self._malformed("payload is not base64")
            return
        if data:
            self.counts["media"] += 1
            await self.session.on_bytes(data)

    async def _on_dtmf(self, message: dict[str, Any]) -> None:
        dtmf = message.get("dtmf")
        key = dtmf.get("digit") if isinstance(dtmf, dict) else None
        if not isinstance(key, str) or key not in keypad.KEYS:
            self._malformed("bad dtmf digit")
            return
        if self._keypad_timer is not None:
            self._keypad_timer.cancel()
            self._keypad_timer = None
        entry = self._keypad.press(key)
        if entry is not None:
            await self._keyed(entry)
        elif self._keypad.keys:
            self._keypad_timer = self._spawn(self._keypad_pause())

    async def _keypad_pause(self) -> None:
        await asyncio.sleep(self._keypad.pause_s)
        self._keypad_timer = None
        entry = self._keypad.flush()
        if entry is not None:
            await self._keyed(entry)

    async def _keyed(self, entry: str) -> None:
        """A keyed entry is a typed turn (the session interrupts whatever it is saying)."""
        text = keypad.turn_text(entry, menu=False)
        if text is None:
            return
        with log_context(conversation_id=self.session.conversation_id):
            log.info("keypad entry", extra={"keys": keypad.describe(entry)})
        await self.session.on_message(TextMessage(type="text", text=text))

    def _on_mark(self, message: dict[str, Any]) -> None:
        mark = message.get("mark")
        name = mark.get("name") if isinstance(mark, dict) else None
        if not isinstance(name, str):
            self._malformed("mark without name")
            return
        played = self._marks.pop(name, None)
        if played is None:  # cleared by a barge-in, or not ours
            return
        played(time.perf_counter())
        if name == self._transfer_after:
            self._start_transfer()

    # ------------------------------------------------------------------ Hark -> Twilio
    # The ``Transport`` the session speaks through (hark.voice.transport).
    async def send_event(self, event: ServerEvent) -> None:
        """The session's protocol events; only a few mean anything on a phone line."""
        if isinstance(event, InterruptedEvent):  # the session cleared the line just before
            if self._handoff is not None:
                self._start_transfer()
        elif isinstance(event, ReplyEvent):
            self._reply_audio = False
        elif isinstance(event, AudioStartEvent):
            self._reply_audio = True
        elif isinstance(event, HandoffEvent):
            await self._on_handoff(event.summary)
        elif isinstance(event, AudioEndEvent) and self._handoff is not None:
            self._transfer_after = self._last_mark
            if self._transfer_after is None or self._transfer_after not in self._marks:
                self._start_transfer()
        elif (
            isinstance(event, TurnMetricsEvent)
            and self._handoff is not None
            and not self._reply_audio
        ):
            self._start_transfer()  # no speech engine: nothing to wait for
        elif isinstance(event, ErrorEvent):
            log.warning("voice session error on a phone line: %s", event.code.value)

    @property
    def on_playback_finished(self) -> PlaybackFinished:
        """Twilio reports playback: a ``mark`` after each piece (``_mark_played``)."""
        return self._mark_played

    async def send_audio(self, data: bytes) -> None:
        """Reply audio (PCM16 at 8 kHz) as 20 ms μ-law ``media`` messages."""
        self._audio.extend(mulaw_encode(pcm16_to_int16(data)))
        while len(self._audio) >= FRAME_BYTES:
            frame = bytes(self._audio[:FRAME_BYTES])
            del self._audio[:FRAME_BYTES]
            await self._send_media(frame)

    async def _mark_played(self, played: Played) -> None:
        """A piece's audio is all sent: finish its last frame and mark where it ends; the
        mark's echo (Twilio has played it) calls ``played``."""
        if self._audio:
            frame = bytes(self._audio) + SILENCE * (FRAME_BYTES - len(self._audio))
            self._audio.clear()
            await self._send_media(frame)
        self._mark_number += 1
        name = f"s{self._mark_number}"
        self._marks[name] = played
        self._last_mark = name
        await self._send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    async def _send_media(self, frame: bytes) -> None:
        payload = base64.b64encode(frame).decode("ascii")
        await self._send(
            {"event": "media", "streamSid": self.stream_sid, "media": {"payload": payload}}
        )

    async def clear(self) -> None:
        """The caller barged in: Twilio drops the audio it buffered."""
        self._audio.clear()
        self._marks.clear()  # their echoes after a clear say nothing about what was heard
        await self._send({"event": "clear", "streamSid": self.stream_sid})

    async def _send(self, message: dict[str, Any]) -> None:
        """Send one message; a vanished socket ends the stream quietly instead of raising."""
        if self.stream_sid is None or self.done.is_set():
            return
        async with self._send_lock:
            try:
                await self.ws.send_text(json.dumps(message, separators=(",", ":")))
            except Exception as exc:
                log.debug("media stream send failed, Twilio has gone: %s", exc)
                self.done.set()

    # ------------------------------------------------------------------ transfer
    async def _on_handoff(self, summary: dict[str, Any] | None) -> None:
        self._handoff = summary or {}
        self._transfer_after = None
        note = transfer.agent_note(self._handoff, self.settings)
        if self.call_sid is not None:
            await asyncio.to_thread(self.services.calls.change, self.call_sid, handoff_note=note)

    def _start_transfer(self) -> None:
        if self._transferring or self.call_sid is None:
            return
        self._transferring = True
        task = asyncio.ensure_future(self._transfer())
        self.runtime.keep(task)  # outlives the stream: the move ends the stream

    async def _transfer(self) -> None:
        """Move the call onto the dial TwiML (the handoff sentence has been heard)."""
        call_sid = self.call_sid
        assert call_sid is not None
        document, status = transfer.dial_twiml(self.settings, call_sid, lead="")
        calls = self.services.calls
        await asyncio.to_thread(calls.change, call_sid, transfer_status="pending")
        try:
            await asyncio.to_thread(self.runtime.mover.move, call_sid, document)
        except Exception as exc:
            log.error(
                "could not move the call to a person with the REST API (%s); "
                "ending the stream so <Connect action> dials instead",
                type(exc).__name__,
            )
            self.done.set()
            return
        await asyncio.to_thread(calls.change, call_sid, transfer_status=status)
        with log_context(conversation_id=self.session.conversation_id):
            log.info("call moved to a person", extra={"transfer_status": status})


def _media_format(media: object) -> tuple[Any, int, int] | None:
    """``(encoding, sampleRate, channels)`` of a ``start``, with Twilio's values as defaults."""
    if not isinstance(media, dict):
        return None
    try:
        return (
            media.get("encoding", "audio/x-mulaw"),
            int(media.get("sampleRate", RATE)),
            int(media.get("channels", 1)),
        )
    except (TypeError, ValueError):
        return None
