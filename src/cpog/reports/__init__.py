"""Outputs built from the contexts: the PDF reports (Typst, see render.py and service.py)."""
