#!/usr/bin/env python3
"""Turns web/openapi.yaml into a C++ source that serves it as JSON.

Run by the build (web/CMakeLists.txt):  openapi_embed.py IN.yaml OUT.cpp
The YAML must load (PyYAML, Debian's python3-yaml), be an OpenAPI 3 document
with info and paths, and every $ref inside it must name a component that
exists: a broken description fails the build instead of being served.
The output defines quire::web::openapi_json() (compact JSON, key order as
written) and openapi_etag() (a strong ETag: the first 128 bits of the
JSON's SHA-256).
"""
import hashlib
import json
import sys

import yaml


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: openapi_embed.py IN.yaml OUT.cpp")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        sys.exit("%s: not an OpenAPI 3 document" % sys.argv[1])
    for key in ("info", "paths"):
        if not isinstance(doc.get(key), dict):
            sys.exit("%s: no %s" % (sys.argv[1], key))
    broken = sorted({r for r in refs(doc) if not resolve(doc, r)})
    if broken:
        sys.exit("%s: $ref to nothing: %s" % (sys.argv[1], ", ".join(broken)))
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    delimiter = "quire_openapi"
    if (")" + delimiter + '"') in text:
        sys.exit("the JSON holds the raw-string delimiter")
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'
    # Split the literal: compilers cap the length of one string literal's piece.
    pieces = [text[i:i + 8000] for i in range(0, len(text), 8000)]
    body = "\n".join('R"%s(%s)%s"' % (delimiter, p, delimiter) for p in pieces)
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write("// Generated from web/openapi.yaml by web/openapi_embed.py: do not edit.\n")
        out.write('#include "web/openapi.hpp"\n\nnamespace quire::web {\n\n')
        out.write("namespace {\nconstexpr char json_text[] =\n%s;\n}  // namespace\n\n" % body)
        out.write("std::string_view openapi_json() { return {json_text, sizeof json_text - 1}; }\n")
        out.write('std::string_view openapi_etag() { return %s; }\n' % json.dumps(etag))
        out.write("\n}  // namespace quire::web\n")


if __name__ == "__main__":
    main()
