#!/usr/bin/env python3
"""Checks a --json document against the tables of docs/json.md (tests only).

usage: check_json_doc.py DOC VERB DOCUMENT   the document of VERB ("error": the error document)
       check_json_doc.py DOC --verbs          the verbs DOC has a section for, one a line

A document must be an object with exactly the keys VERB's table lists (a key
whose type ends in ", optional" may be absent), each of its type; an object
type ("[package](#package)") is checked against its own table under
"## Objects", recursively. Exit status: 0 matches, 1 does not (each mismatch
printed), 2 cannot check (no section for VERB, unreadable file).
"""
import json
import re
import sys

ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def parse(path):
    """-> (verbs: {name: table}, objects: {name: table}); a table is {key: (type, optional)}."""
    verbs, objects, part, names, base = {}, {}, None, [], {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            part, names = line[3:].strip(), []
        elif line.startswith("### "):
            title = line[4:].strip()
            names = re.findall(r"`([^`]+)`", title) or [title]
            into = verbs if part == "Verbs" else objects
            for n in names:
                into[n] = {}
        elif names and line.startswith("Every key of "):
            m = LINK.search(line)
            for n in names:
                base[n] = m.group(1)
        elif names and (m := ROW.match(line)):
            t = LINK.sub(r"\1", m.group(2))
            optional = t.endswith(", optional")
            t = t.removesuffix(", optional")
            into = verbs if part == "Verbs" else objects
            for n in names:
                into[n][m.group(1)] = (t, optional)
    for n, b in base.items():  # "Every key of [package](#package), and:"
        objects[n] = {**objects[b], **objects[n]}
    return verbs, objects


def check(value, t, objects, where, errors):
    if " or " in t:
        alts = t.split(" or ")
        trial = []
        for a in alts:
            e = []
            check(value, a, objects, where, e)
            if not e:
                return
            trial += e
        errors.append(f"{where}: {json.dumps(value)[:80]} is not {t}")
        return
    if t.startswith("array of "):
        if not isinstance(value, list):
            errors.append(f"{where}: not an array ({json.dumps(value)[:80]})")
            return
        for i, v in enumerate(value):
            check(v, t[len("array of "):], objects, f"{where}[{i}]", errors)
        return
    simple = {"string": str, "boolean": bool, "object": dict}
    if t == "null":
        ok = value is None
    elif t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t in simple:
        ok = isinstance(value, simple[t])
    elif t in objects:
        check_object(value, objects[t], objects, where, errors)
        return
    else:
        errors.append(f"{where}: docs/json.md names type '{t}', which it does not define")
        return
    if not ok:
        errors.append(f"{where}: {json.dumps(value)[:80]} is not {t}")


def check_object(value, table, objects, where, errors):
    if not isinstance(value, dict):
        errors.append(f"{where}: not an object ({json.dumps(value)[:80]})")
        return
    for k in value:
        if k not in table:
            errors.append(f"{where}: key '{k}' is not in docs/json.md")
    for k, (t, optional) in table.items():
        if k in value:
            check(value[k], t, objects, f"{where}.{k}", errors)
        elif not optional:
            errors.append(f"{where}: key '{k}' is missing")


def main():
    if len(sys.argv) == 3 and sys.argv[2] == "--verbs":
        verbs, _ = parse(sys.argv[1])
        print("\n".join(verbs))
        return 0
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    verbs, objects = parse(sys.argv[1])
    verb = sys.argv[2]
    if verb not in verbs:
        print(f"check_json_doc.py: {sys.argv[1]} has no section for verb '{verb}' (add one under '## Verbs')",
              file=sys.stderr)
        return 2
    try:
        doc = json.load(open(sys.argv[3], encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"check_json_doc.py: cannot read {sys.argv[3]}: {e}", file=sys.stderr)
        return 1
    errors = []
    check_object(doc, verbs[verb], objects, verb, errors)
    if not errors and doc.get("schema_version") != 1:
        errors.append(f"{verb}: schema_version is {doc.get('schema_version')!r}, not 1")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
