"""The normalised contract as JSON, and the JSON Schemas of the export and of each file kind."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from cpog.contract.model import (
    FORMAT_VERSION,
    CafCommitmentsFile,
    CatalogueFile,
    ChallengeFile,
    CnafCommitmentsFile,
    Contract,
    ContractFile,
    CorrectionsFile,
    DiagnosisFile,
    IndicatorFile,
    PolicyFile,
)

SCHEMA_PARTS: dict[str, type[BaseModel]] = {
    "export": Contract,
    "contract": ContractFile,
    "commitments-caf": CafCommitmentsFile,
    "commitments-cnaf": CnafCommitmentsFile,
    "diagnosis": DiagnosisFile,
    "challenge": ChallengeFile,
    "catalogue": CatalogueFile,
    "indicator": IndicatorFile,
    "corrections": CorrectionsFile,
    "policy": PolicyFile,
}


def contract_json(contract: Contract) -> str:
    return json.dumps(contract.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def json_schema(part: str = "export") -> dict[str, Any]:
    model = SCHEMA_PARTS[part]
    schema = model.model_json_schema(mode="serialization" if part == "export" else "validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:cpog:schema:v{FORMAT_VERSION}:{part}"
    return schema


def schema_json(part: str = "export") -> str:
    return json.dumps(json_schema(part), ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: str) -> None:
    """Regenerate the committed schemas (``make schemas``)."""
    from pathlib import Path

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for part in SCHEMA_PARTS:
        name = "contract-export" if part == "export" else part
        (target / f"{name}.schema.json").write_text(schema_json(part), encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_schemas(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")
