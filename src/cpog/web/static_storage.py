"""The storage of ``cpog static`` in production (decision 022): WhiteNoise's compressed manifest
storage — hashed names, gzip (and Brotli when installed) copies — that rewrites the references
of the style sheets but leaves the source-map comments of scripts alone: the vendored scripts
(Vega-Lite…) name maps that are not shipped, which only a browser's developer tools would ask
for, and Django's default would refuse to collect them."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    patterns = tuple(
        (glob, rules)
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
        if glob != "*.js"
    )
