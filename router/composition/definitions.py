"""Supergraph definitions: @link applications, spec/join/custom directive definitions."""

from __future__ import annotations

import re

from graphql.language import (
    DirectiveDefinitionNode,
)

from router.composition.merge_base import MergerBase
from router.composition.model import type_str
from router.composition.output import (
    OutArgument,
    print_value,
)
from router.composition.printer import print_directive_definition
from router.composition.specs import (
    DIRECTIVE_SPEC,
    join_definitions,
)

__all__ = ["DefinitionsMixin"]


_EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT", "VARIABLE_DEFINITION",
    }
)  # fmt: skip


def _executable(node: DirectiveDefinitionNode) -> list[str]:
    return [loc.value for loc in node.locations if loc.value in _EXECUTABLE_LOCATIONS]


def _directive_arguments(node: DirectiveDefinitionNode) -> list[OutArgument]:
    return [
        OutArgument(
            a.name.value,
            type_str(a.type),
            print_value(a.default_value) if a.default_value is not None else None,
            a.description.value if a.description else None,
        )
        for a in node.arguments or ()
    ]


def _print_directive_definition(node: DirectiveDefinitionNode) -> str:
    return print_directive_definition(
        node.name.value,
        _directive_arguments(node),
        node.repeatable,
        [loc.value for loc in node.locations],
        node.description.value if node.description else None,
    )


def _definition_name(text: str) -> str:
    m = re.search(r"^(?:directive @|scalar |enum |input |type )(\w+)", text, re.MULTILINE)
    assert m, text
    return m[1]


class DefinitionsMixin(MergerBase):
    """The supergraph's @link list, spec and custom directive definitions and join types."""

    def executable_directive_definitions(self) -> list[str]:
        """Executable directives defined in every subgraph (locations intersected), like Apollo."""
        names: list[str] = []
        for g in self.graphs:
            for name in g.directive_defs:
                if name not in names and name not in self.composed:
                    names.append(name)
        result: list[str] = []
        for name in names:
            defs = [g.directive_defs.get(name) for g in self.graphs]
            nodes = [d for d in defs if isinstance(d, DirectiveDefinitionNode)]
            if not any(_executable(n) for n in nodes) or len(nodes) != len(defs):
                continue
            locations = sorted(_executable(nodes[0]))
            for n in nodes[1:]:
                locations = [loc for loc in locations if loc in _executable(n)]
            if not locations:
                continue
            description = self.merge_description(
                [n.description.value if n.description else None for n in nodes]
            )
            args = self.merge_directive_arguments(name, nodes)
            repeatable = all(n.repeatable for n in nodes)
            result.append(
                print_directive_definition(name, args, repeatable, locations, description)
            )
        return result

    def merge_directive_arguments(
        self, name: str, nodes: list[DirectiveDefinitionNode]
    ) -> list[OutArgument]:
        per_node = [{a.name: a for a in _directive_arguments(n)} for n in nodes]
        arg_names = list(dict.fromkeys(a for args in per_node for a in args))
        result: list[OutArgument] = []
        for arg in arg_names:
            present = [args[arg] for args in per_node if arg in args]
            if len(present) != len(per_node):
                if any(p.type.endswith("!") and p.default is None for p in present):
                    self.err(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "@{name}({arg}:)" is required in some subgraphs but does not '
                        "appear in all subgraphs",
                    )
                continue
            merged = present[0]
            merged.description = self.merge_description([p.description for p in present])
            # Input position: the most restrictive type (non-null wins) is kept.
            merged.type = next((p.type for p in present if p.type.endswith("!")), merged.type)
            result.append(merged)
        return result

    def add_definitions(self) -> None:
        out = self.out
        v = self.join
        out.links = [
            '@link(url: "https://specs.apollo.dev/link/v1.0")',
            f'@link(url: "https://specs.apollo.dev/join/v{v[0]}.{v[1]}", for: EXECUTION)',
        ]
        directives, types = join_definitions(v)
        for spec in dict.fromkeys(DIRECTIVE_SPEC[d] for d in self.spec_used):
            imports: list[str] = []
            for d, template in spec.directives:
                local = self.spec_local.get(d, spec.default_name(d))
                if local != spec.default_name(d):
                    imports.append(f'"@{d}"' if local == d else f'{{name: "@{d}", as: "@{local}"}}')
                directives.append(template.format(local))
            link = f'@link(url: "{spec.url}"'
            # @link's argument order: url, as, for, import.
            link += f", for: {spec.purpose}" if spec.purpose else ""
            link += f", import: [{', '.join(imports)}])" if imports else ")"
            out.links.append(link)
            types.extend(spec.types)
        by_url: dict[str, list[str]] = {}
        for name, (node, link_url) in self.composed.items():
            if link_url is not None:
                by_url.setdefault(link_url, []).append(name)
            directives.append(_print_directive_definition(node))
        directives.extend(self.executable_directive_definitions())
        for url, names in by_url.items():
            listed = ", ".join(f'"@{n}"' for n in names)
            out.links.append(f'@link(url: "{url}", import: [{listed}])')
        graph_values = "\n".join(
            f'  {e} @join__graph(name: "{n}", url: "{g.url}")'
            for e, n, g in zip(self.graph_enum, self.names, self.graphs, strict=True)
        )
        types.append("enum join__Graph {\n" + graph_values + "\n}")
        out.directive_definitions = [(_definition_name(d), d) for d in directives]
        out.extra_types = [(_definition_name(t), t) for t in types]
