#!/usr/bin/env python3
"""Cut a subset of the KSeF OpenAPI contract: the given operations and every schema
they reference.

usage: scripts/contract-subset.py FULL_OPENAPI_JSON OUT_JSON NOTE PATH...
"""
import json
import re
import sys


def main() -> None:
    full_path, out_path, note, *paths = sys.argv[1:]
    with open(full_path, encoding="utf-8") as f:
        full = json.load(f)
    schemas = full["components"]["schemas"]
    subset_paths = {p: full["paths"][p] for p in paths}
    wanted, todo = set(), re.findall(r"#/components/schemas/(\w+)", json.dumps(subset_paths))
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(re.findall(r"#/components/schemas/(\w+)", json.dumps(schemas[name])))
    out = {
        "openapi": full["openapi"],
        "info": {"title": full["info"]["title"], "version": full["info"]["version"], "x-note": note},
        "paths": subset_paths,
        "components": {"schemas": {n: schemas[n] for n in sorted(wanted)}},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
