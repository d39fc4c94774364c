#!/usr/bin/env python3
"""Checks an SPDX 2.3 JSON document against the SPDX 2.3 specification (tests only).

usage: check_spdx23.py [--license-ids SCHEMA] DOCUMENT

The published SPDX 2.3 JSON schema is in no package registry the tests can
reach, so these rules are written from the specification's text: clause 6
(document creation information), 7 (packages), 11 (relationships), Annex D
(license expressions) and Annex F (external references), for the fields yumda
writes. Fields the specification does not define are reported; files and
snippets are checked only for their SPDXIDs. With --license-ids SCHEMA (a
JSON schema whose "enum" is the SPDX license list, as CycloneDX's
spdx.schema.json is), license and exception ids in expressions must be on that
list (case-insensitively, as Annex D says); without it only their form is checked.
Exit status: 0 valid, 1 invalid (each violation printed), 2 cannot check.
"""
import datetime
import re
import sys

from validate_json_schema import load  # its JSON reader; it needs no jsonschema for that

ME = "check_spdx23.py"

# Clause 6.
DOCUMENT_FIELDS = {
    "spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "externalDocumentRefs",
    "creationInfo", "comment", "packages", "files", "snippets", "relationships",
    "hasExtractedLicensingInfos", "annotations", "documentDescribes", "revieweds"}
CREATION_FIELDS = {"created", "creators", "licenseListVersion", "comment"}
# Clause 7.
PACKAGE_FIELDS = {
    "SPDXID", "name", "versionInfo", "packageFileName", "supplier", "originator", "downloadLocation",
    "filesAnalyzed", "packageVerificationCode", "checksums", "homepage", "sourceInfo",
    "licenseConcluded", "licenseInfoFromFiles", "licenseDeclared", "licenseComments", "copyrightText",
    "summary", "description", "comment", "externalRefs", "attributionTexts", "primaryPackagePurpose",
    "releaseDate", "builtDate", "validUntilDate", "annotations", "hasFiles"}
PURPOSES = {"APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "OPERATING-SYSTEM", "DEVICE",
            "FIRMWARE", "SOURCE", "ARCHIVE", "FILE", "INSTALL", "OTHER"}
# Clause 7.10: each algorithm and its digest length in hex digits (min, max).
CHECKSUM_HEX = {
    "SHA1": (40, 40), "SHA224": (56, 56), "SHA256": (64, 64), "SHA384": (96, 96), "SHA512": (128, 128),
    "SHA3-256": (64, 64), "SHA3-384": (96, 96), "SHA3-512": (128, 128),
    "BLAKE2b-256": (64, 64), "BLAKE2b-384": (96, 96), "BLAKE2b-512": (128, 128),
    "BLAKE3": (64, None),  # 256 bits or more
    "MD2": (32, 32), "MD4": (32, 32), "MD5": (32, 32),
    "MD6": (1, 128),  # up to 512 bits
    "ADLER32": (8, 8)}
# Annex F; the JSON form also has the underscore spellings.
REF_CATEGORIES = {"SECURITY", "PACKAGE-MANAGER", "PACKAGE_MANAGER", "PERSISTENT-ID", "PERSISTENT_ID", "OTHER"}
# Clause 11.1.
RELATIONSHIP_TYPES = {
    "DESCRIBES", "DESCRIBED_BY", "CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF",
    "DEPENDENCY_MANIFEST_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF", "EXAMPLE_OF", "GENERATES",
    "GENERATED_FROM", "ANCESTOR_OF", "DESCENDANT_OF", "VARIANT_OF", "DISTRIBUTION_ARTIFACT", "PATCH_FOR",
    "PATCH_APPLIED", "COPY_OF", "FILE_ADDED", "FILE_DELETED", "FILE_MODIFIED", "EXPANDED_FROM_ARCHIVE",
    "DYNAMIC_LINK", "STATIC_LINK", "DATA_FILE_OF", "TEST_CASE_OF", "BUILD_TOOL_OF", "DEV_TOOL_OF",
    "TEST_OF", "TEST_TOOL_OF", "DOCUMENTATION_OF", "OPTIONAL_COMPONENT_OF", "METAFILE_OF", "PACKAGE_OF",
    "AMENDS", "PREREQUISITE_FOR", "HAS_PREREQUISITE", "REQUIREMENT_DESCRIPTION_FOR",
    "SPECIFICATION_FOR", "OTHER"}

