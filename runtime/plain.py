"""``dataclasses.asdict`` without copying what can't change: the same result, sooner.

Why: a typed turn turns the conversation's state and its reply into plain dicts
(for the JSON column and the HTTP answer), and Python 3.11's ``asdict`` passes
every string and number through ``copy.deepcopy``, which returns it unchanged
(about a hundred calls a turn). Python 3.12 added this same shortcut for the
same types; this is it for 3.11. Containers and anything else are handled as
``asdict`` handles them.
"""

from __future__ import annotations

import copy
import types
from dataclasses import fields, is_dataclass
from typing import Any

_ATOMIC = frozenset(
    {
        types.NoneType,
        bool,
        int,
        float,
        str,
        complex,
        bytes,
        types.EllipsisType,
        types.NotImplementedType,
        types.CodeType,
        types.BuiltinFunctionType,
        types.FunctionType,
        type,
        range,
        property,
    }
)
"""The types Python 3.12's ``asdict`` returns as they are (``deepcopy`` would too)."""


def asdict(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict(obj)``: the dataclass instance ``obj`` as nested dicts."""
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError("asdict() should be called on dataclass instances")
    result: dict[str, Any] = _plain(obj)
    return result


def _plain(obj: Any) -> Any:
    if type(obj) in _ATOMIC:
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a namedtuple stays one
        return type(obj)(*[_plain(v) for v in obj])
    if isinstance(obj, list | tuple):
        return type(obj)(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_plain(k), _plain(v)) for k, v in obj.items())
    return copy.deepcopy(obj)
