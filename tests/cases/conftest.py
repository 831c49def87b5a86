"""Runs the assessment cases written in tests/cases/*.yaml, one pytest item per case.

A case file is meant to be read by a contrôleur de gestion: see docs/assessment.md (« Cas de
test ») for the format. On failure the report names the file, the case and each difference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from cpog import vocabulary
from cpog.assess import (
    Assessment,
    BaselinePoint,
    Observation,
    Policy,
    Subject,
    TargetPoint,
    TargetSource,
    assess,
    roll_up,
)
from cpog.assess.policy import policy_from_mapping
from cpog.contexts.rollups import rollup_data
from cpog.contexts.serialize import to_data
from cpog.contexts.status_rows import status_row
from cpog.contract.model import Comparator, Cumulation, Direction, MeasureKind, Periodicity
from cpog.periods import parse_period
from cpog.steering import NO_PROVENANCE, StatusRow

DEFAULT_TOLERANCE = 0.01
CASE_KEYS = {
    "name",
    "description",
    "subject",
    "values",
    "as_of",
    "expect",
    "policy",
    "tolerance",
    "rollup",
}
SUBJECT_KEYS = {
    "id",
    "label",
    "direction",
    "unit",
    "assessed",
    "periodicity",
    "cumulation",
    "availability_lag_days",
    "baseline",
    "targets",
    "trajectory",
    "measure_kind",
    "per_year",
    "yearly_total",
    "contract_start",
    "contract_end",
}


class CaseError(Exception):
    """A case file that does not follow the format (reported as a failure, not a crash)."""


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in {".yaml", ".yml"}:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise CaseError(f"{self.path.name} : une liste « cases: » est attendue.")
        defaults = data.get("defaults") or {}
        seen: set[str] = set()
        for index, raw in enumerate(data["cases"], start=1):
            if not isinstance(raw, dict) or "name" not in raw:
                raise CaseError(f"{self.path.name} : le cas n° {index} n'a pas de « name ».")
            name = str(raw["name"])
            if name in seen:
                raise CaseError(f"{self.path.name} : deux cas s'appellent « {name} ».")
            seen.add(name)
            yield CaseItem.from_parent(self, name=name, spec=_merge(defaults, raw))


class CaseItem(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        differences = run_case(self.spec)
        if differences:
            raise CaseFailure(differences)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        head = f"{_relative(self.path, self.config.rootpath)} › {self.name}"
        if isinstance(excinfo.value, CaseFailure):
            lines = "\n".join(f"  - {d}" for d in excinfo.value.differences)
            return f"{head}\n{lines}"
        if isinstance(excinfo.value, CaseError):
            return f"{head}\n  cas mal écrit : {excinfo.value}"
        return f"{head}\n{super().repr_failure(excinfo)}"

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name} › {self.name}"


class CaseFailure(Exception):
    def __init__(self, differences: list[str]) -> None:
        super().__init__("\n".join(differences))
        self.differences = differences


# --- building the inputs ------------------------------------------------------------------


def _merge(defaults: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    merged = {**defaults, **case}
    for key in ("subject", "policy"):
        if isinstance(defaults.get(key), dict) and isinstance(case.get(key), dict):
            merged[key] = {**defaults[key], **case[key]}
    return merged


def build_subject(raw: dict[str, Any], name: str) -> Subject:
    unknown = set(raw) - SUBJECT_KEYS
    if unknown:
        raise CaseError(f"clé(s) inconnue(s) dans subject : {', '.join(sorted(unknown))}")
    baseline = raw.get("baseline")
    if isinstance(baseline, dict):
        baseline = BaselinePoint(float(baseline["value"]), int(baseline["year"]))
    elif isinstance(baseline, list):
        baseline = BaselinePoint(float(baseline[0]), int(baseline[1]))
    targets = [
        TargetPoint(
            year=int(t["year"]),
            value=float(t.get("value", 100)),
            kind=TargetSource(t.get("kind", "fixed")),
            comparator=Comparator(t["comparator"]) if t.get("comparator") else None,
        )
        for t in raw.get("targets") or []
    ]
    kind = raw.get("measure_kind")
    return Subject(
        id=str(raw.get("id", _slug(name))),
        label=str(raw.get("label", name)),
        direction=Direction(raw["direction"]),
        unit=raw.get("unit"),
        assessed=bool(raw.get("assessed", True)),
        periodicity=Periodicity(raw.get("periodicity", "annual")),
        cumulation=Cumulation(raw.get("cumulation", "none")),
        availability_lag_days=int(raw.get("availability_lag_days", 30)),
        baseline=baseline,
        targets=targets,
        trajectory=raw.get("trajectory", "linear"),
        measure_kind=MeasureKind(kind) if kind else None,
        per_year=bool(raw.get("per_year", False)),
        yearly_total=bool(raw.get("yearly_total", False)),
        contract_start=int(raw.get("contract_start", 2023)),
        contract_end=int(raw.get("contract_end", 2027)),
    )


VALUE_KEYS = {"value", "provisional", "settled", "confirmed"}


def build_observations(raw: dict[Any, Any] | None) -> list[Observation]:
    """``{"2025": 7.61}``, or ``{"2025": {value: 7.61, provisional: true, settled: 7.5,
    confirmed: true}}`` for a value's flags."""
    observations = []
    for key, spec in (raw or {}).items():
        period = parse_period(str(key))
        if not isinstance(spec, dict):
            observations.append(Observation(period, float(spec)))
            continue
        unknown = set(spec) - VALUE_KEYS
        if unknown:
            raise CaseError(
                f"clé(s) inconnue(s) dans la valeur {key} : {', '.join(sorted(unknown))}"
            )
        settled = spec.get("settled")
        observations.append(
            Observation(
                period,
                float(spec["value"]),
                provisional=bool(spec.get("provisional", False)),
                settled=None if settled is None else float(settled),
                confirmed=bool(spec.get("confirmed", False)),
            )
        )
    return observations


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "cas"


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _policy(raw: dict[str, Any] | None) -> Policy:
    return policy_from_mapping(raw or {}, origin="policy du cas")