IDSTRING = r"[A-Za-z0-9.-]+"
SPDXID = re.compile(rf"^SPDXRef-{IDSTRING}$")
DOCUMENT_REF = re.compile(rf"^DocumentRef-{IDSTRING}$")
LICENSE_REF = re.compile(rf"^(?:DocumentRef-{IDSTRING}:)?LicenseRef-{IDSTRING}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # clause 6.9: YYYY-MM-DDThh:mm:ssZ
AGENT = re.compile(r"^(Person|Organization): \S")
SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*"
# RFC 3986 characters outside the authority: unreserved, sub-delims, ":@/?" and %XX.
URI_CHARS = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})"
# The purl spec: pkg:type/[namespace/]name[@version][?qualifiers][#subpath], no spaces.
PURL = re.compile(r"^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/(?:[^/?#@\s]+/)*[^/?#@\s]+(?:@[^?#\s]+)?"
                  r"(?:\?[A-Za-z.\-_][A-Za-z0-9.\-_]*=[^&#\s]+(?:&[A-Za-z.\-_][A-Za-z0-9.\-_]*=[^&#\s]+)*)?"
                  r"(?:#\S+)?$")


def absolute_uri(value, fragment_allowed=True):
    """RFC 3986 absolute URI: scheme ":" hier-part ["?" query] ["#" fragment]."""
    if not isinstance(value, str):
        return False
    m = re.match(rf"^{SCHEME}:(//([^/?#]*))?(.*)$", value, re.S)
    if not m:
        return False
    rest = m.group(3)
    if fragment_allowed and "#" in rest:
        rest = rest.replace("#", "", 1)
    # The authority may also hold an IP literal in [ ].
    authority_ok = m.group(2) is None or re.match(rf"^(?:{URI_CHARS}|[\[\]])*$", m.group(2))
    return bool(authority_ok and re.match(rf"^{URI_CHARS}*$", rest))


def is_date(value):
    if not isinstance(value, str) or not DATE.match(value):
        return False
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # month 13, day 32, ... are not dates
    except ValueError:
        return False
    return True


