"""YAML reading that remembers where each value was written.

PyYAML's composed node tree carries line numbers; we walk it once to build the plain data and a map
from each value's path (keys and list indexes) to its 1-based line, so that schema errors and
cross-file rules can point at ``file, ligne N``. Duplicate keys are reported instead of silently
keeping the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data read from a YAML file, with the line of every value."""

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """Line of the value at ``path``, or of its nearest written parent."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)


class YamlSyntaxError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


_PROBLEMS_FR = {
    "found character '\\t' that cannot start any token": (
        "tabulation interdite (indentez avec des espaces)"
    ),
    "mapping values are not allowed here": "« : » inattendu (mettez le texte entre guillemets)",
    "could not find expected ':'": "« : » attendu",
    "found undefined alias": "alias inconnu",
    "expected <block end>, but found '-'": "indentation incohérente d'une liste",
    "expected <block end>": "structure inattendue (indentation incohérente ?)",
    "did not find expected key": "clé attendue (indentation incohérente ?)",
    "found unexpected end of stream": "fin de fichier inattendue (guillemet non fermé ?)",
    "found unknown escape character": "séquence d'échappement inconnue entre guillemets",
}


def _french(problem: str | None) -> str:
    text = (problem or "").strip()
    for english, french in _PROBLEMS_FR.items():
        if text.startswith(english):
            return french
    return "YAML invalide (structure non reconnue)"


def _odd_quote_line(text: str, before: int) -> int | None:
    """The last line up to ``before`` (1-based) holding an odd number of double quotes."""
    lines = text.splitlines()
    for number in range(min(before, len(lines)), 0, -1):
        line = lines[number - 1].split(" #", 1)[0]
        if (line.count('"') - line.count('\\"')) % 2 == 1:
            return number
    return None


def _locate(error: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """Line and French message of a syntax error, pointing where the user must look.

    An unclosed quote is only noticed where the parser later stumbles (the next quote, or the end
    of the file); the line that opened it is what the user needs.
    """
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    quoted = "quoted scalar" in (error.context or "")
    stumbled = "<scalar>" in (error.problem or "") or "end of stream" in (error.problem or "")
    if quoted or stumbled:
        opening = _odd_quote_line(text, line or 0)
        if quoted and error.context_mark is not None:
            opening = error.context_mark.line + 1
        if opening is not None:
            return opening, "guillemet non fermé (ouvert sur cette ligne)"
    return line, _french(error.problem)


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; raise :class:`YamlSyntaxError` with a French message and line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        located = Located(file=file, data=None)
        if node is not None:
            located.data = _walk(loader, node, (), located)
        return located
    except yaml.MarkedYAMLError as error:
        line, message = _locate(error, text)
        raise YamlSyntaxError(file, line, message) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(file, None, _french(str(error))) from error
    finally:
        loader.dispose()


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path, out: Located) -> Any:
    out.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                out.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
            child: Path = (*path, key)
            result[key] = _walk(loader, value_node, child, out)
            # A key's line is where the reader looks for it, even when its value is a block below.
            out.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*path, i), out) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
