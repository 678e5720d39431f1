"""YAML front matter with line numbers, so every problem can name its line."""

from dataclasses import dataclass, field
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l


@dataclass
class FrontMatter:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: object) -> None:
        super().__init__(message)
        self.line = line


# libyaml's parser when PyYAML was built with it (its wheels are): same safe rules, faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_front_matter(text: str) -> FrontMatter:
    """A FrontMatter: the '---' YAML '---' block split from the Markdown body, with the line of
    each key; a file without one has an empty meta. Raises FrontMatterError (with its line)
    for an unclosed block, malformed YAML or YAML that is not `key: value` lines."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter({}, text, 1)
    closing = [i for i, line in enumerate(lines) if i and line.rstrip() == "---"]
    if not closing:
        raise FrontMatterError(1, _l("front matter dibuka dengan '---' tetapi tidak ditutup"))
    end = closing[0]
    yaml_text = "".join(lines[1:end])
    try:
        # Parsed once into nodes (their lines name the keys in messages), then built from them.
        loader = _SafeLoader(yaml_text)
        try:
            node = loader.get_single_node()
            meta = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or "YAML"
        raise FrontMatterError(
            line, _l("front matter bukan YAML yang valid: %(problem)s", problem=problem)
        ) from None
    if not isinstance(meta, dict):
        raise FrontMatterError(2, _l("front matter harus berisi baris 'kunci: nilai'"))
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return FrontMatter(meta, "".join(lines[end + 1 :]), end + 2, key_lines)
