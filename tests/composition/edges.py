"""Edge cases whose outcome (supergraph or error code) must match Apollo's, whichever it is."""

from __future__ import annotations

from tests.composition.corpus import Case, fed

__all__ = ["EDGES"]

_PROBES: dict[str, list[tuple[str, str]]] = {
    "print_long_arg_descriptions": [
        (
            "a",
            fed(
                'type Query { f("""A very long argument description that certainly goes beyond the seventy characters limit""" x: Int, "short" y: Int): Int "field with triple quotes \\"\\"\\" inside" g: Int }'
            ),
        )
    ],
    "print_schema_description": [
        (
            "a",
            '"""The schema."""\nextend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype Query { a: Int }',
        )
    ],
    "compose_directive_two_subgraphs_versions": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) @link(url: "https://custom.dev/auditing/v1.0", import: ["@audit"]) @composeDirective(name: "@audit")\ndirective @audit(level: Int) on FIELD_DEFINITION\ntype Query { a: Int @audit(level: 1) }',
        ),
        (
            "b",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) @link(url: "https://custom.dev/auditing/v1.1", import: ["@audit"]) @composeDirective(name: "@audit")\ndirective @audit(level: Int, note: String) on FIELD_DEFINITION | OBJECT\ntype Query { b: Int @audit(level: 2) } type T @audit { x: Int } type Mutation { t: T }',
        ),
    ],
    "compose_directive_repeatable_on_schema_and_types": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) @link(url: "https://custom.dev/meta/v0.1", import: ["@meta"]) @composeDirective(name: "@meta")\ndirective @meta(k: String!, v: String) repeatable on FIELD_DEFINITION | OBJECT | ENUM_VALUE | ARGUMENT_DEFINITION\ntype Query { a(x: Int @meta(k: "arg")): E @meta(k: "a") @meta(k: "a") @meta(k: "b", v: "c") } enum E { X @meta(k: "x") Y }',
        ),
        (
            "b",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) @link(url: "https://custom.dev/meta/v0.1", import: ["@meta"]) @composeDirective(name: "@meta")\ndirective @meta(k: String!, v: String) repeatable on FIELD_DEFINITION | OBJECT | ENUM_VALUE | ARGUMENT_DEFINITION\ntype Query { b: E @meta(k: "b", v: "c") } enum E { X @meta(k: "x2") Y }',
        ),
    ],
    "non_composed_custom_directive_dropped": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ndirective @mine(x: Int) on FIELD_DEFINITION | OBJECT\ntype Query { a: Int @mine(x: 1) } type T @mine { a: Int } type Mutation { t: T }',
        )
    ],
    "deprecated_on_enum_values_and_inputs": [
        (
            "a",
            fed(
                'type Query { f(i: In, old: Int @deprecated): E } input In { a: Int @deprecated(reason: "x") b: Int } enum E { A @deprecated(reason: "gone") B }'
            ),
        ),
        (
            "b",
            fed(
                "type Query { g(i: In): E } input In { a: Int b: Int @deprecated } enum E { A B @deprecated }"
            ),
        ),
    ],
    "err_key_on_field": [("a", fed('type Query { a: Int @key(fields: "x") }'))],
    "err_tag_missing_name": [("a", fed("type Query { a: Int @tag }"))],
    "err_directive_unknown_arg": [("a", fed('type Query { a: Int @tag(name: "x", nope: 1) }'))],
    "err_nonrepeatable_twice": [
        ("a", fed("type Query { a: Int @shareable @inaccessible @inaccessible }"))
    ],
    "err_input_as_output": [("a", fed("type Query { a: In } input In { x: Int }"))],
    "err_output_as_arg": [("a", fed("type Query { a(x: O): Int } type O { x: Int }"))],
    "err_union_member_not_object": [("a", fed("type Query { u: U } union U = Int"))],
    "err_dup_enum_value": [("a", fed("type Query { e: E } enum E { A A }"))],
    "err_root_query_used": [
        ("a", fed("schema { query: Root } type Root { a: Query } type Query { x: Int }"))
    ],
    "err_shareable_on_interface_field": [
        (
            "a",
            fed(
                "type Query { i: I } interface I { x: Int @shareable } type A implements I { x: Int }"
            ),
        )
    ],
    "err_key_fields_not_string": [
        ("a", fed("type Query { t: T } type T @key(fields: 1) { id: ID! }"))
    ],
    "err_field_type_wrong_kind_enum_output": [
        ("a", fed("type Query { a(x: Int): Int } type T { f(e: T): Int }"))
    ],
    "err_impl_missing_arg": [
        (
            "a",
            fed(
                "type Query { i: I } interface I { f(x: Int): Int } type A implements I { f: Int }"
            ),
        )
    ],
    "err_impl_wrong_type": [
        ("a", fed("type Query { i: I } interface I { f: Int } type A implements I { f: String }"))
    ],
    "err_empty_object": [("a", fed("type Query { t: T } type T"))],
    "err_provides_on_list_of_scalars": [
        ("a", fed('type Query { t: [Int] @provides(fields: "x") }'))
    ],
    "err_requires_on_key_field": [
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! @requires(fields: "x") x: Int @external }'
            ),
        )
    ],
    "err_external_on_non_entity_unused": [
        ("a", fed("type Query { v: V } type V { x: Int @external y: Int }"))
    ],
    "err_override_on_interface_field": [
        (
            "a",
            fed(
                'type Query { i: I } interface I { x: Int @override(from: "b") } type A implements I { x: Int }'
            ),
        ),
        ("b", fed("type Query { b: Int }")),
    ],
    "sat_stub_reference": [
        (
            "a",
            fed(
                'type Query { posts: [Post] } type Post { author: User } type User @key(fields: "id", resolvable: false) { id: ID! }'
            ),
        ),
        ("b", fed('type User @key(fields: "id") { id: ID! name: String } type Query { me: User }')),
    ],
    "sat_itfobj_query_then_impl_fields": [
        (
            "a",
            fed(
                'interface M @key(fields: "id") { id: ID! t: String } type B implements M @key(fields: "id") { id: ID! t: String p: Int } type Query { b: B }'
            ),
        ),
        (
            "b",
            fed(
                'type M @key(fields: "id") @interfaceObject { id: ID! r: Int } type Query { top: [M] }'
            ),
        ),
    ],
    "sat_union_member_jump": [
        ("a", fed('type Query { s: [S] } union S = P type P @key(fields: "id") { id: ID! }')),
        ("b", fed('type P @key(fields: "id") { id: ID! name: String }')),
    ],
    "sat_value_type_everywhere_same": [
        ("a", fed("type Query { a: V } type V @shareable { x: Int y: Int }")),
        ("b", fed("type Query { b: V @shareable } type V @shareable { x: Int y: Int }")),
    ],
    "sat_nested_value_in_entity": [
        (
            "a",
            fed('type Query { t: T } type T @key(fields: "id") { id: ID! v: V } type V { x: Int }'),
        ),
        ("b", fed('type T @key(fields: "id") { id: ID! w: W } type W { y: Int }')),
    ],
    "sat_compound_key_jump_chain": [
        ("a", fed('type Query { t: T } type T @key(fields: "a") { a: ID! b: ID! }')),
        ("b", fed('type T @key(fields: "a") @key(fields: "b") { a: ID! b: ID! c: Int }')),
        ("c", fed('type T @key(fields: "b") { b: ID! d: Int }')),
    ],
    "sat_provides_only_path": [
        (
            "a",
            fed(
                'type Query { r: [R] } type R @key(fields: "id") { id: ID! u: U @provides(fields: "n") } type U @key(fields: "id") { id: ID! n: String @external }'
            ),
        ),
        ("b", fed('type U @key(fields: "id") { id: ID! n: String @shareable m: Int }')),
    ],
    "sat_requires_other_subgraph_field": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! w: Int }')),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! w: Int @external c: Int @requires(fields: "w") }'
            ),
        ),
        ("c", fed('type T @key(fields: "id") { id: ID! z: Int } type Query { z: T }')),
    ],
    "sat_interface_value_field_not_everywhere": [
        (
            "a",
            fed(
                'type Query { i: I } interface I { x: Int } type A implements I @key(fields: "id") { id: ID! x: Int }'
            ),
        ),
        ("b", fed('type A @key(fields: "id") { id: ID! y: Int }')),
    ],
    "sat_unreachable_type_missing_field": [
        ("a", fed("type Query { a: Int } type V @shareable { x: Int }")),
        ("b", fed("type Query { b: V } type V @shareable { x: Int y: Int }")),
    ],
    "itfobj_field_also_on_impl": [
        (
            "a",
            fed(
                'type Query { m: [M] } interface M @key(fields: "id") { id: ID! } type B implements M @key(fields: "id") { id: ID! r: Int }'
            ),
        ),
        ("b", fed('type M @key(fields: "id") @interfaceObject { id: ID! r: Int }')),
    ],
    "itfobj_field_shareable_on_both": [
        (
            "a",
            fed(
                'type Query { m: [M] } interface M @key(fields: "id") { id: ID! r: Int } type B implements M @key(fields: "id") { id: ID! r: Int @shareable }'
            ),
        ),
        ("b", fed('type M @key(fields: "id") @interfaceObject { id: ID! r: Int @shareable }')),
    ],
    "itfobj_inaccessible_and_desc": [
        (
            "a",
            fed(
                'type Query { m: [M] } interface M @key(fields: "id") { id: ID! } type B implements M @key(fields: "id") { id: ID! } type C implements M @key(fields: "id") { id: ID! c: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type M @key(fields: "id") @interfaceObject { id: ID! "Hidden r." r(x: Int = 2): Int @inaccessible s: String @tag(name: "t") }'
            ),
        ),
    ],
    "itfobj_external_field": [
        (
            "a",
            fed(
                'type Query { m: [M] } interface M @key(fields: "id") { id: ID! w: Int } type B implements M @key(fields: "id") { id: ID! w: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type M @key(fields: "id") @interfaceObject { id: ID! w: Int @external d: Int @requires(fields: "w") }'
            ),
        ),
    ],
    "itfobj_override": [
        (
            "a",
            fed(
                'type Query { m: [M] } interface M @key(fields: "id") { id: ID! } type B implements M @key(fields: "id") { id: ID! w: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type M @key(fields: "id") @interfaceObject { id: ID! w: Int @override(from: "a") }'
            ),
        ),
    ],
    "interface_key_resolvable_false_missing_impl": [
        (
            "a",
            fed(
                'type Query { i: I } interface I @key(fields: "id", resolvable: false) { id: ID! } type A implements I @key(fields: "id") { id: ID! }'
            ),
        ),
        (
            "b",
            fed(
                'interface I @key(fields: "id") { id: ID! x: Int } type A implements I @key(fields: "id") { id: ID! x: Int } type B implements I @key(fields: "id") { id: ID! x: Int }'
            ),
        ),
    ],
    "input_field_nullability_differs": [
        ("a", fed("type Query { f(i: I): Int } input I { a: Int b: [Int] }")),
        ("b", fed("type Query { g(i: I): Int } input I { a: Int! b: [Int!] }")),
    ],
    "key_explicit_resolvable_true_and_spaces": [
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id   kind", resolvable: true) { id: ID! kind: String! }'
            ),
        ),
        ("b", fed('type T @key(fields: """id kind""") { id: ID! kind: String! x: Int }')),
    ],
    "strings_with_escapes": [
        (
            "a",
            fed(
                'type Query { a: Int @tag(name: "q\\"uote\\\\back") @deprecated(reason: "line\\nbreak é ✓") }'
            ),
        )
    ],
    "descriptions_odd": [
        (
            "a",
            fed(
                '"""\n   indented\n     more\n"""\ntype Query { "  leading space" a: Int """multi\nline "quoted" end""" b: Int "unicode é ✓ and \\"q\\"" c: Int }'
            ),
        )
    ],
    "enum_value_descriptions_differ": [
        ("a", fed('type Query { e: E } enum E { "one" A B }')),
        ("b", fed('type Query { f: E } enum E { "uno" A "bee" B }')),
        ("c", fed('type Query { g: E } enum E { "uno" A B }')),
    ],
    "interface_field_arguments": [
        (
            "a",
            fed(
                "type Query { i: I } interface I { f(x: Int = 1, y: String): Int } type A implements I { f(x: Int = 1, y: String): Int }"
            ),
        ),
        (
            "b",
            fed(
                "type Query { j: I } interface I { f(x: Int = 1): Int } type B implements I { f(x: Int = 1): Int }"
            ),
        ),
    ],
    "no_import_namespaced_only": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\ntype Query { t: T } type T @federation__key(fields: "id") { id: ID! n: String @federation__shareable @federation__tag(name: "x") }',
        ),
        ("b", fed('type T @key(fields: "id") { id: ID! n: String @shareable }')),
    ],
    "renamed_inaccessible_import": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", {name: "@inaccessible", as: "@hidden"}])\ntype Query { a: Int b: Int @hidden }',
        ),
        (
            "b",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", {name: "@inaccessible", as: "@hidden"}])\ntype Query { c: Int @hidden }',
        ),
    ],
    "mismatched_import_names": [
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", {name: "@tag", as: "@label"}])\ntype Query { a: Int @label(name: "x") }',
        ),
        ("b", fed('type Query { c: Int @tag(name: "y") }')),
    ],
    "input_unused_and_scalar_only_one": [
        ("a", fed("type Query { a: Int } input Unused { x: Int } scalar Lonely")),
        ("b", fed("type Query { b: Int } input Unused { x: Int y: Int }")),
    ],
    "override_from_subgraph_with_requires_target": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! w: Int x: Int }')),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! w: Int @external x: Int @override(from: "a") @requires(fields: "w") }'
            ),
        ),
    ],
    "many_graphs_same_sanitized_name": [
        ("a-b", fed("type Query { a: Int }")),
        ("a_b", fed("type Query { b: Int }")),
        ("A.b", fed("type Query { c: Int }")),
    ],
    "type_description_inconsistent_counts": [
        ("a", fed('"""X"""\ntype P @shareable { a: Int } type Query { a: P }')),
        ("b", fed('"""Y"""\ntype P @shareable { a: Int } type Query { b: P }')),
        ("c", fed('"""Y"""\ntype P @shareable { a: Int } type Query { c: P }')),
        ("d", fed('""""""\ntype P @shareable { a: Int } type Query { d: P }')),
    ],
    "ext_no_base": [("a", fed("type Query { x: X } extend type X { a: Int }"))],
    "ext_no_base_key": [
        ("a", fed('type Query { x: X } extend type X @key(fields: "id") { id: ID! a: Int }'))
    ],
    "itf_field_subtype": [
        ("a", fed("type Query { i: I } interface I { x: Int } type A implements I { x: Int! }")),
        ("b", fed("type Query { j: I } interface I { x: Int! } type B implements I { x: Int! }")),
    ],
    "itf_field_type_mismatch": [
        ("a", fed("type Query { i: I } interface I { x: Int } type A implements I { x: Int }")),
        (
            "b",
            fed("type Query { j: I } interface I { x: String } type B implements I { x: String }"),
        ),
    ],
    "override_unused_with_label": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }', "2.7")),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "flag") }',
                "2.7",
            ),
        ),
    ],
    "override_bad_label": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }', "2.7")),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "1bad") }',
                "2.7",
            ),
        ),
    ],
    "provides_nested_fragments": [
        (
            "a",
            fed(
                'type Query { s: [S] @provides(fields: "... on P { name }") } union S = P | Q type P @key(fields: "id") { id: ID! name: String @external } type Q { q: Int }'
            ),
        ),
        ("b", fed('type P @key(fields: "id") { id: ID! name: String @shareable }')),
    ],
    "requires_on_interface_object": [
        (
            "a",
            fed(
                'type Query { i: [I] } interface I @key(fields: "id") { id: ID! w: Int } type A implements I @key(fields: "id") { id: ID! w: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type I @key(fields: "id") @interfaceObject { id: ID! w: Int @external x: Int @requires(fields: "w") }'
            ),
        ),
    ],
    "shareable_type_ext_only": [
        ("a", fed("type Query { p: P } type P @shareable { a: Int } extend type P { b: Int }")),
        ("b", fed("type Query { q: P } type P @shareable { a: Int b: Int }")),
    ],
    "value_type_partial_field": [
        ("a", fed("type Query { p: P } type P @shareable { a: Int b: Int }")),
        ("b", fed("type Query { q: P @shareable } type P @shareable { a: Int }")),
    ],
    "arg_desc_deprecated": [
        (
            "a",
            fed(
                'type Query { f("d1" a: Int @deprecated(reason: "x"), b: Int = 1): Int @shareable }'
            ),
        ),
        ("b", fed('type Query { f("d2" a: Int, b: Int = 1): Int @shareable }')),
    ],
    "input_field_deprecated_and_types": [
        (
            "a",
            fed(
                'type Query { f(i: I): Int } input I { a: Int! @deprecated(reason: "no") b: [Int] }'
            ),
        ),
        ("b", fed("type Query { g(i: I): Int } input I { a: Int b: [Int!] }")),
    ],
    "enum_output_inaccessible_value": [
        ("a", fed("type Query { e: E } enum E { A B @inaccessible }")),
        ("b", fed("type Query { f(e: E): Int } enum E { A }")),
    ],
    "key_on_interface_and_interface_object_two": [
        (
            "a",
            fed(
                'type Query { n: [N] } interface N @key(fields: "id") { id: ID! } type X implements N @key(fields: "id") { id: ID! }'
            ),
        ),
        (
            "b",
            fed(
                'type N @key(fields: "id") @interfaceObject { id: ID! extra: Int } type Query { m: N }'
            ),
        ),
    ],
    "root_rename_both": [
        ("a", fed("schema { query: Q1 } type Q1 { a: Int } type Other { q: Q1 }")),
        ("b", fed("type Query { b: Int }")),
    ],
    "subscription_shareable": [
        ("a", fed("type Query { a: Int } type Subscription { s: Int @shareable }")),
        ("b", fed("type Subscription { s: Int @shareable }")),
    ],
    "mutation_unshareable": [
        ("a", fed("type Query { a: Int } type Mutation { m: Int }")),
        ("b", fed("type Mutation { m: Int }")),
    ],
    "union_of_one_in_each": [
        ("a", fed("type Query { u: U } union U = A type A { a: Int }")),
        ("b", fed("type Query { v: U } union U = B type B { b: Int }")),
    ],
    "scalar_desc_and_tag": [
        ("a", fed('"""Date."""\nscalar D @tag(name: "x") type Query { d: D }')),
        ("b", fed('scalar D @tag(name: "y") type Query { e: D }')),
    ],
    "directive_on_schema_and_tag_everywhere": [
        (
            "a",
            fed(
                'type Query { a(x: Int @tag(name: "arg")): Int @tag(name: "f") } enum E @tag(name: "e") { V @tag(name: "v") } input In @tag(name: "i") { f: Int @tag(name: "if") } type Mutation { m(i: In, e: E): Int } interface I @tag(name: "it") { x: Int } union U @tag(name: "u") = T type T implements I @tag(name: "t") { x: Int } type Subscription { u: U i: I }'
            ),
        )
    ],
    "external_key_fields_on_definition": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! @external x: Int }')),
        ("b", fed('type T @key(fields: "id") { id: ID! y: Int }')),
    ],
    "requires_arg_field": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! p(c: String!): Int }')),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! p(c: String!): Int @external q: Int @requires(fields: "p(c: \\"x\\")") }'
            ),
        ),
    ],
    "requires_missing_arg": [
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! p(c: String!): Int }')),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! p(c: String): Int @external q: Int @requires(fields: "p") }'
            ),
        ),
    ],
}

EDGES = [Case(name, tuple(subgraphs)) for name, subgraphs in _PROBES.items()]
