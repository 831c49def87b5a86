"""The encoded Deux-Sèvres contract holds every line of the signed text.

The signed text (a conversion of the signed PDF) is parsed here independently of the encoding:
every indicator row, targeted result (✓), objective and action (⇒), diagnosis highlight,
2018-2022 result, partner, quote and commitment bullet must appear, word for word, in the encoded
contract. Comparison folds whitespace and typographic quotes; the only other differences allowed are
the typos listed in corrections.yaml.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cpog.contract import SHIPPED_CONTRACTS
from cpog.contract.loader import load_contract
from cpog.contract.model import Block, Contract, Item, Nature

FOLDER = SHIPPED_CONTRACTS / "caf-deux-sevres-2023-2027"
VENDORED = FOLDER / "source" / "cpog-2023-2027-texte-signe.txt"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_357e00baba38106b.txt"


def norm(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "")
    text = re.sub(r"^[\s#\-•⇒✓*]+", "", text)
    text = text.strip().strip("*").strip()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"«\s*", "« ", text)
    text = re.sub(r"\s*»", " »", text)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


@dataclass
class Signed:
    """What the signed text contains, by kind."""

    challenges: dict[int, str] = field(default_factory=dict)
    by_section: dict[tuple[int, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    objective_items: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    quotes: dict[int, str] = field(default_factory=dict)
    indicator_rows: list[list[str]] = field(default_factory=list)
    commitment_bullets: list[str] = field(default_factory=list)
    preamble_bullets: list[str] = field(default_factory=list)


SECTIONS = {
    "Éléments marquants issus du diagnostic territorial": "diagnosis",
    "Nos résultats marquants sur la période 2018 2022": "results",
    "Nos principaux objectifs pour relever le défi sur la période 2023 2027": "objectives",
    "Les développements et actions que nous conduirons pour y parvenir": "actions",
    "Les partenaires clés identifiés": "partners",
    "Les résultats visés": "targeted",
}


def _bullets(line: str) -> Iterator[tuple[int, str]]:
    """Bullets of a line with their depth; HTML lists (défi 7) give several per line."""
    if "<li>" in line:
        for item in re.findall(r"<li>(.*?)</li>", line):
            yield 0, item
    elif re.match(r"^\s*- ", line):
        yield (len(line) - len(line.lstrip())) // 2, line


def parse_signed(text: str) -> Signed:
    signed = Signed()
    lines = text.splitlines()
    part = "start"
    number = 0
    section = ""
    for raw in lines:
        line = raw.rstrip()
        clean = norm(line)
        if line.startswith("# PREAMBULE"):
            part = "preamble"
        elif line.startswith("## LES ENGAGEMENTS DE LA CAF"):
            part = "commitments"
        elif line.startswith("# ENJEUX ET DÉFIS"):
            part = "issues"
        elif line.startswith("# LES INDICATEURS DU CPOG"):
            part = "indicators"
        elif line.startswith("# SIGNATURES"):
            part = "end"
        match = re.match(r"^(?:FICHE DEFI|Fiche défi) N°(\d+)$", clean, re.IGNORECASE)
        if match and part == "issues":
            number = int(match.group(1))
            section = "title"
            continue
        if part == "issues" and number and section == "title" and clean:
            signed.challenges[number] = clean
            section = ""
            continue
        if clean in SECTIONS and number:
            section = SECTIONS[clean]
            continue
        if part == "preamble":
            signed.preamble_bullets.extend(norm(b) for _, b in _bullets(line))
        elif part == "commitments":
            signed.commitment_bullets.extend(norm(b) for _, b in _bullets(line))
        elif part == "issues" and number and not section and clean and number in signed.quotes:
            # Défi 8's quote author stands alone on the line after the quote.
            if clean.split()[-1].isupper() and len(clean.split()) <= 3:
                signed.quotes[number] += " " + clean
        elif part == "issues" and number and section:
            if clean.startswith("« ") and clean.count("»"):
                signed.quotes[number] = clean
                section = ""
                continue
            for depth, bullet in _bullets(line):
                if depth > 0 and section == "objectives":
                    signed.objective_items[number].append(norm(bullet))
                else:
                    signed.by_section[(number, section)].append(norm(bullet))
        elif part == "indicators" and "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            if cells[0] != "Indicateur" and not cells[0].startswith("<b>"):
                signed.indicator_rows.append([norm(c) for c in cells] + [""] * (4 - len(cells)))
    return signed


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(FOLDER)


@pytest.fixture(scope="module")
def signed(contract: Contract) -> Signed:
    text = VENDORED.read_text(encoding="utf-8")
    for correction in contract.corrections:
        text = text.replace(correction.original, correction.corrected)
    return parse_signed(text)


def test_vendored_text_is_the_signed_seed() -> None:
    if not SEED.exists():
        pytest.skip(f"texte signé de référence absent : {SEED}")
    assert VENDORED.read_bytes() == SEED.read_bytes()


def test_counts(contract: Contract, signed: Signed) -> None:
    assert len(signed.challenges) == 10
    assert len(contract.challenges) == 10
    assert len(signed.indicator_rows) == 36
    assert len(contract.indicators) == 36
    targeted = sum(len(signed.by_section[(n, "targeted")]) for n in range(1, 11))
    assert targeted == 35
    assert sum(len(c.targeted_results) for c in contract.challenges) == 35


def test_challenge_titles(contract: Contract, signed: Signed) -> None:
    assert {c.number: norm(c.title) for c in contract.challenges} == signed.challenges


@pytest.mark.parametrize(
    ("section", "attribute"),
    [
        ("diagnosis", "diagnosis"),
        ("results", "results_2018_2022"),
        ("objectives", "objectives"),
        ("actions", "actions"),
        ("partners", "partners"),
        ("targeted", "targeted_results"),
    ],
)
def test_challenge_sections_word_for_word(
    contract: Contract, signed: Signed, section: str, attribute: str
) -> None:
    for challenge in contract.challenges:
        encoded = [
            norm(x if isinstance(x, str) else getattr(x, "text", None) or x.name)
            for x in getattr(challenge, attribute)
        ]
        expected = signed.by_section[(challenge.number, section)]
        assert encoded == expected, f"défi {challenge.number}, {section}"


def test_objective_sub_items(contract: Contract, signed: Signed) -> None:
    for challenge in contract.challenges:
        encoded = [norm(i.text) for o in challenge.objectives for i in o.items]
        assert encoded == signed.objective_items.get(challenge.number, [])


def test_quotes(contract: Contract, signed: Signed) -> None:
    for challenge in contract.challenges:
        assert challenge.quote is not None
        expected = signed.quotes[challenge.number]
        text, author = norm(challenge.quote.text), norm(challenge.quote.author or "")
        assert f"« {text} »" in expected, challenge.number
        assert author in expected, challenge.number


def test_every_indicator_row(contract: Contract, signed: Signed) -> None:
    assert len(contract.indicators) == len(signed.indicator_rows)
    for indicator, (label, nature, kind, target) in zip(
        contract.indicators, signed.indicator_rows, strict=True
    ):
        code = indicator.code_as_written or indicator.code
        assert norm(f"{code} {indicator.label}" if code else indicator.label) == label
        assert (indicator.nature == Nature.COG) == (nature == "COG"), label
        assert indicator.type_as_written == kind, label
        assert norm(indicator.target.as_written or "") == target, label


def _items(blocks: list[Block]) -> Iterator[str]:
    def walk(items: list[Item]) -> Iterator[str]:
        for item in items:
            yield norm(item.text)
            yield from walk(item.items)

    for block in blocks:
        yield from walk(block.items)


def test_every_commitment_bullet(contract: Contract, signed: Signed) -> None:
    caf = contract.commitments.caf
    encoded = list(_items(caf.intro))
    for axis in caf.axes:
        for theme in axis.themes:
            encoded.extend(_items(theme.blocks))
    encoded.extend(_items(contract.commitments.cnaf.blocks))
    assert encoded == signed.commitment_bullets
    assert len(encoded) >= 90


def test_preamble_bullets(contract: Contract, signed: Signed) -> None:
    assert list(_items(contract.preamble)) == signed.preamble_bullets


def test_key_figures_quote_the_text(contract: Contract) -> None:
    text = norm(VENDORED.read_text(encoding="utf-8"))
    for figure in contract.diagnosis.key_figures:
        assert norm(figure.quote) in text, figure.id


def test_corrections_are_real_and_applied(contract: Contract) -> None:
    text = VENDORED.read_text(encoding="utf-8")
    exported = contract.model_dump_json()
    for correction in contract.corrections:
        assert correction.original in text, correction.original
        assert correction.corrected in exported, correction.corrected
