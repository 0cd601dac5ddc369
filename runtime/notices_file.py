"""``notices.toml``: the shop's notice rules in a file of their own, as a settings source.

A shop that edits which events become notices more often than the rest of its
configuration keeps them apart::

    default = "off"          # events not listed below: "off" or "all"

    [events]
    order_delayed = true
    order_out_for_delivery = true
    back_in_stock = false

Which file: ``HARK_NOTICES_FILE`` (or ``notices_file`` in the main TOML
configuration, relative to that file's folder); unset, ``notices.toml`` next
to the main configuration file if there is one. A file that is named must
exist; the default one may be absent.

Precedence, highest first: ``HARK_NOTICES`` (environment or an explicit
value), this file, ``notices`` in the main configuration file, ``off``. The
file is read and checked even when ``HARK_NOTICES`` wins, so a typo in it
stops the server with one clear line instead of waiting to surprise.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NoReturn

from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, ValidationError
from pydantic_settings import PydanticBaseSettingsSource

from hark.runtime.notice_rules import EVENT_KINDS

DEFAULT_NAME = "notices.toml"
KEYS = ("default", "events")


def rules_from_toml(text: str, name: str = DEFAULT_NAME) -> str:
    """The file's rules as a ``HARK_NOTICES`` value (``off``, ``all`` or a comma list in the
    order of ``EVENT_KINDS``); ``ValueError`` with one line naming the file and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"{name}: unknown key {unknown[0]!r}; use default and [events]")
    default = data.get("default", "off")
    if default not in ("off", "all"):
        raise ValueError(f'{name}: default must be "off" or "all", got {default!r}')
    events = data.get("events", {})
    if not isinstance(events, dict):
        raise ValueError(f"{name}: events must be a table, [events] with event = true or false")
    enabled = set(EVENT_KINDS) if default == "all" else set()
    for event, on in events.items():
        if event not in EVENT_KINDS:
            raise ValueError(
                f"{name}: unknown event {event!r} in [events]; use {', '.join(EVENT_KINDS)}"
            )
        if not isinstance(on, bool):
            raise ValueError(f"{name}: [events] {event} must be true or false, got {on!r}")
        (enabled.add if on else enabled.discard)(event)
    if not enabled:
        return "off"
    if enabled == set(EVENT_KINDS):
        return "all"
    return ",".join(kind for kind in EVENT_KINDS if kind in enabled)


class NoticesFileSource(PydanticBaseSettingsSource):
    """Reads ``notices.toml`` (see the module docstring); placed after the environment and
    before the main configuration file, so ``HARK_NOTICES`` beats it and it beats ``notices``
    in the main file."""

    def __init__(self, settings_cls: Any, config_file: str | None) -> None:
        super().__init__(settings_cls)
        self.config_file = Path(config_file) if config_file else None

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is decided in __call__

    def __call__(self) -> dict[str, Any]:
        path, named = self._path()
        if path is None or not (named or path.is_file()):
            return {}
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            _fail(path, f"notices file {path}: {exc.strerror or 'cannot be read'}")
        try:
            rules = rules_from_toml(text, path.name)
        except ValueError as exc:
            _fail(path, str(exc))
        found: dict[str, Any] = {"notices_file": path}
        if "notices" not in self.current_state:  # HARK_NOTICES wins over the file
            found["notices"] = rules
        return found

    def _path(self) -> tuple[Path | None, bool]:
        """The file to read and whether it was named (then it must exist)."""
        given = self.current_state.get("notices_file")
        if given:
            return Path(str(given)).expanduser(), True
        if self.config_file is None:
            return None, False
        folder = self.config_file.parent
        try:
            main = tomllib.loads(self.config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            main = {}  # the main file's own source reports its problems
        named = main.get("notices_file")
        if isinstance(named, str) and named.strip():
            return folder / Path(named.strip()).expanduser(), True
        return folder / DEFAULT_NAME, False


def _fail(path: Path, message: str) -> NoReturn:
    """One clear line, reported like any other bad setting (``hark: error: invalid
    configuration: notices_file: ...``)."""
    detail: InitErrorDetails = {
        "type": "value_error",
        "loc": ("notices_file",),
        "input": str(path),
        "ctx": {"error": ValueError(message)},
    }
    raise ValidationError.from_exception_data("Settings", [detail])
