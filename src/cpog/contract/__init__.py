"""The contract as checked data: model, folder loader, layered checks, export."""

from __future__ import annotations

import os
from pathlib import Path

SHIPPED_CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"
DEFAULT_CONTRACT_NAME = "caf-deux-sevres-2023-2027"


def default_contract_path() -> Path:
    """The contract folder used when none is given: ``CPOG_CONTRACT`` or the shipped one."""
    configured = os.environ.get("CPOG_CONTRACT")
    return Path(configured) if configured else SHIPPED_CONTRACTS / DEFAULT_CONTRACT_NAME
