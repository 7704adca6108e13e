"""Generate Python source that shapes one operation's error-free responses, like graphql-jit.

`shaping.py`'s interpreter is the reference. The generated function covers the common case, a
response in which every value is valid: one function per selection set and runtime type whose
body reads each field once and returns a dict display, with leaf checks inlined, `@skip` and
`@include` decided when generating (one variant per combination of their variables), and no
response paths. Anything else — a null in a non-null position, an invalid leaf, an unexpected
`__typename`, a value of the wrong JSON kind — raises, and the caller reruns the interpreter,
which reports it exactly. Operations the generator does not cover (introspection fields, a
response key selected twice with sub-selections) always use the interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import GraphQLEnumType, GraphQLObjectType, is_abstract_type

if TYPE_CHECKING:
    from router.executor.shaping import _Compiler, _Field, _Set, _Type

__all__ = ["Unsupported", "generate"]

Shaper = Callable[[dict[str, Any]], dict[str, Any]]

# Kinds, as in shaping.py (kept in step by tests/router/test_shape_codegen.py).
_NON_NULL, _LIST, _COMPOSITE, _LEAF = range(4)
_PLAIN, _TYPENAME, _INTROSPECTION = range(3)
# Generated code beyond this many lines (nested abstract types multiply branches) is not worth it.
_MAX_LINES = 20_000


class Unsupported(Exception):
    """The operation is left to the interpreter."""


class _Miss(Exception):
    """Raised by generated code when a response needs the interpreter."""


_MISS = _Miss()


def _miss() -> Any:
    raise _MISS


def _checker(valid: Callable[[Any], bool]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if valid(value):
            return value
        raise _MISS

    return check


def generate(compiler: _Compiler, skipped: Callable[[Any], bool]) -> Shaper:
    """The shaping function of `compiler`'s operation; `skipped(conditions)` decides directives."""
    generator = _Generator(compiler, skipped)
    root = generator.set_function(compiler.root)
    namespace = dict(generator.globals)
    source = "\n".join(generator.lines)
    # Our own generated source, from names and constants of a validated operation only.
    exec(compile(source, "<router shaper>", "exec"), namespace)  # noqa: S102
    shaper: Shaper = namespace[root]
    return shaper


