#!/usr/bin/env python3
"""Validates a JSON document against a JSON schema on disk, offline (tests only).

usage: validate_json_schema.py SCHEMA DOCUMENT

Every *.json file in SCHEMA's directory is served by its "$id", so the
CycloneDX schema's $refs to spdx.schema.json and jsf-0.82.schema.json resolve
to the published copies beside it (tests/fetch_sbom_schemas.sh puts them
there); any other $ref is an error, never a download.
Exit status: 0 valid, 1 invalid (each violation printed), 2 cannot validate.
Works with Debian 12's python3-jsonschema (4.10) and newer releases.
"""
import datetime
import glob
import json
import os
import re
import sys
import warnings

# Newer jsonschema deprecates RefResolver in favour of `referencing`; 4.10 has
# only RefResolver, and it still works in both.
warnings.filterwarnings("ignore", category=DeprecationWarning)

try:
    import jsonschema
    from jsonschema.validators import validator_for
except ImportError:
    jsonschema = None  # main() says so; load() serves check_spdx23.py without it


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"{os.path.basename(sys.argv[0])}: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)


def refuse_remote(uri):
    raise jsonschema.RefResolutionError(
        f"$ref {uri} is not among the schema files beside SCHEMA (no network fetches); "
        "put the published file there")


def where(error):
    path = "$"
    for p in error.absolute_path:
        path += f"[{p}]" if isinstance(p, int) else f".{p}"
    return path


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker(cls):
    base = getattr(cls, "FORMAT_CHECKER", None)
    # A copy, so adding a check below leaves jsonschema's own checker alone.
    checker = jsonschema.FormatChecker(formats=list(base.checkers) if base else None)
    if "date-time" not in checker.checkers:
        # Debian 12 has no rfc3339-validator, so jsonschema skips date-time.
        @checker.checks("date-time", raises=ValueError)
        def is_date_time(value):
            if not isinstance(value, str):
                return True
            if not RFC3339.match(value):
                return False
            datetime.datetime.fromisoformat(value[:19])  # month 13, day 32, ... raise
            return True
    unchecked = [f for f in ("date-time", "iri-reference", "uri") if f not in checker.checkers]
    if unchecked:
        print(f"note: formats not checked (python modules missing; install python3-rfc3987): "
              f"{', '.join(unchecked)}", file=sys.stderr)
    return checker


def leaves(error):
    for c in error.context or []:
        if c.context:
            yield from leaves(c)
        else:
            yield c


def short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if jsonschema is None:
        print("validate_json_schema.py: python module jsonschema is missing; "
              "install python3-jsonschema (scripts/install-deps)", file=sys.stderr)
        return 2
    schema_path, doc_path = argv[1], argv[2]
    schema = load(schema_path)
    doc = load(doc_path)

    store = {}
    for f in glob.glob(os.path.join(os.path.dirname(os.path.abspath(schema_path)), "*.json")):
        s = load(f)
        if isinstance(s, dict) and "$id" in s:
            store[s["$id"]] = s

    cls = validator_for(schema, default=None)
    if cls is None:
        print(f"validate_json_schema.py: {schema_path}: unknown $schema {schema.get('$schema')!r}",
              file=sys.stderr)
        return 2
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"validate_json_schema.py: {schema_path} is not a valid schema: {e.message}", file=sys.stderr)
        return 2
    resolver = jsonschema.RefResolver.from_schema(
        schema, store=store, handlers={"http": refuse_remote, "https": refuse_remote, "file": refuse_remote})
    checker = format_checker(cls)
    validator = cls(schema, resolver=resolver, format_checker=checker)

    try:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    except jsonschema.RefResolutionError as e:
        print(f"validate_json_schema.py: {schema_path}: {e}", file=sys.stderr)
        return 2
    for e in errors:
        print(f"{doc_path}: {where(e)}: {short(e.message)}", file=sys.stderr)
        # oneOf/anyOf failures: the deepest failures inside the branches are
        # usually the real cause.
        causes = []
        for leaf in sorted(leaves(e), key=lambda x: -len(x.absolute_path)):
            line = f"    because {where(leaf)}: {short(leaf.message)}"
            if line not in causes:
                causes.append(line)
        for line in causes[:3]:
            print(line, file=sys.stderr)
    if errors:
        print(f"{doc_path}: {len(errors)} violation(s) of {schema_path}", file=sys.stderr)
        return 1
    print(f"{doc_path}: valid against {os.path.basename(schema_path)} ({cls.__name__})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
