"""Subgraph sets composed by both Apollo and us: valid sets (same supergraph) and invalid ones."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INVALID", "VALID", "Case", "fed"]

_ALL = [
    "@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible",
    "@tag", "@interfaceObject", "@extends", "@composeDirective",
]  # fmt: skip


def fed(body: str, version: str = "2.3", imports: list[str] | None = None) -> str:
    """A Federation 2 subgraph SDL: the @link header plus `body`."""
    names = ", ".join(f'"{i}"' for i in (imports if imports is not None else _ALL))
    url = f"https://specs.apollo.dev/federation/v{version}"
    return f'extend schema @link(url: "{url}", import: [{names}])\n{body}'


@dataclass(frozen=True)
class Case:
    name: str
    subgraphs: tuple[tuple[str, str], ...]  # (name, sdl); urls are derived from names
    code: str | None = None  # expected Apollo error code for invalid sets

    @property
    def specs(self) -> list[tuple[str, str, str]]:
        return [(n, f"http://{n}.local/graphql", sdl) for n, sdl in self.subgraphs]


def case(name: str, *subgraphs: tuple[str, str], code: str | None = None) -> Case:
    return Case(name, tuple(subgraphs), code)


ACCOUNTS = fed('''
type Query { me: User users: [User!]! user(id: ID!): User }
"""A person with an account."""
type User @key(fields: "id") {
  id: ID!
  name: String
  "The login handle."
  username: String @shareable
  birthDate(locale: String = "en"): String
}
''')
PRODUCTS = fed("""
type Query { topProducts(first: Int = 5): [Product] product(upc: String!): Product }
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
""")
REVIEWS = fed("""
type Query { topReviews(first: Int = 5): [Review] }
type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
  numberOfReviews: Int!
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}
""")
INVENTORY = fed("""
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
""")

VALID: list[Case] = [
    case(
        "two_subgraph_entity",
        (
            "users",
            fed('type Query { me: User } type User @key(fields: "id") { id: ID! name: String }'),
        ),
        ("posts", fed('type User @key(fields: "id") { id: ID! posts: [String!]! }')),
    ),
    case(
        "classic_demo",
        ("accounts", ACCOUNTS),
        ("products", PRODUCTS),
        ("reviews", REVIEWS),
        ("inventory", INVENTORY),
    ),
    case(
        "multiple_compound_nested_keys",
        (
            "a",
            fed("""
type Query { orders: [Order] }
type Order @key(fields: "id") @key(fields: "number customer { id }") {
  id: ID! number: Int! customer: Customer! total: Float
}
type Customer @key(fields: "id") { id: ID! }
"""),
        ),
        (
            "b",
            fed("""
type Order @key(fields: "number customer { id }", resolvable: false) {
  number: Int! customer: Customer!
}
type Customer @key(fields: "id", resolvable: false) { id: ID! }
type Query { latest: Order }
"""),
        ),
        (
            "c",
            fed("""
type Order @key(fields: "id") { id: ID! shipped: Boolean }
"""),
        ),
    ),
    case(
        "interface_entity",
        (
            "media",
            fed("""
type Query { media: [Media] }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String minutes: Int }
"""),
        ),
        (
            "ratings",
            fed("""
interface Media @key(fields: "id") { id: ID! rating: Float }
type Book implements Media @key(fields: "id") { id: ID! rating: Float }
type Movie implements Media @key(fields: "id") { id: ID! rating: Float }
"""),
        ),
    ),
    case(
        "interface_object",
        (
            "media",
            fed("""
type Query { media: [Media] }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String }
"""),
        ),
        (
            "reviews",
            fed("""
type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [String!]! }
type Query { topMedia: Media }
"""),
        ),
    ),
    case(
        "override_simple_and_used",
        (
            "old",
            fed("""
type Query { users: [User] }
type User @key(fields: "id") { id: ID! name: String email: String }
"""),
        ),
        (
            "new",
            fed("""
type User @key(fields: "id") { id: ID! name: String @override(from: "old") }
"""),
        ),
        (
            "other",
            fed("""