class _Generator:
    def __init__(self, compiler: _Compiler, skipped: Callable[[Any], bool]) -> None:
        self.compiler = compiler
        self.skipped = skipped
        self.lines: list[str] = []
        self.globals: dict[str, Any] = {"_miss": _miss}
        self.count = 0
        self.functions: dict[str, str] = {}  # function body -> name
        self.constants: dict[tuple[str, str | None], str] = {}

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any, prefix: str, key: tuple[str, str | None]) -> str:
        """A global for `value`; one per `key`, so equal selection sets generate equal text."""
        name = self.constants.get(key)
        if name is None:
            name = self.constants[key] = self.name(prefix)
            self.globals[name] = value
        return name

    def set_function(self, compiled: _Set) -> str:
        """Emit the function of one selection set; return its name."""
        parent = compiled.parent
        branches: list[tuple[str, list[str]]] = []
        if compiled.root or not is_abstract_type(parent):
            # An object type: the fields are the same whether or not `__typename` was fetched.
            statements, untyped = self.branch(compiled.fields(parent.name), parent.name)
            test = f"t is None or t == {parent.name!r}" if untyped else f"t == {parent.name!r}"
            branches.append((test, statements))
        else:
            # Abstract: one branch per runtime type; a missing `__typename` is the interpreter's.
            for type_ in self.compiler.schema.get_possible_types(parent):  # type: ignore[arg-type]
                statements, _ = self.branch(compiled.fields(type_.name), type_.name)
                branches.append((f"t == {type_.name!r}", statements))
        lines = ["    g = src.get", '    t = g("__typename")']
        keyword = "if"
        for test, statements in branches:
            lines.append(f"    {keyword} {test}:")
            lines.extend("        " + line for line in statements)
            keyword = "elif"
        lines.append("    _miss()")
        # Structurally equal selection sets (children already shared) share one function.
        body = "\n".join(lines)
        name = self.functions.get(body)
        if name is None:
            name = self.functions[body] = self.name("s")
            self.lines.append(f"def {name}(src):")
            self.lines.extend(lines)
            if len(self.lines) > _MAX_LINES:
                raise Unsupported("generated shaper too large")
        return name

    def items(self, inner: _Type, value: str, depth: int) -> str:
        """An expression shaping the elements of the JSON list held in the name `value`."""
        element, nullable_items = inner, True
        if element.kind == _NON_NULL:
            assert element.inner is not None
            element, nullable_items = element.inner, False
        sub = element.sub if element.kind == _COMPOSITE else None
        if sub is not None and (sub.root or not is_abstract_type(sub.parent)):
            # Objects of one type: a loop with the object's body inline (no call per object).
            return f"{self.list_function(sub, nullable_items)}({value})"
        item = f"i{depth}"
        return f"[{self.expression(inner, item, depth + 1)} for {item} in {value}]"

    def list_function(self, compiled: _Set, nullable_items: bool) -> str:
        """Emit a function shaping a list of objects of `compiled`'s (object) type."""
        parent = compiled.parent
        statements, untyped = self.branch(compiled.fields(parent.name), parent.name)
        test = f"t is None or t == {parent.name!r}" if untyped else f"t == {parent.name!r}"
        *reads, result = statements
        assert result.startswith("return ")
        lines = ["    out = []", "    append = out.append", "    for src in items:"]
        if nullable_items:
            lines += ["        if src is None:", "            append(None)", "            continue"]
        lines += ["        g = src.get", '        t = g("__typename")', f"        if not ({test}):"]
        lines += ["            _miss()", *("        " + line for line in reads)]
        lines += [f"        append({result.removeprefix('return ')})", "    return out"]
        body = "\n".join(lines)
        name = self.functions.get(body)
        if name is None:
            name = self.functions[body] = self.name("l")
            self.lines.append(f"def {name}(items):")
            self.lines.extend(lines)
            if len(self.lines) > _MAX_LINES:
                raise Unsupported("generated shaper too large")
        return name

    def branch(self, fields: tuple[_Field, ...], typename: str) -> tuple[list[str], bool]:
        """Statements shaping `src` of runtime type `typename`, and whether they also hold for an
        object that carries no `__typename` (the interpreter then uses the declaring type)."""
        active: dict[str, _Field] = {}
        for field in fields:
            if field.conditions and self.skipped(field.conditions):
                continue
            first = active.get(field.key)
            if first is None:
                active[field.key] = field
            elif field.kind == _PLAIN and field.type_ is not None and field.type_.selections:
                # The interpreter merges both sub-selections into one object.
                raise Unsupported("response key selected twice with sub-selections")
            # A leaf or __typename selected again keeps the first value (as the interpreter does).
        lines: list[str] = []
        entries: list[str] = []
        untyped = True
        for index, (key, field) in enumerate(active.items()):
            if field.kind == _INTROSPECTION:
                raise Unsupported("introspection")
            if field.kind == _TYPENAME:
                if key == "__typename":
                    # The value is the object's own `__typename`, else the declaring type's name.
                    entries.append(f"{key!r}: {typename!r}")
                    parent = field.parent
                    untyped = untyped and isinstance(parent, GraphQLObjectType)
                    untyped = untyped and parent.name == typename
                else:
                    entries.append(f"{key!r}: {self.typename(field)}")
                continue
            assert field.type_ is not None
            variable = f"v{index}"
            lines.append(f"{variable} = g({key!r})")
            entries.append(f"{key!r}: {self.expression(field.type_, variable, 0)}")
        lines.append("return {" + ", ".join(entries) + "}")
        return lines, untyped

    def typename(self, field: _Field) -> str:
        """An aliased `__typename`: the subgraph answered it under the alias (else the real one)."""
        parent = field.parent
        fallback = parent.name if isinstance(parent, GraphQLObjectType) else None
        type_map = self.compiler.schema.type_map

        def resolve(value: Any, real: Any) -> str:
            if value is None:
                value = real
            runtime = type_map.get(value) if isinstance(value, str) else None
            if runtime is None:
                return fallback if fallback is not None else _miss()
            if not isinstance(runtime, GraphQLObjectType):
                _miss()
            return runtime.name

        helper = self.constant(resolve, "typename", ("typename", fallback))
        return f"{helper}(g({field.key!r}), t)"

    def expression(self, node: _Type, value: str, depth: int) -> str:
        """An expression shaping the JSON value held in the name `value`."""
        if node.kind == _NON_NULL:
            assert node.inner is not None
            return self.value(node.inner, value, depth, nullable=False)
        return self.value(node, value, depth, nullable=True)

    def value(self, node: _Type, value: str, depth: int, *, nullable: bool) -> str:
        if node.kind == _LEAF:
            fast = node.fast
            if fast is object:  # custom scalars are passed through
                return value if nullable else f"({value} if {value} is not None else _miss())"
            assert node.leaf is not None
            if isinstance(node.type_, GraphQLEnumType):
                # Membership in the enum's names, inline (an unhashable value raises: a miss).
                names = frozenset(node.type_.values)
                members = self.constant(names, "enum", ("enum", str(node.type_)))
                test = f"{value} in {members}"
                if nullable:
                    test = f"{value} is None or {test}"
                return f"({value} if {test} else _miss())"
            check = self.constant(_checker(node.leaf), "leaf", ("leaf", str(node.type_)))
            if fast is None:
                if nullable:
                    return f"({value} if {value} is None else {check}({value}))"
                return f"{check}({value})"
            test = f"{value}.__class__ is {fast.__name__}"
            if nullable:
                test = f"{value} is None or {test}"
            return f"({value} if {test} else {check}({value}))"
        if node.kind == _LIST:
            assert node.inner is not None
            items = self.items(node.inner, value, depth)
            shaped = f"{items} if {value}.__class__ is list else _miss()"
            if nullable:
                return f"(None if {value} is None else {shaped})"
            return f"({shaped})"
        if node.sub is None:
            raise Unsupported("composite without selections")
        function = self.set_function(node.sub)
        # A non-dict (None included) has no `.get`: the function raises, the interpreter reports.
        if nullable:
            return f"(None if {value} is None else {function}({value}))"
        return f"{function}({value})"
