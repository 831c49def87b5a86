"""Problems found in a contract folder, with their place, in French."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Layer(StrEnum):
    """The checking layer that found a problem; later layers run only when earlier ones pass."""

    SYNTAX = "syntaxe YAML"
    SCHEMA = "schéma"
    RULES = "règles entre fichiers"


class Severity(StrEnum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None
    message: str
    rule: str
    layer: Layer
    severity: Severity = Severity.ERROR

    @property
    def place(self) -> str:
        return f"{self.file}, ligne {self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.place} : {self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line or 0, self.message)
