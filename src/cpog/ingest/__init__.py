"""Reading values and targets from the files French staff really use.

* :mod:`cpog.ingest.numbers` — French numbers, percentages and dates, read strictly and written
  with Babel ``fr_FR``;
* :mod:`cpog.ingest.tables` — CSV (encoding and delimiter detection, read strictly) and
  spreadsheets (python-calamine) read as text cells with the line numbers the user sees, and
  cell-level validation reports in French;
* :mod:`cpog.ingest.cell_formats` — which spreadsheet cells are formatted as percentages;
* :mod:`cpog.ingest.value_rule` — the rule a value must follow, whatever the door (entry form,
  file import, API);
* :mod:`cpog.ingest.imports` — value and target files checked against a contract, line by line.
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
