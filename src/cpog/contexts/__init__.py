"""Page and report contexts: plain typed dataclasses, built from a store reader, the contract and
the date of situation, and rendered the same way by every edge — web templates, the API and the
CLI (JSON through :mod:`cpog.contexts.serialize`), the PDF reports and the Excel export.

This layer imports neither Django nor the store: it reads the store through the
:class:`cpog.contexts.reader.Reader` protocol (implemented by :mod:`cpog.store.reader`, and by
plain in-memory readers in tests). Layers: domain ← store ← contexts ← web/API/CLI/reports.
"""
