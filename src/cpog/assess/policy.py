"""Assessment policy: the thresholds that turn a value into a status.

The shipped defaults live in ``src/cpog/policies/default.yaml``. A caisse may write its own file
with the same keys; keys it leaves out keep the default value, unknown keys are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from cpog.errors import CpogError

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "policies" / "default.yaml"


class PolicyError(CpogError):
    """A policy file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds of the status rules (see docs/assessment.md)."""

    ahead: float = 1.05
    on_track: float = 0.95
    watch: float = 0.85
    relative_tolerance: float = 0.05
    maintain_tolerance: float = 0.02
    stale_grace_days: int = 15
    unusual_change: float = 0.5
    unusual_spread: float = 3.0
    ytd_profile: str = "prorata"


_RATIO_KEYS = ("ahead", "on_track", "watch", "unusual_spread")
_TOLERANCE_KEYS = ("relative_tolerance", "maintain_tolerance", "unusual_change")
YTD_PROFILES = ("prorata", "annee_precedente")
_KEYS = tuple(f.name for f in fields(Policy))


def load_policy(path: Path | str | None = None) -> Policy:
    """Read a policy file; ``None`` reads the shipped default policy."""
    source = Path(path) if path is not None else DEFAULT_POLICY_PATH
    return policy_from_mapping(read_policy_file(source), origin=str(source))


def read_policy_file(source: Path | str) -> dict[Any, Any]:
    """The keys a policy file writes, unchecked (see :func:`policy_from_mapping`)."""
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"Politique d'évaluation illisible : {source} ({error}).") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(f"{source} : YAML invalide ({error}).") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(
            f"{source} : la politique doit être une liste de clés « clé: valeur » "
            f"({', '.join(_KEYS)})."
        )
    return data


def policy_from_mapping(data: dict[Any, Any], origin: str = "politique") -> Policy:
    """Build a policy from plain data, keys left out keeping their default value."""
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in _KEYS:
            raise PolicyError(
                f"{origin} : clé inconnue « {key} » ; clés possibles : {', '.join(_KEYS)}."
            )
        values[str(key)] = _checked_value(str(key), raw, origin)
    policy = replace(Policy(), **values)
    if not policy.ahead >= policy.on_track >= policy.watch:
        raise PolicyError(
            f"{origin} : les seuils doivent être ordonnés ahead ≥ on_track ≥ watch "
            f"(lu : ahead {policy.ahead}, on_track {policy.on_track}, watch {policy.watch})."
        )
    return policy


def _checked_value(key: str, raw: Any, origin: str) -> float | int | str:
    if key == "ytd_profile":
        if raw not in YTD_PROFILES:
            raise PolicyError(
                f"{origin} : « {key} » vaut {' ou '.join(YTD_PROFILES)} (lu : {raw!r})."
            )
        return str(raw)
    if key == "stale_grace_days":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise PolicyError(
                f"{origin} : « {key} » doit être un nombre entier de jours positif ou nul "
                f"(lu : {raw!r})."
            )
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise PolicyError(f"{origin} : « {key} » doit être un nombre (lu : {raw!r}).")
    value = float(raw)
    if key in _RATIO_KEYS and value <= 0:
        raise PolicyError(f"{origin} : « {key} » doit être strictement positif (lu : {raw!r}).")
    if key in _TOLERANCE_KEYS and not 0 <= value < 1:
        raise PolicyError(
            f"{origin} : « {key} » est une part de la cible, entre 0 et 1 exclu "
            f"(lu : {raw!r} ; 0,05 = 5 %)."
        )
    return value
