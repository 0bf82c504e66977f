"""Writes the Python and Ruby SDKs' resources from openapi.json (the server's own document): a
class per resource with a method per operation, the namespaces of the client object, and the
classes of the module style (``vinr.Payment``, ``Vinr::Payment``). ``python3 sdks/generate.py
--check`` fails when a committed file is not what the document makes (the SDK tests run it).
The TypeScript SDK has its generator in its own package (scripts/generate.mjs), because npm's
scripts run it; the operation naming below is the same as there."""

from __future__ import annotations

import json
import keyword
import re
import sys
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = json.loads((HERE / "openapi.json").read_text())
PYTHON_OUT = HERE / "python" / "vinr" / "_resources.py"
PYTHON_OBJECTS_OUT = HERE / "python" / "vinr" / "objects.py"
RUBY_OUT = HERE / "ruby" / "lib" / "vinr" / "resources.rb"

# Where the guides name a method differently from the document's operation (the same table as
# the TypeScript SDK's, in snake_case).
RENAMED = {
    "create_payment_session": (["payments"], "create_session"),
    "refund_payment": (["payments"], "refund"),
    "get_receipt": (["payments"], "retrieve_receipt"),
    "get_context": (["checkout"], "retrieve_context"),
    "create_usage_record": (["usage"], "record"),
    "list_usage_records": (["usage"], "list"),
}
# Not JSON: nothing for an SDK to call.
SKIPPED = {"elements_js"}
CRUD = {"create": "create", "list": "list", "get": "retrieve", "update": "update", "delete": "delete"}
# The module style's class for a resource, where dropping a plural "s" does not give it.
MODULE_NAMES = {
    ("accounts",): "ConnectedAccount",
    ("usage",): "Usage",
    ("balance",): "Balance",
    ("checkout",): "Checkout",
    ("loyalty", "points"): "LoyaltyPoints",
    ("ledger", "verification"): "LedgerVerification",
}


def pascal(s: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in s.split("_"))


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def operations() -> list[dict]:
    ops = []
    for path, item in DOC["paths"].items():
        for verb in ("get", "post", "delete"):
            op = item.get(verb)
            if not op or op["operationId"] in SKIPPED:
                continue
            segments = path.split("/")[2:]
            statics = [s for s in segments if not s.startswith("{")]
            params = [s[1:-1] for s in segments if s.startswith("{")]
            first = op["operationId"].split("_")[0]
            crud = CRUD.get(first)
            after_param = segments[-1] if len(segments) > 1 and segments[-2].startswith("{") else None
            if op["operationId"] in RENAMED:
                resource, method = RENAMED[op["operationId"]]
            elif after_param is not None:
                # /v1/things/{id}/action or /v1/things/{id}/sub
                resource = statics[:-1]
                method = f"{crud}_{after_param}" if crud else after_param
            elif segments[-1].startswith("{"):
                resource, method = statics, crud or first
            elif crud is not None:
                # A collection (create, list) or a singleton (/v1/account, /v1/balance).
                resource, method = statics, crud
            else:
                # /v1/loyalty/points/earn, /v1/invoices/upcoming: an action of the resource above.
                resource, method = statics[:-1], statics[-1]
            summary = (op.get("summary") or op.get("description") or "").split("\n")[0]
            answer = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
            returns = answer.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] or None
            ops.append(
                {
                    "path": path,
                    "verb": verb.upper(),
                    "resource": tuple(resource),
                    "method": method,
                    "params": params,
                    "summary": summary,
                    "is_list": crud == "list" or method.startswith("list"),
                    "returns": returns,
                }
            )
    return ops


def resource_tree() -> dict[tuple[str, ...], list[dict]]:
    """Each resource path (``("loyalty", "points")``) and its operations; every namespace on
    the way down is present, even one without operations of its own (``("loyalty",)``)."""
    tree: dict[tuple[str, ...], list[dict]] = {}
    for o in operations():
        tree.setdefault(o["resource"], []).append(o)
        for depth in range(1, len(o["resource"])):
            tree.setdefault(o["resource"][:depth], [])
    return tree


def children(tree: dict, resource: tuple[str, ...]) -> list[tuple[str, ...]]:
    return sorted(r for r in tree if len(r) == len(resource) + 1 and r[:-1] == resource)


def module_names(tree: dict) -> dict[tuple[str, ...], str]:
    """The module style's class of each resource that has operations (``Payment``)."""
    names = {
        r: MODULE_NAMES.get(r, "".join(pascal(x) for x in r[:-1]) + pascal(singular(r[-1])))
        for r in sorted(tree)
        if tree[r]
    }
    clash = [n for n in names.values() if list(names.values()).count(n) > 1]
    if clash:
        sys.exit(f"two resources would both be named {clash[0]}: name one in MODULE_NAMES")
    return names


def summary_of(o: dict) -> str:
    return f'{o["verb"]} {o["path"]}' + (f': {o["summary"]}' if o["summary"] else "")


# Python: vinr/_resources.py


def py_class(resource: tuple[str, ...]) -> str:
    return "".join(pascal(r) for r in resource) + "Resource"


