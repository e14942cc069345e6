"""What the YAML parser lets through and a config must not: a key written twice in one mapping.

PyYAML keeps the last of two equal keys without a word, so a second `store:` or `feeds:` block
silently replaced the first. `duplicate_keys` finds them in the composed node tree, with both
lines, for `monitor.config.load` and the rule loader (an edited pack) to refuse, with
`written_twice`'s message; `parsed` reads a document once into both its node tree and its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

# libyaml's loader where PyYAML was built with it (config and rule packs alike).
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parsed(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (lines, keys written twice) and the data built from it, from
    one parse. Raises yaml.YAMLError."""
    node = yaml.compose(text, Loader=LOADER)
    return node, SafeConstructor().construct_document(node) if node is not None else None


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    path: tuple[Any, ...]  # the key's place, e.g. ("notify", "destinations", "desk")
    first: int  # 1-based lines
    second: int

    @property
    def key(self) -> str:
        return ".".join(str(p) for p in self.path)


def duplicate_keys(node: yaml.Node, path: tuple[Any, ...] = ()) -> list[DuplicateKey]:
    """Every mapping key that appears again in the same mapping, in document order."""
    found: list[DuplicateKey] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if key.value in seen:
                    found.append(DuplicateKey((*path, key.value), seen[key.value], line))
                else:
                    seen[key.value] = line
            found.extend(duplicate_keys(value, (*path, getattr(key, "value", "?"))))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            found.extend(duplicate_keys(value, (*path, i)))
    return found


def written_twice(node: yaml.Node | None, source: str) -> str | None:
    """The message refusing a document that writes a key twice in one mapping (a line for
    each), or None when it writes none."""
    twice = duplicate_keys(node) if node is not None else []
    if not twice:
        return None
    return "\n".join(
        f"{source}:{d.second}: {d.key}: written twice, on lines {d.first} and {d.second}; "
        "YAML would silently keep only the second: remove or merge one"
        for d in twice
    )