type User @key(fields: "id") { id: ID! email: String @override(from: "old") age: Int }
"""),
        ),
    ),
    case(
        "override_progressive_label",
        (
            "old",
            fed(
                'type Query { u: User } type User @key(fields: "id") { id: ID! name: String }',
                "2.7",
            ),
        ),
        (
            "new",
            fed(
                'type User @key(fields: "id") { id: ID! name: String @override(from: "old", label: "percent(25)") }',
                "2.7",
            ),
        ),
    ),
    case(
        "override_unknown_source_and_missing_field",
        (
            "a",
            fed(
                'type Query { u: User } type User @key(fields: "id") { id: ID! x: Int @override(from: "nowhere") y: Int }'
            ),
        ),
        ("b", fed('type User @key(fields: "id") { id: ID! z: Int @override(from: "a") }')),
    ),
    case(
        "inaccessible_everywhere",
        (
            "a",
            fed("""
type Query { visible: Thing hidden: Secret @inaccessible f(arg: Int @inaccessible, other: Int): Int }
type Thing @key(fields: "id") { id: ID! internal: String @inaccessible kind: Kind }
type Secret @inaccessible { x: Int }
enum Kind { PUBLIC PRIVATE @inaccessible }
input Filter { a: Int b: Int @inaccessible }
type Mutation { run(f: Filter): Int }
union Any @inaccessible = Thing | Secret
scalar Hidden @inaccessible
interface I @inaccessible { x: Int }
"""),
        ),
        (
            "b",
            fed("""
type Thing @key(fields: "id") { id: ID! extra: Int }
input Filter { a: Int c: Int @inaccessible }
"""),
        ),
    ),
    case(
        "shareable_value_types_and_type_widening",
        (
            "a",
            fed("""
type Query { a: Point list: [Point!] }
type Point @shareable { x: Int! y: Int! label: String! tags: [String!]! }
"""),
        ),
        (
            "b",
            fed("""
type Query { b: Point }
type Point @shareable { x: Int! y: Int! label: String tags: [String] }
"""),
        ),
        (
            "c",
            fed("""
type Point { x: Int! @shareable y: Int! @shareable }
"""),
        ),
    ),
    case(
        "shareable_root_fields",
        ("a", fed("type Query { version: String @shareable now: Int }")),
        ("b", fed("type Query { version: String @shareable }")),
        ("c", fed("extend type Query { version: String @shareable later: Int }")),
    ),
    case(
        "renamed_root_types",
        (
            "a",
            fed("""
schema { query: RootQuery mutation: RootMutation }
type RootQuery { me: User }
type RootMutation { login(name: String!): User }
type User @key(fields: "id") { id: ID! self: RootQuery }
"""),
        ),
        (
            "b",
            fed("""
schema { query: Q subscription: S }
type Q { other: Int }
type S { ticks: Int }
"""),
        ),
    ),
    case(
        "security_directives",
        (
            "a",
            fed(
                """
type Query { me: User @authenticated admin: Int @requiresScopes(scopes: [["admin"], ["root", "ops"]]) p: Int @policy(policies: [["p1"]]) }
type User @key(fields: "id") @authenticated { id: ID! email: String @requiresScopes(scopes: [["read:email"]]) }
enum Role @policy(policies: [["roles"]]) { A B }
scalar Token @authenticated
""",
                "2.6",
                ["@key", "@authenticated", "@requiresScopes", "@policy", "@tag", "@shareable"],
            ),
        ),
        (
            "b",
            fed(
                """
type User @key(fields: "id") { id: ID! role: Role @tag(name: "internal") @tag(name: "x") }
enum Role { A B }
type Query { t: Token @tag(name: "internal") }
scalar Token
""",
                "2.6",
                ["@key", "@tag"],
            ),
        ),
    ),
    case(
        "renamed_and_namespaced_imports",
        (
            "a",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@primaryKey"}, "@shareable"])
type Query { u: User }
type User @primaryKey(fields: "id") { id: ID! name: String @shareable }
""",
        ),
        (
            "b",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed", import: [])
type User @fed__key(fields: "id") { id: ID! name: String @fed__shareable nick: String @fed__tag(name: "n") }
""",
        ),
    ),
    case(
        "strawberry_style_sdl",
        (
            "a",
            """
schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@shareable"]) {
  query: Query
}

type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
  doctor(id: ID!): Doctor
}

type Doctor @key(fields: "id") {
  id: ID!
  name: String!
}

scalar _Any

union _Entity = Doctor

type _Service {
  sdl: String!
}

