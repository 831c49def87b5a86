"""One serializer for every context: dataclass → JSON with French field names, and the JSON
schema the OpenAPI document publishes. The API, the CLI (``--format json``), the reports (Typst
reads this JSON) and the tests all go through :func:`to_data`.

Field names stay English in code; their French JSON names are in :data:`cpog.vocabulary.FIELD`
(one place). A field without a French name fails when its type is first serialized, so that no
English key reaches a user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform

from pydantic import ConfigDict, TypeAdapter, with_config

from cpog import vocabulary

T = TypeVar("T")


def french_name(name: str) -> str:
    try:
        return vocabulary.FIELD[name]
    except KeyError:
        raise KeyError(f"champ sans nom français dans cpog.vocabulary.FIELD : {name}") from None


_CONFIG = ConfigDict(alias_generator=french_name, populate_by_name=True)


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """A context type: a frozen dataclass serialized with French field names."""
    frozen: Callable[[type[T]], type[T]] = dataclass(frozen=True)
    return with_config(_CONFIG)(frozen(cls))


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def to_data(context: Any) -> Any:
    """The JSON-ready form of a context (dicts, lists, strings, numbers; dates as ISO text)."""
    return _adapter(type(context)).dump_python(context, mode="json", by_alias=True)


def to_json(context: Any) -> str:
    """Stable JSON text: the same context gives the same bytes (reports hash it)."""
    return json.dumps(to_data(context), ensure_ascii=False, indent=1, sort_keys=False)


def json_schema(kind: type[Any]) -> dict[str, Any]:
    """The JSON schema of a context type as it is serialized (French field names)."""
    return _adapter(kind).json_schema(by_alias=True, mode="serialization")
