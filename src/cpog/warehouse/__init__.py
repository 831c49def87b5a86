"""Indicators computed from the Caf's operational extracts (issue 11).

* :mod:`.schema` — the extract tables and their columns (docs/extracts.md is the user's view);
* :mod:`.extracts` — loading a folder of extracts into DuckDB, validated, with its fingerprint;
* :mod:`.definitions` — one SQL file per computed subject, with its parameters;
* :mod:`.engine` — the calendar and territory tables, running the definitions, the results;
* :mod:`.dialects` — the same definitions for PostgreSQL and Spark SQL (SQLGlot);
* :mod:`.synthetic` — deterministic synthetic extracts for demos, tests and benchmarks.

Framework-free: no Django here; the store writes the results (``cpog.store.computations``).
"""
