"""``cpog --version`` names the installed version, the one the CHANGELOG and docs/deploy.md's
upgrade procedure refer to."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from cpog.cli.main import run

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_the_project_version(capsys) -> None:
    assert run(["--version"]) == 0
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert capsys.readouterr().out.strip() == f"cpog {declared['project']['version']}"


def test_the_changelog_has_a_section_for_the_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(version)}\] — \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    publiccode = (ROOT / "publiccode.yml").read_text(encoding="utf-8")
    assert f'softwareVersion: "{version}"' in publiccode
