"""Whatever a CSV or Parquet extract holds, the loader loads it or raises ExtractError in French
— never another exception (hypothesis, derandomized)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpog.warehouse.extracts import ExtractError, Settings, load_extracts

SETTINGS = Settings(memory_limit="128MB", threads=1)
HEADER = "id_reclamation;dossier;commune;recue_le;close_le\r\n"
CELLS = st.sampled_from(
    ["", " ", "R1", "01004", "2A004", "79191", "02/01/2025", "2025-01-03", "31/02/2025", "oui",
     '"', '"a;b"', "é", "\u00a0", ";", "\r\n", "\n", "\x00", "-1,5", "1 234,56"]
)  # fmt: skip


def attempt(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "reclamations.csv").write_bytes(data)
        try:
            load_extracts(Path(tmp), settings=SETTINGS).connection.close()
        except ExtractError as error:
            assert str(error)
            assert error.total >= 1


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=6),
       st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]))  # fmt: skip
def test_csv_made_of_awkward_cells(rows: list[list[str]], encoding: str) -> None:
    text = HEADER + "".join(";".join(row) + "\r\n" for row in rows)
    attempt(text.encode(encoding, errors="replace"))


@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.binary(max_size=300))
def test_random_bytes_after_a_header(data: bytes) -> None:
    attempt(HEADER.encode() + data)
