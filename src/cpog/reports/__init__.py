"""Outputs built from the assessment: chart specs (Vega-Lite), later the annual review and Excel."""
