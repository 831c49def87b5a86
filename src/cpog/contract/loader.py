"""Read a contract folder into a :class:`~cpog.contract.model.Contract`, collecting every problem.

Layers, as ``cpog check`` reports them:
1. YAML syntax of every file;
2. the schema of every file (pydantic models, unknown keys refused);
3. rules that span files (:mod:`cpog.contract.rules`), run only when 1 and 2 found nothing,
   because a file that failed its schema would otherwise produce misleading reference errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cpog.contract.issues import Issue, Layer
from cpog.contract.model import (
    CafCommitmentsFile,
    CatalogueFile,
    ChallengeFile,
    CnafCommitmentsFile,
    Commitments,
    Contract,
    ContractFile,
    CorrectionsFile,
    DiagnosisFile,
    Indicator,
    IndicatorFile,
    PolicyFile,
)
from cpog.contract.yamlpos import Located, YamlSyntaxError, load_yaml
from cpog.formatting import fr_number

CONTRACT_FILE = "contract.yaml"
CAF_COMMITMENTS = "commitments/caf.yaml"
CNAF_COMMITMENTS = "commitments/cnaf.yaml"
DIAGNOSIS = "diagnosis.yaml"
CATALOGUE = "indicators/catalogue.yaml"
CORRECTIONS = "corrections.yaml"
POLICY = "policy.yaml"

SINGLE_FILES: dict[str, type[BaseModel]] = {
    CONTRACT_FILE: ContractFile,
    CAF_COMMITMENTS: CafCommitmentsFile,
    CNAF_COMMITMENTS: CnafCommitmentsFile,
    DIAGNOSIS: DiagnosisFile,
    CATALOGUE: CatalogueFile,
}
OPTIONAL_FILES: dict[str, type[BaseModel]] = {CORRECTIONS: CorrectionsFile, POLICY: PolicyFile}


@dataclass
class ParsedFile:
    """One file of the folder: where it was read from, its data with positions, its model."""

    name: str
    located: Located
    model: BaseModel

    def line(self, *path: str | int) -> int | None:
        return self.located.line_of(path)


@dataclass
class LoadResult:
    folder: Path
    contract: Contract | None
    files: dict[str, ParsedFile] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(i.severity == "erreur" for i in self.issues)


class ContractLoadError(Exception):
    """The contract folder has errors; ``issues`` lists them all."""

    def __init__(self, folder: Path, issues: list[Issue]) -> None:
        super().__init__(f"Le contrat {folder} contient {len(issues)} erreur(s).")
        self.folder = folder
        self.issues = issues


def load_contract(folder: Path) -> Contract:
    """Load a contract that must be valid, or raise :class:`ContractLoadError`."""
    result = read_contract(folder)
    if result.contract is None or not result.ok:
        raise ContractLoadError(folder, result.issues)
    return result.contract


def read_contract(folder: Path) -> LoadResult:
    """Read and check a contract folder; never raises on bad content."""
    from cpog.contract.rules import run_rules

    folder = Path(folder)
    result = LoadResult(folder=folder, contract=None)
    if not folder.is_dir():
        result.issues.append(
            Issue(str(folder), None, "dossier de contrat introuvable", "folder", Layer.SYNTAX)
        )
        return result

    wanted: list[tuple[str, type[BaseModel], bool]] = [
        *((name, model, True) for name, model in SINGLE_FILES.items()),
        *((name, model, False) for name, model in OPTIONAL_FILES.items()),
        *((name, ChallengeFile, True) for name in _names(folder, "challenges")),
        *(
            (name, IndicatorFile, True)
            for name in _names(folder, "indicators")
            if name != CATALOGUE
        ),
    ]
    for name, model, required in wanted:
        path = folder / name
        if not path.exists():
            if required:
                result.issues.append(
                    Issue(name, None, "fichier obligatoire absent", "required-file", Layer.SYNTAX)
                )
            continue
        parsed = _parse(path, name, model, result.issues)
        if parsed is not None:
            result.files[name] = parsed
    if not _names(folder, "challenges"):
        result.issues.append(
            Issue(
                "challenges/",
                None,
                "aucune fiche défi (challenges/*.yaml)",
                "required-file",
                Layer.SYNTAX,
            )
        )

    if result.issues:
        return result
    result.contract = _assemble(result)
    result.issues.extend(run_rules(result))
    return result


def _names(folder: Path, sub: str) -> list[str]:
    return (
        sorted(f"{sub}/{p.name}" for p in (folder / sub).glob("*.yaml"))
        if (folder / sub).is_dir()
        else []
    )


def _parse(path: Path, name: str, model: type[BaseModel], issues: list[Issue]) -> ParsedFile | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        issues.append(
            Issue(name, None, "le fichier n'est pas encodé en UTF-8", "encoding", Layer.SYNTAX)
        )
        return None
    try:
        located = load_yaml(text, name)
    except YamlSyntaxError as error:
        issues.append(Issue(name, error.line, error.message, "yaml-syntax", Layer.SYNTAX))
        return None
    for key, line in located.duplicate_keys:
        issues.append(
            Issue(name, line, f"clé « {key} » écrite deux fois", "duplicate-key", Layer.SYNTAX)
        )
    if located.data is None:
        issues.append(Issue(name, None, "fichier vide", "empty-file", Layer.SCHEMA))
        return None
    try:
        instance = model.model_validate(located.data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            issues.append(
                Issue(
                    name,
                    located.line_of(loc),
                    schema_message(detail, model),
                    "schema",
                    Layer.SCHEMA,
                )
            )
        return None
    if located.duplicate_keys:
        return None
    return ParsedFile(name=name, located=located, model=instance)


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(racine)"


def schema_message(detail: Any, model: type[BaseModel]) -> str:
    """A pydantic error in French, naming the field and the value."""
    loc = tuple(detail["loc"])
    where = _path_text(loc)
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    shown = (
        "(bloc)"
        if isinstance(value, dict | list)
        else "une valeur vide"
        if value is None
        else f"« {value} »"
    )
    if kind == "string_too_long":
        return f"{where} : {shown} trop long ({ctx.get('max_length')} caractères au plus)"
    if kind == "missing":
        return f"champ obligatoire « {where} » absent"
    if kind == "extra_forbidden":
        keys = _allowed_keys(model, loc[:-1])
        hint = f" (champs permis : {', '.join(keys)})" if keys else ""
        return f"champ inconnu « {where} »{hint}"
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "code":
            return f"{where} : code {shown} invalide, forme attendue « COG 08-25 »"
        return (
            f"{where} : identifiant {shown} invalide (minuscules sans accent, chiffres et "
            "tirets seulement)"
        )
    if kind == "enum":
        allowed = str(ctx.get("expected", "")).replace(" or ", " ou ")
        return f"{where} : valeur {shown} non permise (valeurs permises : {allowed})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{where} : nombre entier attendu, reçu {shown}"
    if kind in {"float_parsing", "float_type"}:
        return f"{where} : nombre attendu, reçu {shown}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"{where} : {shown} trop petit (minimum {_bound(ctx, 'ge', 'gt')})"
    if kind in {"less_than_equal", "less_than"}:
        return f"{where} : {shown} trop grand (maximum {_bound(ctx, 'le', 'lt')})"
    if kind in {"string_type", "string_too_short"}:
        return f"{where} : texte non vide attendu, reçu {shown}"
    if kind == "list_type":
        return f"{where} : liste attendue, reçu {shown}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"{where} : bloc de champs attendu, reçu {shown}"
    if kind == "bool_parsing":
        return f"{where} : true ou false attendu, reçu {shown}"
    if kind == "string_type" or "Keys should be strings" in str(detail.get("msg", "")):
        return f"{where} : texte attendu, reçu {shown}"
    return f"{where} : valeur {shown} invalide (contrôle « {kind} »)"


def _bound(ctx: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if isinstance(ctx.get(key), int | float):
            return fr_number(ctx[key])
    return "?"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``loc``, to suggest the right spelling of an unknown key."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        current = _inner_model(info.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _assemble(result: LoadResult) -> Contract:
    files = result.files
    head = files[CONTRACT_FILE].model
    assert isinstance(head, ContractFile)
    catalogue = files[CATALOGUE].model
    assert isinstance(catalogue, CatalogueFile)
    place: dict[str, tuple[str, str]] = {
        ind: (family.id, group.id)
        for family in catalogue.families
        for group in family.groups
        for ind in group.indicators
    }
    order = {ind: n for n, ind in enumerate(place)}
    indicators = [
        Indicator(
            **p.model.model_dump(),
            family=place.get(p.model.id, ("hors-catalogue", "hors-catalogue"))[0],
            group=place.get(p.model.id, ("hors-catalogue", "hors-catalogue"))[1],
        )
        for p in files.values()
        if isinstance(p.model, IndicatorFile)
    ]
    indicators.sort(key=lambda i: (order.get(i.id, len(order)), i.id))
    challenges = sorted(
        (p.model for p in files.values() if isinstance(p.model, ChallengeFile)),
        key=lambda c: c.number,
    )
    for challenge in challenges:
        for result_ in challenge.targeted_results:
            for measure in result_.measures:
                if measure.target is not None and measure.target.year is None:
                    measure.target.year = head.period.end
    corrections = files.get(CORRECTIONS)
    policy = files.get(POLICY)
    caf = files[CAF_COMMITMENTS].model
    cnaf = files[CNAF_COMMITMENTS].model
    diagnosis = files[DIAGNOSIS].model
    assert isinstance(caf, CafCommitmentsFile)
    assert isinstance(cnaf, CnafCommitmentsFile)
    assert isinstance(diagnosis, DiagnosisFile)
    return Contract(
        **head.model_dump(),
        commitments=Commitments(caf=caf, cnaf=cnaf),
        diagnosis=diagnosis,
        challenges=challenges,
        catalogue=catalogue.families,
        indicators=indicators,
        corrections=(
            corrections.model.corrections
            if corrections is not None and isinstance(corrections.model, CorrectionsFile)
            else []
        ),
        policy=policy.model
        if policy is not None and isinstance(policy.model, PolicyFile)
        else None,
    )
