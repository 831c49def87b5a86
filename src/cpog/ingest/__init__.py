"""Reading values and targets from the files French staff really use.

* :mod:`cpog.ingest.numbers` — French numbers, percentages and dates, read strictly and written
  with Babel ``fr_FR``;
* :mod:`cpog.ingest.tables` — CSV (encoding and delimiter detection) and spreadsheets
  (python-calamine) read as text cells with the line numbers the user sees, and cell-level
  validation reports in French.
"""

from cpog.ingest.numbers import (
    DateError,
    NumberError,
    ParseError,
    parse_date,
    parse_number,
    parse_number_with_unit,
)
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Row,
    Table,
    TableError,
    ValidationReport,
    read_table,
)

__all__ = [
    "CellIssue",
    "DateError",
    "ImportValidationError",
    "NumberError",
    "ParseError",
    "Row",
    "Table",
    "TableError",
    "ValidationReport",
    "parse_date",
    "parse_number",
    "parse_number_with_unit",
    "read_table",
]
