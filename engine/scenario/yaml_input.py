"""The one YAML reader for scenario input (the scenario file, a workbook's settings, ``--set``).

It is PyYAML's safe loader with three rules on top: a key written twice in one mapping is an
error (not a silent replacement of the first), nesting is bounded (``MAX_YAML_DEPTH``), and
anchors/aliases are refused (they can expand a small file into a huge one). Dates stay text,
so a bad date such as ``2027-02-30`` is reported by validation with its field, not by the reader.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node

from engine.scenario.limits import MAX_YAML_DEPTH

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


class ScenarioYamlLoader(yaml.SafeLoader):
    """Safe loading with unique keys, bounded nesting, no aliases, dates left as text."""

    # types-PyYAML declares it per instance; PyYAML reads it from the class
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {  # type: ignore[misc]
        first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None,
                None,
                f"an alias (*{event.anchor}); anchors and aliases (& and *) are not supported: "
                "write the values out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"lists or mappings nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = first_line.get(key)
                except TypeError:
                    continue  # an unhashable key: the safe loader reports it
                if seen is not None:
                    raise ConstructorError(
                        None,
                        None,
                        f"the key '{key}' twice in one mapping (first on line {seen}); "
                        "keep one of them",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
        # a node that is not a mapping gets the safe loader's own error
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]


def load_yaml(text: str) -> Any:
    """Parse scenario YAML text.

    Raises:
        yaml.YAMLError: for unreadable YAML, a duplicate key, too deep nesting or an alias
            (``problem`` says which and ``problem_mark`` where).
    """
    loader = ScenarioYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