# --- running and comparing ----------------------------------------------------------------


def run_case(spec: dict[str, Any]) -> list[str]:
    unknown = set(spec) - CASE_KEYS
    if unknown:
        raise CaseError(f"clé(s) inconnue(s) : {', '.join(sorted(unknown))}")
    if "expect" not in spec or "as_of" not in spec:
        raise CaseError("un cas doit avoir « as_of » et « expect »")
    name = str(spec["name"])
    as_of = _date(spec["as_of"])
    policy = _policy(spec.get("policy"))
    tolerance = float(spec.get("tolerance", DEFAULT_TOLERANCE))
    expect = dict(spec["expect"])
    if "rollup" in spec:
        items = []
        for n, entry in enumerate(spec["rollup"], start=1):
            subject = build_subject(entry["subject"], f"{name} {n}")
            assessment = assess(subject, build_observations(entry.get("values")), as_of, policy)
            items.append((assessment, float(entry.get("weight", 1))))
        result = roll_up(items, closing=any(a.closing for a, _ in items))
        rows = [status_row_of(a) for a, _ in items]
        observed_rollup = to_data(rollup_data(result, rows))
        # the status of each item, as its status row says it
        observed_rollup["statuts"] = [to_data(status_row(r))[STATUS] for r in rows]
        return compare(observed_rollup, expect, tolerance)
    subject = build_subject(spec["subject"], name)
    assessment = assess(subject, build_observations(spec.get("values")), as_of, policy)
    return compare(observed(assessment), expect, tolerance)


STATUS = vocabulary.FIELD["status"]
VALUE = vocabulary.FIELD["value"]
YEAR = vocabulary.FIELD["year"]
TO_CHECK = vocabulary.FIELD["to_check"]
REASONS_CONTAIN = "explications_contiennent"


