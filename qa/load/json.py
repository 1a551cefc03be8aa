"""JSON and JSON Lines files as articles: one object, a list of objects, an
``{"articles": [...]}`` wrapper, or one object per line. A bad record is skipped with its
number; the rest load."""

from __future__ import annotations

import json
from typing import Any

from qa.errors import LoadError
from qa.load.article import _EMPTY, _text_value, _with_metadata, normalise_text
from qa.records import Article, Skipped

_TEXT_FIELDS = ("text", "body", "content")
_NO_TEXT_FIELD = 'no text field (expected "text", "body" or "content")'
_TOO_DEEP = "not valid JSON for an article (nested too deeply)"


def _parse_json(raw: str, *, name: str, path: str) -> tuple[list[Article], list[Skipped]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = f"{error.msg} at line {error.lineno}, column {error.colno}"
        raise LoadError(name, f"not valid JSON ({problem})") from None
    except RecursionError:  # "[[[[...]]]]" thousands deep: hostile or broken, never an article
        raise LoadError(name, _TOO_DEEP) from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        return [_record_article(data, label=name, name=name, path=path)], []
    if not isinstance(data, list):
        found = type(data).__name__
        raise LoadError(name, f"expected a JSON object or a list of objects, found a {found}")
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for number, record in enumerate(data, start=1):
        label = f"{name}:record {number}"
        try:
            articles.append(_record_article(record, label=label, name=name, path=path))
        except LoadError as error:
            skipped.append(Skipped(label, error.problem))
    return articles, skipped


def _parse_jsonl(raw: str, *, name: str, path: str) -> tuple[list[Article], list[Skipped]]:
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"{name}:line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            skipped.append(Skipped(label, f"not valid JSON ({error.msg}, column {error.colno})"))
            continue
        except RecursionError:
            skipped.append(Skipped(label, _TOO_DEEP))
            continue
        try:
            articles.append(_record_article(record, label=label, name=name, path=path))
        except LoadError as error:
            skipped.append(Skipped(label, error.problem))
    return articles, skipped


def _record_article(record: Any, *, label: str, name: str, path: str) -> Article:
    if not isinstance(record, dict):
        raise LoadError(label, f"expected a JSON object, found a {type(record).__name__}")
    field = next((f for f in _TEXT_FIELDS if f in record), None)
    if field is None:
        raise LoadError(label, _NO_TEXT_FIELD)
    value = record[field]
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        value = "\n\n".join(value)  # a list of paragraphs
    if not isinstance(value, str):
        raise LoadError(label, f'"{field}" must be a string, found a {type(value).__name__}')
    if not normalise_text(value):
        raise LoadError(label, _EMPTY)
    return _with_metadata(record, title=_text_value(record.get("title")), text=value, path=path)