def py_method(o: dict) -> str:
    ids = "".join(f"{p}: str, " for p in o["params"])
    url = o["path"]
    for p in o["params"]:
        url = url.replace("{" + p + "}", "{_id(" + p + ")}")
    url = f'f"{url}"' if o["params"] else f'"{url}"'
    doc = summary_of(o).replace("\\", "\\\\").replace('"""', "'''")
    if o["is_list"]:
        item = list_item(o)
        returns = f"ListObject[objects.{item}]" if item else "ListObject[VinrObject]"
        call = f"self._list({url}, params, kwargs)"
    elif o["returns"] in object_schemas():
        returns = f'objects.{o["returns"]}'
        call = f'cast({returns}, self._request("{o["verb"]}", {url}, params, kwargs))'
    else:
        returns, call = "VinrObject", f'self._request("{o["verb"]}", {url}, params, kwargs)'
    return (
        f"    def {o['method']}(self, {ids}params: Params = None, /, **kwargs: Any) -> {returns}:\n"
        f'        """{doc}"""\n'
        f"        return {call}\n"
    )


def list_item(o: dict) -> str | None:
    """The class of a list's items: what the operation its `get` link names answers with
    (the list document is generic), when that is one of the objects."""
    op = DOC["paths"][o["path"]][o["verb"].lower()]
    ref = op.get("responses", {}).get("200", {}).get("links", {}).get("get", {}).get("operationRef")
    if not ref:
        return None
    path, verb = ref.removeprefix("#/paths/").rsplit("/", 1)
    path = path.replace("~1", "/").replace("~0", "~")
    answer = DOC["paths"][path][verb].get("responses", {}).get("200", {}).get("content", {})
    name = answer.get("application/json", {}).get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
    return name if name in object_schemas() else None


def render_python(tree: dict) -> str:
    classes = []
    for resource in sorted(tree, key=lambda r: (-len(r), r)):
        body = [f'    """{"/".join(resource)}"""\n']
        for child in children(tree, resource):
            body.append(
                f"    @property\n"
                f"    def {child[-1]}(self) -> {py_class(child)}:\n"
                f"        return {py_class(child)}(self._client)\n"
            )
        for o in sorted(tree[resource], key=lambda o: o["method"]):
            body.append(py_method(o))
        classes.append(f"class {py_class(resource)}(Resource):\n" + "\n".join(body))
    namespaces = "".join(f'    "{r[0]}": {py_class(r)},\n' for r in sorted(tree) if len(r) == 1)
    typed = "".join(f"    {r[0]}: {py_class(r)}\n" for r in sorted(tree) if len(r) == 1)
    modules = "".join(f'    "{n}": {py_class(r)},\n' for r, n in module_names(tree).items())
    return (
        "# Generated by sdks/generate.py from sdks/openapi.json: do not edit.\n\n"
        "from __future__ import annotations\n\n"
        "from typing import Any, cast\n\n"
        "from . import objects\n"
        "from ._api import ListObject, Params, Resource, VinrObject, _id\n\n\n"
        + "\n\n".join(classes)
        + "\n\n# The client object's namespaces: `client.payments`, `client.loyalty.points`.\n"
        + "NAMESPACES: dict[str, type[Resource]] = {\n"
        + namespaces
        + "}\n\n\nclass ClientNamespaces:\n"
        + '    """The client object\'s namespaces as type checkers see them (`VinrClient` sets\n'
        + '    each from `NAMESPACES`)."""\n\n'
        + typed
        + "\n\n# The module style's classes: `vinr.Payment.create(...)`.\n"
        + "MODULE_CLASSES: dict[str, type[Resource]] = {\n"
        + modules
        + "}\n"
    )


# Python: vinr/objects.py, a class per object the API answers with


@cache
def object_schemas() -> dict[str, dict]:
    """The schemas of what the API answers with, and of what they hold: every component
    reachable from an operation's 200 answer, but the generic list (``ListObject`` is its
    class)."""
    schemas = DOC["components"]["schemas"]
    found: dict[str, dict] = {}
    # And every object the document names (`Always `charge`.`): lists and events hold them.
    todo = [o["returns"] for o in operations() if o["returns"]] + [
        name
        for name, schema in schemas.items()
        if re.fullmatch(r"Always `[^`]+`\.", schema.get("properties", {}).get("object", {}).get("description", ""))
    ]
    while todo:
        name = todo.pop()
        if name in found or name == "List" or name not in schemas:
            continue
        found[name] = schemas[name]
        todo.extend(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schemas[name])))
    return dict(sorted(found.items()))


