"""« Calcul » page: one definition of a computed indicator, readable by an auditor — its subject,
version, measure, grain, parameters (with the readings « à confirmer ») and its SQL with the
parameters filled in, as ``cpog explain`` prints it (:meth:`Definition.sql_for`)."""

from __future__ import annotations

from pathlib import Path

from cpog import vocabulary
from cpog.contexts.serialize import record
from cpog.contract.model import Contract
from cpog.warehouse.definitions import Definition, DefinitionError


@record
class ParameterView:
    name: str
    value: str  # as filled in the SQL shown
    default: str
    choices: list[str]
    description: str
    to_confirm: bool


@record
class ComputationContext:
    definition: str
    label: str
    file: str
    version: int
    subject_type: str
    subject_id: str
    subject_page: str  # "indicator" | "measure" | "" (a key figure: the contract page)
    code: str
    measure_label: str
    grain_label: str
    tables: list[str]
    parameters: list[ParameterView]
    notes: list[str]
    sql: str
    parameter_error: str  # a parameter of the address refused: the defaults are shown


def computation_context(
    contract: Contract, definition: Definition, overrides: dict[str, str]
) -> ComputationContext:
    """The page of ``definition``; ``overrides``: parameter values asked in the address (others
    are ignored; a refused value shows the defaults, with the reason)."""
    wanted = {k: v for k, v in overrides.items() if k in definition.parameter_by_name}
    error = ""
    try:
        values = definition.values(dict(wanted))
    except DefinitionError as refused:
        error, values = str(refused), definition.values()
    code = definition.subject_id
    page = ""
    if definition.subject_type == "indicator":
        indicator = next((i for i in contract.indicators if i.id == definition.subject_id), None)
        if indicator is not None:
            code, page = indicator.code or indicator.id, "indicator"
    elif definition.subject_type == "measure":
        page = "measure"
    return ComputationContext(
        definition=definition.name,
        label=definition.label,
        file=Path(definition.path).name,
        version=definition.version,
        subject_type=definition.subject_type,
        subject_id=definition.subject_id,
        subject_page=page,
        code=code,
        measure_label=vocabulary.DEFINITION_MEASURE.get(
            str(definition.measure), str(definition.measure)
        ),
        grain_label=vocabulary.DEFINITION_GRAIN.get(str(definition.grain), str(definition.grain)),
        tables=list(definition.tables),
        parameters=[
            ParameterView(
                name=p.name,
                value=str(values[p.name]),
                default=str(p.default),
                choices=list(p.choices),
                description=p.description,
                to_confirm=p.to_confirm,
            )
            for p in definition.parameters
        ],
        notes=list(definition.notes),
        sql=definition.sql_for("duckdb", values),
        parameter_error=error,
    )