class Checker:
    def __init__(self, doc, license_ids):
        self.doc = doc
        self.license_ids = license_ids  # lower-cased ids, or None: only the form is checked
        self.errors = []
        self.element_ids = set()
        self.extracted = set()

    def bad(self, where, message):
        self.errors.append(f"{where}: {message}")

    def string(self, obj, key, where, required=False):
        """OBJ[KEY] when it is a non-empty string; reports a missing or other value."""
        if key not in obj:
            if required:
                self.bad(where, f"{key} is required")
            return None
        v = obj[key]
        if not isinstance(v, str) or not v:
            self.bad(f"{where}.{key}", f"must be a non-empty string, not {v!r}")
            return None
        return v

    def fields(self, obj, known, where):
        for k in obj:
            if k not in known:
                self.bad(f"{where}.{k}", "is not an SPDX 2.3 field here")

    def objects(self, obj, key, where):
        """The list OBJ[KEY] of objects with where-paths; reports other shapes."""
        v = obj.get(key, [])
        if not isinstance(v, list):
            self.bad(f"{where}.{key}", "must be an array")
            return []
        out = []
        for i, item in enumerate(v):
            if isinstance(item, dict):
                out.append((f"{where}.{key}[{i}]", item))
            else:
                self.bad(f"{where}.{key}[{i}]", "must be an object")
        return out

    def element_id(self, obj, where):
        v = self.string(obj, "SPDXID", where, required=True)
        if v is None:
            return
        if not SPDXID.match(v):
            self.bad(f"{where}.SPDXID", f"{v!r} is not SPDXRef- followed by letters, digits, '.' or '-'")
        elif v in self.element_ids:
            self.bad(f"{where}.SPDXID", f"{v!r} is used twice")
        self.element_ids.add(v)

    def check(self):
        d = self.doc
        if not isinstance(d, dict):
            self.bad("$", "an SPDX document is a JSON object")
            return
        self.fields(d, DOCUMENT_FIELDS, "$")
        if d.get("spdxVersion") != "SPDX-2.3":
            self.bad("$.spdxVersion", f"must be \"SPDX-2.3\", not {d.get('spdxVersion')!r}")
        if d.get("dataLicense") != "CC0-1.0":
            self.bad("$.dataLicense", f"must be \"CC0-1.0\", not {d.get('dataLicense')!r}")
        if d.get("SPDXID") != "SPDXRef-DOCUMENT":
            self.bad("$.SPDXID", f"must be \"SPDXRef-DOCUMENT\", not {d.get('SPDXID')!r}")
        self.element_ids.add("SPDXRef-DOCUMENT")
        self.string(d, "name", "$", required=True)
        ns = self.string(d, "documentNamespace", "$", required=True)
        if ns is not None and not absolute_uri(ns, fragment_allowed=False):
            self.bad("$.documentNamespace", f"{ns!r} is not an absolute URI without '#'")
        self.creation_info(d.get("creationInfo"))

        doc_refs = set()
        for where, r in self.objects(d, "externalDocumentRefs", "$"):
            ref = self.string(r, "externalDocumentId", where, required=True)
            if ref is not None and not DOCUMENT_REF.match(ref):
                self.bad(f"{where}.externalDocumentId", f"{ref!r} is not DocumentRef-idstring")
            doc_refs.add(ref)
            if not absolute_uri(r.get("spdxDocument"), fragment_allowed=False):
                self.bad(f"{where}.spdxDocument", "must be the other document's namespace URI")
            self.checksum(r.get("checksum"), f"{where}.checksum")
        for where, e in self.objects(d, "hasExtractedLicensingInfos", "$"):
            lid = self.string(e, "licenseId", where, required=True)
            if lid is not None and not re.match(rf"^LicenseRef-{IDSTRING}$", lid):
                self.bad(f"{where}.licenseId", f"{lid!r} is not LicenseRef-idstring")
            self.string(e, "extractedText", where, required=True)
            self.extracted.add(lid)

        packages = self.objects(d, "packages", "$")
        for where, e in self.objects(d, "files", "$") + self.objects(d, "snippets", "$"):
            self.element_id(e, where)
        for where, p in packages:
            self.element_id(p, where)
        for where, p in packages:
            self.package(p, where)
        for where, r in self.objects(d, "relationships", "$"):
            self.relationship(r, where, doc_refs)
        described = d.get("documentDescribes", [])
        for i, e in enumerate(described if isinstance(described, list) else [described]):
            if e not in self.element_ids:
                self.bad(f"$.documentDescribes[{i}]", f"{e!r} is no element of this document")

    def creation_info(self, ci):
        if not isinstance(ci, dict):
            self.bad("$.creationInfo", "is required (an object with created and creators)")
            return
        self.fields(ci, CREATION_FIELDS, "$.creationInfo")
        if not is_date(ci.get("created")):
            self.bad("$.creationInfo.created", f"{ci.get('created')!r} is not a UTC time YYYY-MM-DDThh:mm:ssZ")
        creators = ci.get("creators")
        if not isinstance(creators, list) or not creators:
            self.bad("$.creationInfo.creators", "must list at least one creator")
        else:
            for i, c in enumerate(creators):
                if not isinstance(c, str) or not re.match(r"^(Tool|Organization|Person): \S", c):
                    self.bad(f"$.creationInfo.creators[{i}]", f"{c!r} is not \"Tool: \", \"Organization: \" "
                             "or \"Person: \" followed by a name")
        llv = ci.get("licenseListVersion")
        if llv is not None and not (isinstance(llv, str) and re.match(r"^\d+\.\d+$", llv)):
            self.bad("$.creationInfo.licenseListVersion", f"{llv!r} is not M.N")

    def checksum(self, c, where):
        if not isinstance(c, dict):
            self.bad(where, "must be an object with algorithm and checksumValue")
            return
        self.fields(c, {"algorithm", "checksumValue"}, where)
        alg, value = c.get("algorithm"), c.get("checksumValue")
        if alg not in CHECKSUM_HEX:
            self.bad(f"{where}.algorithm", f"{alg!r} is not one of {', '.join(CHECKSUM_HEX)}")
            return
        lo, hi = CHECKSUM_HEX[alg]
        if not (isinstance(value, str) and re.match(r"^[0-9a-f]+$", value) and lo <= len(value)
                and (hi is None or len(value) <= hi)):
            size = f"{lo}" if lo == hi else f"{lo} or more" if hi is None else f"{lo} to {hi}"
            self.bad(f"{where}.checksumValue", f"{value!r} is not {size} lower-case hex digits ({alg})")

    def agent(self, p, key, where):
        v = self.string(p, key, where)
        if v is not None and v != "NOASSERTION" and not AGENT.match(v):
            self.bad(f"{where}.{key}", f"{v!r} is not NOASSERTION, \"Person: ...\" or \"Organization: ...\"")

    def package(self, p, where):
        self.fields(p, PACKAGE_FIELDS, where)
        self.string(p, "name", where, required=True)
        for key in ("versionInfo", "packageFileName", "sourceInfo", "licenseComments", "copyrightText",
                    "summary", "description", "comment"):
            self.string(p, key, where)
        self.agent(p, "supplier", where)
        self.agent(p, "originator", where)
        dl = self.string(p, "downloadLocation", where, required=True)
        # A URL or a VCS location (git+https://...): both have a URI's form.
        if dl is not None and dl not in ("NONE", "NOASSERTION") and not absolute_uri(dl):
            self.bad(f"{where}.downloadLocation", f"{dl!r} is not NONE, NOASSERTION or a URI")
        hp = self.string(p, "homepage", where)
        if hp is not None and hp not in ("NONE", "NOASSERTION") and not absolute_uri(hp):
            self.bad(f"{where}.homepage", f"{hp!r} is not NONE, NOASSERTION or a URI")
        analyzed = p.get("filesAnalyzed", True)
        if not isinstance(analyzed, bool):
            self.bad(f"{where}.filesAnalyzed", f"must be true or false, not {analyzed!r}")
        elif not analyzed:
            # Clause 7.8: such a package has no files, so nothing computed from them.
            for key in ("packageVerificationCode", "licenseInfoFromFiles", "hasFiles"):
                if p.get(key):
                    self.bad(f"{where}.{key}", "must be left out when filesAnalyzed is false")
        checksums = p.get("checksums", [])
        if not isinstance(checksums, list):
            self.bad(f"{where}.checksums", "must be an array")
            checksums = []
        for i, c in enumerate(checksums):
            self.checksum(c, f"{where}.checksums[{i}]")
        for key in ("licenseConcluded", "licenseDeclared"):
            v = self.string(p, key, where)
            if v is not None and v not in ("NONE", "NOASSERTION"):
                for problem in self.license_expression(v):
                    self.bad(f"{where}.{key}", f"{v!r}: {problem}")
        for key in ("releaseDate", "builtDate", "validUntilDate"):
            if key in p and not is_date(p[key]):
                self.bad(f"{where}.{key}", f"{p[key]!r} is not a UTC time YYYY-MM-DDThh:mm:ssZ")
        purpose = p.get("primaryPackagePurpose")
        if purpose is not None and purpose not in PURPOSES:
            self.bad(f"{where}.primaryPackagePurpose", f"{purpose!r} is not one of {', '.join(sorted(PURPOSES))}")
        for rw, r in self.objects(p, "externalRefs", where):
            self.external_ref(r, rw)

    def external_ref(self, r, where):
        self.fields(r, {"referenceCategory", "referenceType", "referenceLocator", "comment"}, where)
        cat = r.get("referenceCategory")
        if cat not in REF_CATEGORIES:
            self.bad(f"{where}.referenceCategory", f"{cat!r} is not one of {', '.join(sorted(REF_CATEGORIES))}")
        rtype = self.string(r, "referenceType", where, required=True)
        loc = self.string(r, "referenceLocator", where, required=True)
        if loc is not None and re.search(r"\s", loc):
            self.bad(f"{where}.referenceLocator", f"{loc!r} contains white space")
        if rtype == "purl":
            if cat not in ("PACKAGE-MANAGER", "PACKAGE_MANAGER"):
                self.bad(f"{where}.referenceCategory", f"a purl is in category PACKAGE-MANAGER, not {cat!r}")
            if loc is not None and not PURL.match(loc):
                self.bad(f"{where}.referenceLocator", f"{loc!r} is not a package URL (pkg:type/name@version...)")

    def relationship(self, r, where, doc_refs):
        self.fields(r, {"spdxElementId", "relationshipType", "relatedSpdxElement", "comment"}, where)
        rt = r.get("relationshipType")
        if rt not in RELATIONSHIP_TYPES:
            self.bad(f"{where}.relationshipType", f"{rt!r} is not an SPDX 2.3 relationship type")
        for key, keywords in (("spdxElementId", ()), ("relatedSpdxElement", ("NONE", "NOASSERTION"))):
            v = self.string(r, key, where, required=True)
            if v is None or v in keywords or v in self.element_ids:
                continue
            ext = re.match(rf"^(DocumentRef-{IDSTRING}):SPDXRef-{IDSTRING}$", v)
            if not (ext and ext.group(1) in doc_refs):
                self.bad(f"{where}.{key}", f"{v!r} is no element of this document")

    def license_expression(self, text):
        """Annex D: the problems of TEXT as a license expression (none: valid)."""
        tokens = re.findall(r"\(|\)|[^\s()]+", text)
        pos = 0
        problems = []

        def peek():
            return tokens[pos] if pos < len(tokens) else None

        def take():
            nonlocal pos
            pos += 1
            return tokens[pos - 1]

        def known(token, what):
            if self.license_ids is not None and token.lower() not in self.license_ids:
                problems.append(f"{token!r} is not on the SPDX license list ({what})")

        def simple():
            t = peek()
            if t is None or t in ("AND", "OR", "WITH", ")"):
                problems.append(f"a license id is missing{' before ' + repr(t) if t else ' at the end'}")
                return  # T is left for the caller, which knows what it means there
            take()
            if t.startswith(("LicenseRef-", "DocumentRef-")):
                if not LICENSE_REF.match(t):
                    problems.append(f"{t!r} is not [DocumentRef-idstring:]LicenseRef-idstring")
                elif t.startswith("LicenseRef-") and t not in self.extracted:
                    problems.append(f"{t!r} is not defined in hasExtractedLicensingInfos")
            elif re.match(rf"^{IDSTRING}\+?$", t):
                known(t.rstrip("+"), "license")
            else:
                problems.append(f"{t!r} is not a license id (letters, digits, '.', '-', optional '+')")
            if peek() == "WITH":
                take()
                e = take() if peek() is not None else None
                if e is None:
                    problems.append("WITH needs an exception id after it")
                elif e in ("AND", "OR", "WITH") or not re.match(rf"^{IDSTRING}$", e):
                    problems.append(f"WITH needs an exception id, not {e!r}")
                else:
                    known(e, "exception")

        def term():
            if peek() == "(":
                take()
                expression()
                if peek() != ")":
                    problems.append("a '(' is not closed")
                else:
                    take()
            else:
                simple()

        def expression():
            term()
            while peek() in ("AND", "OR"):
                take()
                term()

        expression()
        if pos < len(tokens):
            problems.append(f"unexpected {tokens[pos]!r} (the operators are AND, OR and WITH, upper case)")
        return problems


def main(argv):
    args = argv[1:]
    license_ids = None
    if len(args) == 3 and args[0] == "--license-ids":
        enum = load(args[1]).get("enum")
        if not isinstance(enum, list) or not enum:
            print(f"{ME}: {args[1]} has no \"enum\" list of SPDX license ids", file=sys.stderr)
            return 2
        license_ids = {str(i).lower() for i in enum}
        args = args[2:]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path = args[0]
    checker = Checker(load(path), license_ids)
    checker.check()
    for e in checker.errors:
        print(f"{path}: {e}", file=sys.stderr)
    if checker.errors:
        print(f"{path}: {len(checker.errors)} violation(s) of the SPDX 2.3 specification", file=sys.stderr)
        return 1
    listed = "license ids on the SPDX license list" if license_ids else "license ids checked for form only"
    print(f"{path}: follows the SPDX 2.3 rules checked ({listed})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