scalar _FieldSet
""",
        ),
        (
            "b",
            """
schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@external", "@requires"]) {
  query: Query
}

type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}

type Doctor @key(fields: "id") {
  id: ID!
  name: String! @external
  greeting: String! @requires(fields: "name")
}

scalar _Any

union _Entity = Doctor

type _Service {
  sdl: String!
}
""",
        ),
    ),
    case(
        "enums_inputs_arguments_descriptions",
        (
            "a",
            fed('''
"""Root."""
type Query {
  "Search things."
  search(
    "The filter."
    filter: Filter
    order: Order = ASC
    limit: Int = 10
    extra: String
  ): [Result!]! @shareable
  status: Status
  unused: Int
}
input Filter { text: String! kind: Kind tags: [String!] note: String }
enum Order { ASC DESC }
enum Kind { A B C }
enum Status { ON OFF }
enum Lonely { X }
type Result @shareable { id: ID! }
'''),
        ),
        (
            "b",
            fed('''
"""Root query."""
type Query {
  "Search things."
  search(filter: Filter, order: Order = ASC, limit: Int = 10): [Result!]! @shareable
  status2: Status
}
input Filter { text: String! kind: Kind tags: [String] }
enum Order { ASC DESC }
enum Kind { A B }
enum Status { ON UNKNOWN }
enum Lonely { Y }
type Result @shareable { id: ID! }
'''),
        ),
    ),
    case(
        "argument_type_narrowing",
        ("a", fed("type Query { f(x: Int, y: [Int!]): Int @shareable }")),
        ("b", fed("type Query { f(x: Int!, y: [Int]): Int @shareable }")),
    ),
    case(
        "unions_across_subgraphs",
        (
            "a",
            fed("""
type Query { search: [SearchResult] }
union SearchResult = Book | Author
type Book @key(fields: "id") { id: ID! }
type Author @key(fields: "id") { id: ID! }
"""),
        ),
        (
            "b",
            fed("""
union SearchResult = Book | Magazine
type Book @key(fields: "id") { id: ID! title: String }
type Magazine { issue: Int }
type Query { mags: [Magazine] }
"""),
        ),
    ),
    case(
        "fed_2_8_join_v05",
        (
            "a",
            fed(
                'type Query { a: A } type A @key(fields: "id") { id: ID! x: Int }', "2.8", ["@key"]
            ),
        ),
        ("b", fed('type A @key(fields: "id") { id: ID! y: Int }', "2.9", ["@key"])),
    ),
    case(
        "fed_2_7_join_v04",
        ("a", fed("type Query { a: Int }", "2.7", ["@key"])),
        ("b", fed("type Query { b: Int }", "2.1", ["@key"])),
    ),
    case(
        "extend_type_and_extends",
        (
            "a",
            fed(
                'type Query { u: User p: Product } type User @key(fields: "id") { id: ID! } type Product @key(fields: "sku") { sku: String! }'
            ),
        ),
        (
            "b",
            fed("""
extend type User @key(fields: "id") { id: ID! @external nick: String }
type Product @extends @key(fields: "sku") { sku: String! @external stock: Int }
"""),
        ),
    ),
    case(
        "specified_by_and_deprecated",
        (
            "a",
            fed("""
type Query { d: Date old: Int @deprecated(reason: "use new") f(a: Int @deprecated): Int }
scalar Date @specifiedBy(url: "https://example.com/date")
enum E { A B @deprecated }
type Mutation { e(e: E): E }
"""),
        ),
        (
            "b",
            fed("""
