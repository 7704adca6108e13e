"""Federation, link and join spec constants: names, versions and the supergraph definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACCESS_CONTROL",
    "DIRECTIVE_SPEC",
    "FEDERATION_DIRECTIVES",
    "FEDERATION_DIRECTIVE_VERSIONS",
    "FEDERATION_URL",
    "MERGED_SPEC_DIRECTIVES",
    "SPECS",
    "Spec",
    "join_definitions",
    "join_version",
    "parse_spec_url",
]

FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")
_SPEC_URL = re.compile(
    r"^(?P<base>.*?)/(?P<name>[A-Za-z_][\w-]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$"
)

# Federation directive -> the first federation version that defines it.
FEDERATION_DIRECTIVE_VERSIONS: dict[str, tuple[int, int]] = {
    "key": (2, 0), "external": (2, 0), "requires": (2, 0), "provides": (2, 0), "extends": (2, 0),
    "shareable": (2, 0), "override": (2, 0), "tag": (2, 0), "inaccessible": (2, 0),
    "composeDirective": (2, 1), "interfaceObject": (2, 3), "authenticated": (2, 5),
    "requiresScopes": (2, 5), "policy": (2, 6), "context": (2, 8), "fromContext": (2, 8),
    "cost": (2, 9), "listSize": (2, 9), "cacheTag": (2, 12),
}  # fmt: skip
FEDERATION_DIRECTIVES = frozenset(FEDERATION_DIRECTIVE_VERSIONS)

ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")

_ALL_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | "
    "ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_AUTH_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

_COST_LOCATIONS = (
    "ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR"
)


@dataclass(frozen=True, slots=True)
class Spec:
    """A spec the supergraph links when one of its directives is used; `{}` is the directive name."""

    name: str
    url: str
    purpose: str | None
    directives: tuple[tuple[str, str], ...]  # (directive, definition template)
    types: tuple[str, ...] = ()

    def default_name(self, directive: str) -> str:
        return directive if directive == self.name else f"{self.name}__{directive}"


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec(
            "tag",
            "https://specs.apollo.dev/tag/v0.3",
            None,
            (("tag", f"directive @{{}}(name: String!) repeatable on {_ALL_LOCATIONS} | SCHEMA"),),
        ),
        Spec(
            "inaccessible",
            "https://specs.apollo.dev/inaccessible/v0.2",
            "SECURITY",
            (("inaccessible", f"directive @{{}} on {_ALL_LOCATIONS}"),),
        ),
        Spec(
            "authenticated",
            "https://specs.apollo.dev/authenticated/v0.1",
            "SECURITY",
            (("authenticated", f"directive @{{}} on {_AUTH_LOCATIONS}"),),
        ),
        Spec(
            "requiresScopes",
            "https://specs.apollo.dev/requiresScopes/v0.1",
            "SECURITY",
            (
                (
                    "requiresScopes",
                    "directive @{}(scopes: [[requiresScopes__Scope!]!]!) on " + _AUTH_LOCATIONS,
                ),
            ),
            ("scalar requiresScopes__Scope",),
        ),
        Spec(
            "policy",
            "https://specs.apollo.dev/policy/v0.1",
            "SECURITY",
            (("policy", "directive @{}(policies: [[policy__Policy!]!]!) on " + _AUTH_LOCATIONS),),
            ("scalar policy__Policy",),
        ),
        Spec(
            "cost",
            "https://specs.apollo.dev/cost/v0.1",
            None,
            (
                ("cost", f"directive @{{}}(weight: Int!) on {_COST_LOCATIONS}"),
                (
                    "listSize",
                    "directive @{}(assumedSize: Int, slicingArguments: [String!], sizedFields: "
                    "[String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
                ),
            ),
        ),
    )
}
# Composed federation directive -> its spec, in the order Apollo links them.
DIRECTIVE_SPEC = {d: spec for spec in SPECS.values() for d, _ in spec.directives}
MERGED_SPEC_DIRECTIVES = tuple(DIRECTIVE_SPEC)


def parse_spec_url(url: str) -> tuple[str, tuple[int, int]] | None:
    """`https://x/name/v1.2` -> ("name", (1, 2)), the default namespace and version of a @link."""
    m = _SPEC_URL.match(url)
    if not m:
        return None
    return m["name"], (int(m["major"]), int(m["minor"]))


def join_version(fed_version: tuple[int, int]) -> tuple[int, int]:
    """The join spec version Apollo picks for the newest federation version used by a subgraph."""
    if fed_version >= (2, 8):
        return (0, 5)
    if fed_version >= (2, 7):
        return (0, 4)
    return (0, 3)


def join_definitions(version: tuple[int, int]) -> tuple[list[str], list[str]]:
    """(directive definitions, type definitions) of the join spec at `version`, Apollo's text."""
    field_args = (
        "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, "
        "external: Boolean, override: String, usedOverridden: Boolean"
    )
    if version >= (0, 4):
        field_args += ", overrideLabel: String"
    if version >= (0, 5):
        field_args += ", contextArguments: [join__ContextArgument!]"
    directives = [
        "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
        f"directive @join__field({field_args}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
        "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE",
        "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, "
        "resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | "
        "INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
        "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION",
        "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
        "repeatable on SCHEMA",
    ]
    types = [
        "scalar join__FieldSet",
        "scalar link__Import",
        'enum link__Purpose {\n  """\n  `SECURITY` features provide metadata necessary to securely '
        'resolve fields.\n  """\n  SECURITY\n\n  """\n  `EXECUTION` features provide metadata '
        'necessary for operation execution.\n  """\n  EXECUTION\n}',
    ]
    if version >= (0, 4):
        directives.append(
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
            "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
        types.append("scalar join__DirectiveArguments")
    if version >= (0, 5):
        types.append(
            "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n"
            "  selection: join__FieldValue!\n}"
        )
        types.append("scalar join__FieldValue")
    return directives, types