def status_row_of(a: Assessment) -> StatusRow:
    """The assessment as the row every page, the API and the CLI show."""
    return StatusRow(
        subject_type="indicator",
        subject_id=a.subject.id,
        code=a.subject.id,
        label=a.subject.label,
        unit=a.subject.unit,
        challenge=None,
        family=None,
        baseline=NO_PROVENANCE,
        assessment=a,
    )


def observed(a: Assessment) -> dict[str, Any]:
    """What the case checks: the status row serialized as the API and the CLI write it."""
    data: dict[str, Any] = to_data(status_row(status_row_of(a)))
    return data


def _spaces(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def compare(actual: dict[str, Any], expect: dict[str, Any], tolerance: float) -> list[str]:
    differences: list[str] = []
    for key, wanted in expect.items():
        if key == REASONS_CONTAIN:
            reasons = [_spaces(r) for r in actual[vocabulary.FIELD["reasons"]]]
            for fragment in [wanted] if isinstance(wanted, str) else wanted:
                if not any(_spaces(str(fragment)) in r for r in reasons):
                    differences.append(
                        f"aucune explication ne contient « {fragment} » ; explications : "
                        + " | ".join(reasons)
                    )
            continue
        if key not in actual:
            raise CaseError(f"clé inconnue dans expect : {key}")
        _compare_value(key, actual[key], wanted, tolerance, differences)
    return differences


def _compare_value(
    path: str, got: Any, wanted: Any, tolerance: float, differences: list[str]
) -> None:
    if isinstance(wanted, dict) and _is_records_by_year(got):
        got = {str(item[YEAR]): item for item in got}  # the closed years' verdicts, by year
    if isinstance(wanted, dict):
        if not isinstance(got, dict):
            differences.append(f"{path} : attendu {wanted!r}, obtenu {_shown(got)}")
            return
        for raw_key, sub in wanted.items():
            key = str(raw_key)  # a year written 2025 in YAML is the key "2025"
            if key not in got:
                raise CaseError(f"clé inconnue dans expect : {path}.{key}")
            _compare_value(f"{path}.{key}", got[key], sub, tolerance, differences)
        return
    if isinstance(got, dict) and isinstance(wanted, int | float) and VALUE in got:
        _compare_value(f"{path}.{VALUE}", got[VALUE], wanted, tolerance, differences)
        return
    field = path.rsplit(".", 1)[-1]
    if "periode" in field and wanted is not None and got is not None:
        if parse_period(str(wanted)).key != got:
            differences.append(f"{path} : attendu {wanted}, obtenu {got}")
        return
    if field == TO_CHECK and isinstance(wanted, bool):
        # « a_verifier » says why the value is to check; a case says whether it is
        if (got is not None) is not wanted:
            differences.append(f"{path} : attendu {wanted}, obtenu {_shown(got)}")
        return
    if isinstance(wanted, date):  # the JSON has dates as ISO text
        if got is None or _date(wanted) != _date(got):
            differences.append(f"{path} : attendu {wanted}, obtenu {got}")
        return
    if isinstance(wanted, bool) or isinstance(got, bool):
        if wanted is not got:
            differences.append(f"{path} : attendu {wanted}, obtenu {got}")
        return
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        if not isinstance(got, int | float) or not math.isclose(
            got, wanted, abs_tol=tolerance, rel_tol=0
        ):
            diff = f" (écart {got - wanted:+.4g})" if isinstance(got, int | float) else ""
            differences.append(
                f"{path} : attendu {wanted}, obtenu {_shown(got)}{diff}, tolérance {tolerance}"
            )
        return
    if got != wanted:
        differences.append(f"{path} : attendu {wanted!r}, obtenu {_shown(got)}")


def _is_records_by_year(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and YEAR in v for v in value)


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)