type Query { n: Date }
scalar Date
enum E { A B }
"""),
        ),
    ),
    case(
        "compose_directive",
        (
            "a",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/hello/v1.0", import: ["@hello"])
  @composeDirective(name: "@hello")
directive @hello(greeting: String = "hi") on FIELD_DEFINITION | OBJECT
type Query { hi: String @hello(greeting: "yo") there: String @hello }
type Greeter @hello { name: String }
type Mutation { g: Greeter }
""",
        ),
        ("b", fed("type Query { other: Int }")),
    ),
    case(
        "subscriptions",
        ("a", fed("type Query { a: Int } type Subscription { ticks: Int }")),
        ("b", fed("type Subscription { news: String }")),
    ),
    case(
        "interface_value_types_and_implements_across",
        (
            "a",
            fed("""
type Query { nodes: [Node] }
interface Node { id: ID! }
type Post implements Node @key(fields: "id") { id: ID! title: String }
"""),
        ),
        (
            "b",
            fed("""
interface Node { id: ID! }
interface Named { name: String }
type Post implements Node & Named @key(fields: "id") { id: ID! name: String }
"""),
        ),
    ),
    case(
        "provides_on_list_and_nested_external",
        (
            "a",
            fed("""
type Query { topPosts: [Post] }
type Post @key(fields: "id") { id: ID! author: Author @provides(fields: "name address { city }") }
type Author @key(fields: "id") { id: ID! name: String @external address: Address @external }
type Address @shareable { city: String street: String }
"""),
        ),
        (
            "b",
            fed("""
type Author @key(fields: "id") { id: ID! name: String @shareable address: Address @shareable }
type Address @shareable { city: String street: String }
"""),
        ),
    ),
    case(
        "requires_nested_and_args",
        (
            "a",
            fed("""
type Query { items: [Item] }
type Item @key(fields: "id") { id: ID! dims: Dims price(currency: String = "EUR"): Float }
type Dims @shareable { w: Int h: Int }
"""),
        ),
        (
            "b",
            fed("""
type Item @key(fields: "id") {
  id: ID!
  dims: Dims @external
  price(currency: String = "EUR"): Float @external
  area: Int @requires(fields: "dims { w h } price(currency: \\"USD\\")")
}
type Dims @shareable { w: Int h: Int }
"""),
        ),
    ),
    case(
        "descriptions_everywhere",
        (
            "a",
            fed('''
"""
Multi-line
description of the query root.
"""
type Query {
  """A description that is definitely longer than seventy characters, so printed on several lines."""
  long: Int
  "ends with a quote \\""
  quoted: Int
  args(
    """first arg"""
    one: Int
    two: String = "x"
  ): Int
  e: Color
}
"""The colors."""
enum Color {
  "Red."
  RED
  GREEN
  "Blue (deprecated)."
  BLUE @deprecated(reason: "no more blue")
}
"""Shared point."""
type P @shareable { "x coord" x: Int }
'''),
        ),
        (
            "b",
            fed('''
"""Other description of the query root."""
type Query { p: P }
"""A point."""
type P @shareable { "the x coordinate" x: Int }
enum Color { RED GREEN BLUE YELLOW }
'''),
        ),
        (
            "c",
            fed('''
type Query { q: P }
"""A point."""
type P @shareable { x: Int }
'''),
        ),
    ),
    case(
        "interface_implements_interface_and_nested_lists",
        (
            "a",
            fed("""
type Query { n: Node grid: [[Int!]!]! }
interface Node { id: ID! }
interface Resource implements Node { id: ID! url: String }
type File implements Resource & Node @key(fields: "id") { id: ID! url: String size: Int }
"""),
        ),
        (
            "b",
            fed("""
type File @key(fields: "id") { id: ID! owner: String }
"""),
        ),
    ),
    case(
        "input_defaults_objects_lists_enums",
        (
            "a",
            fed("""
type Query { f(i: In = {a: 1, tags: ["x", "y"], mode: FAST}, modes: [Mode!] = [FAST, SLOW]): Int @shareable }
input In { a: Int = 3 tags: [String!] = [] mode: Mode = SLOW nested: Nested }
input Nested { deep: [[Int]] }
enum Mode { FAST SLOW }
"""),
        ),
        (
            "b",
            fed("""
type Query { f(i: In = {a: 1, tags: ["x", "y"], mode: FAST}, modes: [Mode!] = [FAST, SLOW]): Int @shareable }
input In { a: Int = 3 tags: [String!] = [] mode: Mode = SLOW nested: Nested }
input Nested { deep: [[Int]] }
enum Mode { FAST SLOW }
"""),
        ),
    ),
    case(
        "override_of_key_field_is_used_overridden",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! }'
            ),
        ),
        ("b", fed('type T @key(fields: "id") { id: ID! sku: String! @override(from: "a") }')),
    ),
    case(
        "enum_input_only_intersection",
        ("a", fed("type Query { f(m: Mode): Int } enum Mode { A B C }")),
        ("b", fed("type Query { g(m: [Mode!]!): Int } enum Mode { A B D }")),
    ),
    case(
        "union_member_and_entity_union",
        (
            "a",
            fed(
                'type Query { r: R } union R = X | Y type X @key(fields: "id") { id: ID! } type Y { y: Int }'
            ),
        ),
        (
            "b",
            fed(
                'union R = X | Z type X @key(fields: "id") { id: ID! more: Int } type Z { z: Int } type Query { z: R }'
            ),
        ),
    ),
    case(
        "deprecated_reasons_and_specified_by_once",
        (
            "a",
            fed(
                'type Query { x: Int @deprecated(reason: "a") @shareable s: S } scalar S @specifiedBy(url: "https://s")'
            ),
        ),
        ("b", fed('type Query { x: Int @deprecated(reason: "b") @shareable t: S } scalar S')),
        ("c", fed('type Query { x: Int @deprecated(reason: "b") @shareable }')),
    ),
    case(
        "access_control_on_interface_implementations",
        (
            "a",
            fed(
                """
type Query { items: [Item] }
interface Item { id: ID! secret: String }
type Doc implements Item @key(fields: "id") @authenticated { id: ID! secret: String @requiresScopes(scopes: [["doc"]]) }
type Img implements Item @key(fields: "id") { id: ID! secret: String @requiresScopes(scopes: [["img"]]) @policy(policies: [["p"]]) }
""",
                "2.6",
                ["@key", "@authenticated", "@requiresScopes", "@policy"],
            ),
        ),
        (
            "b",
            fed(
                'type Doc @key(fields: "id") { id: ID! extra: Int @authenticated }',
                "2.6",
                ["@key", "@authenticated"],
            ),
        ),
    ),
    case(
        "interface_object_with_keys_in_several_subgraphs",
        (
            "a",
            fed("""
type Query { all: [Account] }
interface Account @key(fields: "id") { id: ID! name: String }
type User implements Account @key(fields: "id") { id: ID! name: String age: Int }
type Org implements Account @key(fields: "id") { id: ID! name: String size: Int }
"""),
        ),
        (
            "b",
            fed(
                'type Account @key(fields: "id") @interfaceObject { id: ID! score: Float @shareable }'
            ),
        ),
        (
            "c",
            fed(
                'type Account @key(fields: "id") @interfaceObject { id: ID! score: Float @shareable flagged: Boolean } type Query { flagged: [Account] }'
            ),
        ),
    ),
    case(
        "mutation_and_subscription_only_somewhere",
        ("a", fed("type Query { a: Int } type Mutation { doA: Int }")),
        ("b", fed("type Query { b: Int } type Mutation { doB(x: Int!): Boolean }")),
        ("c", fed("type Query { c: Int } type Subscription { onC: Int }")),
    ),
    case(
        "same_key_on_definition_and_extension_blocks",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! } extend type T @key(fields: "code") { code: String! }'
            ),
        ),
        ("b", fed('type T @key(fields: "code") { code: String! more: Int }')),
    ),
    case(
        "output_subtyping_union_interface",
        (
            "a",
            fed("""
type Query { pet: Pet  any: Animal node: Dog owner: Owner }
union Pet = Dog | Cat
interface Animal { name: String }
type Dog implements Animal @key(fields: "id") { id: ID! name: String @shareable }
type Cat implements Animal @key(fields: "id") { id: ID! name: String @shareable }
type Owner @key(fields: "id") { id: ID! pet: Pet @shareable best: Animal @shareable }
"""),
        ),
        (
            "b",
            fed("""
type Owner @key(fields: "id") { id: ID! pet: Dog @shareable best: Cat @shareable }
type Dog @key(fields: "id") { id: ID! }
type Cat @key(fields: "id") { id: ID! }
"""),
        ),
    ),
    case(
        "schema_tag_type_level_external_extension_shareable",
        (
            "a",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@provides", "@shareable", "@tag"]) @tag(name: "sg-a")
type Query { t: T @provides(fields: "a b") }
extend type T @key(fields: "id") @external { id: ID! a: Int b: Int }
""",
        ),
        (
            "b",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@tag"]) @tag(name: "sg-b")
type T @key(fields: "id") { id: ID! a: Int @shareable }
extend type T @shareable { b: Int c: Int }
type Query { u: T @shareable }
""",
        ),
        (
            "c",
            fed(
                'type Query { u: T @shareable } type T @key(fields: "id") { id: ID! c: Int @shareable }'
            ),
        ),
    ),
    case(
        "inaccessible_type_only_referenced_by_inaccessible_fields",
        (
            "a",
            fed(
                'type Query { t: T @inaccessible hidden: Int @inaccessible x: Int } type T @key(fields: "id") @inaccessible { id: ID! x: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! y: Int @inaccessible z: Int } type Query { other: Int }'
            ),
        ),
    ),
    case(
        "cost_and_list_size",
        (
            "a",
            fed(
                'type Query { items(first: Int): [Int] @cost(weight: 5) @shareable t: T } type T @key(fields: "id") @cost(weight: 2) { id: ID! }',
                "2.9",
                ["@key", "@cost", "@listSize", "@shareable"],
            ),
        ),
        (
            "b",
            fed(
                'type Query { items(first: Int): [Int] @listSize(assumedSize: 3, slicingArguments: ["first"]) @shareable @cost(weight: 7) } type X { a: [Int] @listSize(assumedSize: 5, requireOneSlicingArgument: false) } type Mutation { x: X }',
                "2.9",
                ["@key", "@cost", "@listSize", "@shareable"],
            ),
        ),
        (
            "c",
            fed(
                'type Query { items(first: Int): [Int] @listSize(assumedSize: 4, slicingArguments: ["first"], requireOneSlicingArgument: false) @shareable }',
                "2.9",
                ["@key", "@cost", "@listSize", "@shareable"],
            ),
        ),
    ),
    case(
        "cost_only_links_whole_spec",
        ("a", fed("type Query { a: Int @cost(weight: 1) }", "2.9", ["@key", "@cost"])),
    ),
    case(
        "executable_directives",
        (
            "a",
            fed('''
directive @lower(x: Int = 1) repeatable on FIELD | QUERY | FIELD_DEFINITION
directive @only on FIELD
"""In all."""
directive @everywhere("why" reason: String!) on FIELD | FRAGMENT_SPREAD
type Query { a: Int }
'''),
        ),
        (
            "b",
            fed('''
"""Lowercase."""
directive @lower(x: Int = 1, y: String) on FIELD | MUTATION | QUERY
directive @everywhere(reason: String!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
type Query { b: Int }
'''),
        ),
    ),
    case(
        "key_on_list_field",
        ("a", fed('type Query { t: T } type T @key(fields: "ids") { ids: [ID!]! }')),
    ),
    case(
        "subgraph_name_sanitizing",
        ("my-service", fed("type Query { a: Int }")),
        ("2nd", fed("type Query { b: Int }")),
        ("svc_1", fed("type Query { c: Int }")),
    ),
]


