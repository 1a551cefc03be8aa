"""Records over HTTP: an ``Answer`` (with its citations, articles and sentences) as plain
JSON and back, so a client of the Ray Serve backend (the Gradio app) gets the very objects
``Index.ask`` returns, and can send earlier answers back as a conversation's history.

``Answer.to_dict`` is the display form (it drops article texts and paragraphs); this is the
complete form: ``dataclasses.asdict`` out, the dataclass field types read back in.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any

from qa.records import Answer


def to_plain(record: Any) -> Any:
    """A dataclass record as JSON-ready dicts and lists."""
    return dataclasses.asdict(record)


def answer_from_plain(data: dict[str, Any]) -> Answer:
    return from_plain(Answer, data)


def from_plain(kind: Any, value: Any) -> Any:
    """``value`` (from ``to_plain`` and JSON) rebuilt as ``kind``: dataclasses, tuples,
    lists, optionals and plain values, recursively."""
    if value is None:
        return None
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: from_plain(hints[k], v) for k, v in value.items() if k in names})
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return from_plain(real[0], value) if len(real) == 1 else value
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(from_plain(item, v) for v in value)
    if origin is list:
        return [from_plain(args[0] if args else Any, v) for v in value]
    if origin is dict:
        return {k: from_plain(args[1], v) for k, v in value.items()} if args else dict(value)
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