def py_type(schema: dict) -> str:
    """The Python annotation of a JSON schema (objects by their class in this module)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name if name in object_schemas() else "dict[str, Any]"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " | ".join(dict.fromkeys(py_type(s) for s in schema[key]))
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        literal = f"Literal[{', '.join(json.dumps(v) for v in values)}]" if values else "None"
        return f"{literal} | None" if None in schema["enum"] and values else literal
    types = schema.get("type")
    if isinstance(types, list):
        return " | ".join(py_type({**schema, "type": t}) for t in types)
    simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
    if types in simple:
        return simple[types]
    if types == "array":
        return f"list[{py_type(schema.get('items', {}))}]"
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return f"dict[str, {py_type(extra)}]"
    return "dict[str, Any]"


def object_names(schemas: dict[str, dict]) -> dict[str, str]:
    """An answer's ``object`` (``payment``) and its class, from the document's "Always `x`."
    (a name two schemas share, ``account``, stays a plain VinrObject)."""
    named: dict[str, list[str]] = {}
    for name, schema in schemas.items():
        described = schema.get("properties", {}).get("object", {}).get("description", "")
        found = re.fullmatch(r"Always `([^`]+)`\.", described)
        if found and found.group(1) != "list":
            named.setdefault(found.group(1), []).append(name)
    return {value: names[0] for value, names in sorted(named.items()) if len(names) == 1}


def render_python_objects() -> str:
    schemas = object_schemas()
    # A dict's own attributes (`items`, `keys`) answer before the object's fields do.
    shadowed = set(dir(dict))
    classes = []
    for name, schema in schemas.items():
        doc = (schema.get("description") or f"A {name}.").split("\n")[0].replace('"', "'")
        fields = [
            f"    {prop}: {py_type(s)}\n"
            for prop, s in schema.get("properties", {}).items()
            if prop.isidentifier() and not keyword.iskeyword(prop) and prop not in shadowed
        ]
        classes.append(f'class {name}(VinrObject):\n    """{doc}"""\n\n' + "".join(fields))
    names = "".join(f'    "{value}": {cls},\n' for value, cls in object_names(schemas).items())
    header = (
        "# Generated by sdks/generate.py from sdks/openapi.json: do not edit.\n"
        '"""A class per object the API answers with, its fields annotated from the document (for\n'
        "type checkers and editors); at run time each is a ``VinrObject``, a dict that also\n"
        'answers to its keys as attributes."""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import Any, Literal\n\n"
        "from ._api import OBJECT_CLASSES, VinrObject\n\n\n"
    )
    return (
        header
        + "\n\n".join(classes)
        + "\n\n# An answer is made an instance of its class by its `object`.\n"
        + "OBJECT_CLASSES.update(\n    {\n"
        + names.replace("    ", "        ", 1).replace(",\n    ", ",\n        ")
        + "    }\n)\n"
    )


# Ruby: lib/vinr/resources.rb


def rb_class(resource: tuple[str, ...]) -> str:
    return "".join(pascal(r) for r in resource)


def rb_method(o: dict) -> str:
    ids = "".join(f"{p}, " for p in o["params"])
    url = o["path"]
    for p in o["params"]:
        url = url.replace("{" + p + "}", "#{path_id(" + p + ")}")
    if o["is_list"]:
        call = f'list_request("{url}", params, opts)'
    else:
        call = f'request("{o["verb"]}", "{url}", params, opts)'
    return (
        f"      # {summary_of(o)}\n"
        f"      def {o['method']}({ids}params = {{}}, **opts)\n"
        f"        {call}\n"
        f"      end\n"
    )


def render_ruby(tree: dict) -> str:
    classes = []
    for resource in sorted(tree, key=lambda r: (-len(r), r)):
        body = []
        for child in children(tree, resource):
            body.append(f"      def {child[-1]}\n        {rb_class(child)}.new(@client)\n      end\n")
        for o in sorted(tree[resource], key=lambda o: o["method"]):
            body.append(rb_method(o))
        classes.append(f"    # {'/'.join(resource)}\n    class {rb_class(resource)} < Base\n" + "\n".join(body) + "    end\n")
    namespaces = "".join(f'      "{r[0]}" => {rb_class(r)},\n' for r in sorted(tree) if len(r) == 1)
    modules = "".join(
        f"  class {n} < ModuleResource\n    RESOURCE = Resources::{rb_class(r)}\n  end\n\n"
        for r, n in module_names(tree).items()
    )
    return (
        "# frozen_string_literal: true\n\n"
        "# Generated by sdks/generate.py from sdks/openapi.json: do not edit.\n\n"
        "module Vinr\n"
        "  module Resources\n"
        + "\n".join(classes)
        + "\n    # The client object's namespaces: `client.payments`, `client.loyalty.points`.\n"
        + "    NAMESPACES = {\n"
        + namespaces
        + "    }.freeze\n"
        + "  end\n\n"
        + "  # The module style's classes: `Vinr::Payment.create(...)`.\n\n"
        + modules.rstrip("\n")
        + "\nend\n"
    )


def main() -> None:
    tree = resource_tree()
    outputs = {
        PYTHON_OUT: render_python(tree),
        PYTHON_OBJECTS_OUT: render_python_objects(),
        RUBY_OUT: render_ruby(tree),
    }
    if "--check" in sys.argv:
        stale = [str(path.relative_to(HERE)) for path, text in outputs.items() if not path.exists() or path.read_text() != text]
        if stale:
            sys.exit(f"stale: {', '.join(stale)}; run `python3 sdks/generate.py` (after `make sdk-openapi`).")
    else:
        for path, text in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main()
