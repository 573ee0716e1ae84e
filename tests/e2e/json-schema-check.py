#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Validate JSON documents against the subset of JSON Schema that iotflash's
schemas use (type, const, enum, required, properties, additionalProperties,
items, minimum, maximum), with the Python standard library only.

usage: json-schema-check.py SCHEMA [FILE...]   (stdin when no FILE)
Exit 0 when every document validates; errors name the JSON path."""
import json
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {"$schema", "$id", "title", "description", "type", "const", "enum", "required",
         "properties", "additionalProperties", "items", "minimum", "maximum"}


def check(schema, value, path, errors):
    unknown = set(schema) - KNOWN
    if unknown:
        errors.append(f"schema at {path} uses unsupported keywords {sorted(unknown)}")
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(TYPES[n](value) for n in names):
            errors.append(f"{path}: {value!r} is not of type {types}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                check(props[key], item, f"{path}.{key}", errors)
            elif extra is False:
                errors.append(f"{path}: unexpected {key!r}")
            elif isinstance(extra, dict):
                check(extra, item, f"{path}.{key}", errors)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(schema["items"], item, f"{path}[{i}]", errors)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    sources = argv[2:] or ["-"]
    failed = False
    for src in sources:
        try:
            text = sys.stdin.read() if src == "-" else open(src).read()
            doc = json.loads(text)
        except (OSError, ValueError) as e:
            print(f"{src}: not JSON: {e}", file=sys.stderr)
            failed = True
            continue
        errors = []
        check(schema, doc, "$", errors)
        for e in errors:
            print(f"{src}: {e}", file=sys.stderr)
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
