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

from pydantic import Field, SecretStr, field_validator
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

    # --- optional LLM -----------------------------------------------------
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL (vLLM, llama.cpp, Ollama). Unset: no LLM."
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM server.")
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the LLM server.")
    llm_timeout_s: float = Field(
        4.0, gt=0, description="LLM request timeout in seconds (keep well under Alexa's 8 s)."
    )

    # --- speech recognition -----------------------------------------------
    asr_model: str = Field(
        "tiny.en",
        description="faster-whisper model name (in <data_dir>/models/whisper/) or a model folder.",
    )
    asr_device: str = Field("cpu", description="ctranslate2 device: cpu, cuda or auto.")
    asr_compute_type: str = Field("int8", description="ctranslate2 compute type.")
    asr_beam_size: int = Field(1, ge=1, description="Beam size for decoding.")
    asr_language: str | None = Field("en", description="Language code, or unset to detect.")
    asr_threads: int = Field(0, ge=0, description="CPU threads for ASR (0: library default).")

    # --- speech synthesis ---------------------------------------------------
    tts_voice: str = Field(
        "en_US-lessac-medium",
        description="piper voice name (in <data_dir>/models/piper/) or a path to a .onnx file.",
    )
    tts_speaker: int | None = Field(None, description="Speaker id for multi-speaker voices.")
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

    @field_validator("vad_frame_ms")
    @classmethod
    def _frame_ms(cls, value: int) -> int:
        if value not in (10, 20, 30):
            raise ValueError("must be 10, 20 or 30")
        return value

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
