#!/usr/bin/env python3
"""What each crate (and each mufakat-core module) costs in a wasm file: the size of every
function body in the code section, grouped by the crate its (mangled) name starts with, plus
the data section. Reads the name section, so run it on the wasm Cargo writes, before wasm-opt
strips the names: target/wasm32-unknown-unknown/wasm-release/mufakat-app.wasm (wasm-opt then
shrinks the total by about a fifth, roughly evenly).

    scripts/wasm-sizes.py target/wasm32-unknown-unknown/wasm-release/mufakat-app.wasm [top]
"""
import re
import sys
from collections import Counter


def leb(buf, i):
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def sections(buf):
    assert buf[:4] == b"\0asm", "not a wasm file"
    i = 8
    while i < len(buf):
        sid = buf[i]
        size, j = leb(buf, i + 1)
        yield sid, buf[j : j + size]
        i = j + size


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    buf = open(path, "rb").read()
    imported = 0
    bodies = []
    names = {}
    data = 0
    for sid, body in sections(buf):
        if sid == 2:  # imports: function imports take the first indices
            n, i = leb(body, 0)
            for _ in range(n):
                for _ in range(2):
                    ln, i = leb(body, i)
                    i += ln
                kind = body[i]
                i += 1
                if kind == 0:
                    _, i = leb(body, i)
                    imported += 1
                elif kind == 1:
                    i += 1
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 2:
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 3:
                    i += 2
        elif sid == 10:
            n, i = leb(body, 0)
            for _ in range(n):
                size, i = leb(body, i)
                bodies.append(size)
                i += size
        elif sid == 11:
            data = len(body)
        elif sid == 0:
            ln, i = leb(body, 0)
            if body[i : i + ln] != b"name":
                continue
            i += ln
            while i < len(body):
                sub = body[i]
                size, i = leb(body, i + 1)
                end = i + size
                if sub == 1:
                    n, i = leb(body, i)
                    for _ in range(n):
                        idx, i = leb(body, i)
                        ln, i = leb(body, i)
                        names[idx] = body[i : i + ln].decode("utf-8", "replace")
                        i += ln
                i = end
    by_crate = Counter()
    by_part = Counter()
    for k, size in enumerate(bodies):
        name = path_of(names.get(imported + k, "?"))
        by_crate[name.split("::")[0]] += size
        by_part[part_of(name)] += size
    total = sum(bodies) + data
    print(f"{path}: {len(buf):,} B; code {sum(bodies):,} B in {len(bodies):,} functions, data {data:,} B")
    print("by the crate a function is defined in (generic code counts where it is defined):")
    for crate, size in by_crate.most_common(top):
        print(f"  {size:>9,} B {100 * size / total:5.1f}%  {crate}")
    print("by the part of our code a function is for (any mention of one of our modules in its")
    print("name, generic instantiations included; the rest by crate):")
    for part, size in by_part.most_common(top):
        print(f"  {size:>9,} B {100 * size / total:5.1f}%  {part}")


def path_of(name):
    """A symbol as `a::b::c<...>`: legacy `_ZN` mangling decoded, `..` read as `::`."""
    m = re.match(r"_ZN(.*)E$", name)
    if m:
        parts = []
        rest = m.group(1)
        while rest and rest[0].isdigit():
            n = re.match(r"\d+", rest).group(0)
            parts.append(rest[len(n) : len(n) + int(n)])
            rest = rest[len(n) + int(n) :]
        name = "::".join(p for p in parts if not re.fullmatch(r"h[0-9a-f]{16}", p))
    name = name.replace("..", "::").replace("$LT$", "<").replace("$GT$", ">")
    return re.sub(r"^[<_$A-Z\d]*", "", name) or "?"


PART = re.compile(
    r"mufakat_app::(pages::participant::\w+|pages::\w+|components::\w+|client::\w+|\w+)"
    r"|mufakat_core::(\w+)"
)


def part_of(name):
    m = PART.search(name)
    if not m:
        return "(other) " + name.split("::")[0]
    return f"mufakat_app::{m.group(1)}" if m.group(1) else f"mufakat_core::{m.group(2)}"


if __name__ == "__main__":
    main()