INVALID: list[Case] = [
    case(
        "non_shareable_field",
        ("a", fed('type Query { a: Int } type T @key(fields: "id") { id: ID! name: String }')),
        ("b", fed('type T @key(fields: "id") { id: ID! name: String }')),
        code="INVALID_FIELD_SHARING",
    ),
    case(
        "non_shareable_root_field",
        ("a", fed("type Query { a: Int }")),
        ("b", fed("type Query { a: Int }")),
        code="INVALID_FIELD_SHARING",
    ),
    case(
        "field_type_mismatch",
        ("a", fed("type Query { a: P } type P @shareable { x: Int }")),
        ("b", fed("type Query { b: P } type P @shareable { x: String }")),
        code="FIELD_TYPE_MISMATCH",
    ),
    case(
        "argument_type_mismatch",
        ("a", fed("type Query { f(x: Int): Int @shareable }")),
        ("b", fed("type Query { f(x: String): Int @shareable }")),
        code="FIELD_ARGUMENT_TYPE_MISMATCH",
    ),
    case(
        "required_inaccessible_input_field",
        ("a", fed("type Query { f(i: In): Int } input In { a: Int b: Int! @inaccessible }")),
        code="REQUIRED_INACCESSIBLE",
    ),
    case(
        "interface_field_missing_in_subgraph",
        (
            "a",
            fed("type Query { i: I } interface I { x: Int y: Int } type A implements I { x: Int }"),
        ),
        code="INVALID_GRAPHQL",
    ),
    case(
        "unreachable_field_of_value_type",
        ("a", fed("type Query { a: Point } type Point @shareable { x: Int! }")),
        ("b", fed("type Point { x: Int! @shareable z: Int }")),
        code="SATISFIABILITY_ERROR",
    ),
    case(
        "field_only_behind_unresolvable_key",
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! }')),
        ("b", fed('type T @key(fields: "id", resolvable: false) { id: ID! extra: Int }')),
        code="SATISFIABILITY_ERROR",
    ),
    case(
        "type_level_external_hides_key_fields",
        (
            "a",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@provides", "@shareable", "@tag"]) @tag(name: "sg-a")
type Query { t: T @provides(fields: "a b") }
type T @key(fields: "id") { id: ID! }
extend type T @external { a: Int b: Int }
""",
        ),
        (
            "b",
            """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@tag"]) @tag(name: "sg-b")
type T @key(fields: "id") { id: ID! a: Int @shareable }
extend type T @shareable { b: Int c: Int }
type Query { u: T @shareable }
""",
        ),
        (
            "c",
            fed(
                'type Query { u: T @shareable } type T @key(fields: "id") { id: ID! c: Int @shareable }'
            ),
        ),
        code="SATISFIABILITY_ERROR",
    ),
    case(
        "referenced_inaccessible_type",
        (
            "a",
            fed(
                'type Query { t: T hidden: Int @inaccessible } type T @key(fields: "id") @inaccessible { id: ID! x: Int }'
            ),
        ),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! y: Int @inaccessible z: Int } type Query { other: Int }'
            ),
        ),
        code="REFERENCED_INACCESSIBLE",
    ),
    case(
        "access_control_on_interface_field",
        (
            "a",
            fed(
                "type Query { i: I } interface I { x: Int @authenticated } type A implements I { x: Int }",
                "2.5",
                ["@key", "@authenticated"],
            ),
        ),
        code="AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
    ),
    case(
        "unknown_directive",
        ("a", fed("type Query { a: Int @nope }")),
        code="INVALID_GRAPHQL",
    ),
    case(
        "key_on_interface_field",
        ("a", fed('type Query { t: T } interface I { x: Int } type T @key(fields: "i") { i: I }')),
        code="KEY_FIELDS_SELECT_INVALID_TYPE",
    ),
    case(
        "key_unknown_field",
        ("a", fed('type Query { t: T } type T @key(fields: "nope") { id: ID! }')),
        code="KEY_INVALID_FIELDS",
    ),
    case(
        "key_field_with_arguments",
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id(x: Int): ID! }')),
        code="KEY_FIELDS_HAS_ARGS",
    ),
    case(
        "external_everywhere",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }'
            ),
        ),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! x: Int @external z: Int @requires(fields: "x") }'
            ),
        ),
        code="EXTERNAL_MISSING_ON_BASE",
    ),
    case(
        "syntax_error",
        ("a", fed("type Query { a: Int ")),
        code="INVALID_GRAPHQL",
    ),
    case(
        "unknown_type",
        ("a", fed("type Query { a: Missing }")),
        code="INVALID_GRAPHQL",
    ),
    case(
        "requires_unknown_field",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! y: Int @requires(fields: "nope") }'
            ),
        ),
        code="REQUIRES_INVALID_FIELDS",
    ),
    case(
        "requires_not_external",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int y: Int @requires(fields: "x") }'
            ),
        ),
        code="REQUIRES_FIELDS_MISSING_EXTERNAL",
    ),
    case(
        "provides_unknown_field",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! u: U @provides(fields: "nope") } type U @key(fields: "id") { id: ID! }'
            ),
        ),
        code="PROVIDES_INVALID_FIELDS",
    ),
    case(
        "provides_not_external",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! u: U @provides(fields: "name") } type U @key(fields: "id") { id: ID! name: String }'
            ),
        ),
        code="PROVIDES_FIELDS_MISSING_EXTERNAL",
    ),
    case(
        "provides_on_scalar",
        ("a", fed('type Query { t: Int @provides(fields: "x") }')),
        code="PROVIDES_ON_NON_OBJECT_FIELD",
    ),
    case(
        "type_kind_mismatch",
        ("a", fed("type Query { a: T } type T { x: Int }")),
        ("b", fed("type Query { b: T } interface T { x: Int }")),
        code="TYPE_KIND_MISMATCH",
    ),
    case(
        "override_source_has_override",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "b") }'
            ),
        ),
        ("b", fed('type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }')),
        code="OVERRIDE_SOURCE_HAS_OVERRIDE",
    ),
    case(
        "override_from_self",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }'
            ),
        ),
        code="OVERRIDE_FROM_SELF_ERROR",
    ),
    case(
        "override_collides_with_requires",
        (
            "a",
            fed(
                'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external x: Int @requires(fields: "w") }'
            ),
        ),
        ("b", fed('type T @key(fields: "id") { id: ID! w: Int x: Int @override(from: "a") }')),
        code="OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
    ),
    case(
        "external_unused",
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external }')),
        ("b", fed('type T @key(fields: "id") { id: ID! x: Int }')),
        code="EXTERNAL_UNUSED",
    ),
    case(
        "external_on_interface",
        ("a", fed("type Query { i: I } interface I { x: Int @external }")),
        code="EXTERNAL_ON_INTERFACE",
    ),
    case(
        "required_argument_missing",
        ("a", fed("type Query { f(x: Int!): Int @shareable }")),
        ("b", fed("type Query { f: Int @shareable }")),
        code="REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
    ),
    case(
        "required_input_field_missing",
        ("a", fed("type Query { f(i: In): Int } input In { a: Int b: Int! }")),
        ("b", fed("type Query { g(i: In): Int } input In { a: Int }")),
        code="REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
    ),
    case(
        "empty_merged_input",
        ("a", fed("type Query { f(i: In): Int } input In { a: Int }")),
        ("b", fed("type Query { g(i: In): Int } input In { b: Int }")),
        code="EMPTY_MERGED_INPUT_TYPE",
    ),
    case(
        "enum_value_mismatch_both_positions",
        ("a", fed("type Query { f(e: E): E } enum E { A B }")),
        ("b", fed("type Query { g: E } enum E { A C }")),
        code="ENUM_VALUE_MISMATCH",
    ),
    case(
        "empty_merged_enum",
        ("a", fed("type Query { f(e: E): Int } enum E { A }")),
        ("b", fed("type Query { g(e: E): Int } enum E { B }")),
        code="EMPTY_MERGED_ENUM_TYPE",
    ),
    case(
        "external_type_mismatch",
        ("a", fed('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }')),
        (
            "b",
            fed(
                'type T @key(fields: "id") { id: ID! x: String @external y: Int @requires(fields: "x") }'
            ),
        ),
        code="EXTERNAL_TYPE_MISMATCH",
    ),
    case(
        "no_queries",
        ("a", fed("type T { x: Int }")),
        code="NO_QUERIES",
    ),
    case(
        "interface_field_not_implemented",
        (
            "a",
            fed(
                'type Query { i: I } interface I { x: Int } type A implements I @key(fields: "id") { id: ID! x: Int }'
            ),
        ),
        (
            "b",
            fed(
                "interface I { x: Int y: Int } type B implements I { x: Int y: Int } type Query { b: B }"
            ),
        ),
        code="INTERFACE_FIELD_NO_IMPLEM",
    ),
    case(
        "interface_key_missing_implementation",
        (
            "a",
            fed(
                'type Query { i: I } interface I @key(fields: "id") { id: ID! } type A implements I @key(fields: "id") { id: ID! }'
            ),
        ),
        (
            "b",
            fed(
                'interface I @key(fields: "id") { id: ID! x: Int } type B implements I @key(fields: "id") { id: ID! x: Int }'
            ),
        ),
        code="INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
    ),
    case(
        "interface_object_only",
        ("a", fed('type Query { i: I } type I @key(fields: "id") @interfaceObject { id: ID! }')),
        code="INTERFACE_OBJECT_USAGE_ERROR",
    ),
    case(
        "argument_default_mismatch",
        ("a", fed("type Query { f(x: Int = 1): Int @shareable }")),
        ("b", fed("type Query { f(x: Int = 2): Int @shareable }")),
        code="FIELD_ARGUMENT_DEFAULT_MISMATCH",
    ),
    case(
        "unknown_federation_import",
        ("a", fed("type Query { a: Int }", "2.3", ["@key", "@policy"])),
        code="INVALID_LINK_DIRECTIVE_USAGE",
    ),
]
