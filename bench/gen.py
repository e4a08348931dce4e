#!/usr/bin/env python3
"""Benchmark data for bench/leaks.sh (deterministic, synthetic tokens only).

    gen.py tree DIR SIZE_MB        a working tree of source-like text files with planted tokens
    gen.py history COMMITS FILES   a `git fast-import` stream on stdout
"""
import random
import sys
import os
import hashlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "trees"))
from ksef_fixture import reference  # noqa: E402  (shared with the fixture generators)

WORDS = ("let mut self fn impl struct return match Some None Ok Err config invoice ksef nip token "
         "client request response amount vat net gross seller buyer date total line item value "
         "string number parse error result async await import from def class const var if else "
         "for while in of new this that await export default module require http url path file").split()


def fake_token(n: int) -> str:
    head = "20260115-EC-%010X-%010X" % (0xB000000000 + n, (0x5EED * (n + 1)) & 0xFFFFFFFFFF)
    ref = reference(head)
    secret = hashlib.sha256(b"bench-fake-%d" % n).hexdigest()
    return "%s|nip-5265877635|%s" % (ref, secret)


def line_pool(rng, count=20000):
    pool = []
    for i in range(count):
        indent = " " * (4 * rng.randint(0, 3))
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14)))
        kind = i % 9
        if kind == 0:
            pool.append('%s// %s\n' % (indent, words))
        elif kind == 1:
            pool.append('%slet %s_%d = "%s";\n' % (indent, rng.choice(WORDS), i, words))
        elif kind == 2:
            # decoys: git SHA-1s, SHA-256 checksums, bare reference numbers
            pool.append('%s"%s": "%s",\n' % (indent, rng.choice(WORDS), hashlib.sha1(b"%d" % i).hexdigest()))
        elif kind == 3:
            pool.append('%ssha256 = "%s"\n' % (indent, hashlib.sha256(b"%d" % i).hexdigest().upper()))
        elif kind == 4:
            pool.append('%sreference = "20250%d10-SO-%010X-%010X-%02X"\n' % (indent, i % 9 + 1, i, i * 7, i % 256))
        else:
            pool.append('%s%s(%s);\n' % (indent, rng.choice(WORDS), words))
    return pool


EXTS = [".rs", ".py", ".js", ".ts", ".json", ".yaml", ".toml", ".md", ".log", ".cs", ".java", ".env"]


def tree(root, size_mb):
    rng = random.Random(42)
    pool = line_pool(rng)
    target = size_mb * 1024 * 1024
    written = 0
    n = 0
    planted = 0
    while written < target:
        d = os.path.join(root, "pkg%03d" % (n % 200), "mod%02d" % (n % 17))
        os.makedirs(d, exist_ok=True)
        lines = [rng.choice(pool) for _ in range(rng.randint(40, 600))]
        if n % 500 == 7:
            lines.insert(rng.randrange(len(lines)), "KSEF_TOKEN=%s\n" % fake_token(planted))
            planted += 1
        data = "".join(lines).encode()
        with open(os.path.join(d, "file%06d%s" % (n, EXTS[n % len(EXTS)])), "wb") as f:
            f.write(data)
        written += len(data)
        n += 1
    hidden = os.path.join(root, ".config")
    os.makedirs(hidden, exist_ok=True)
    with open(os.path.join(hidden, "ksef.env"), "w") as f:
        f.write("KSEF_TOKEN=%s\n" % fake_token(planted))
    sys.stderr.write("tree: %d files, %d MiB, %d planted tokens\n" % (n + 1, written >> 20, planted + 1))


def history(commits, files):
    rng = random.Random(7)
    pool = line_pool(rng)
    out = sys.stdout.buffer
    contents = [[rng.randrange(len(pool)) for _ in range(rng.randint(30, 150))] for _ in range(files)]
    paths = ["src/pkg%02d/mod%02d/file%05d%s" % (i % 40, i % 13, i, EXTS[i % len(EXTS)]) for i in range(files)]
    authors = ["Anna Kowalska <anna@example.com>", "Jan Nowak <jan@example.com>",
               "Ewa Wójcik <ewa@example.com>", "Piotr Zieliński <piotr@example.com>"]
    planted = {}  # file index -> token line to remove later
    tok = 0
    when = 1600000000

    def blob(i):
        body = "".join(pool[j] for j in contents[i]).encode()
        if i in planted:
            body += planted[i].encode()
        return body

    for c in range(commits):
        when += rng.randint(60, 4000)
        author = authors[c % len(authors)]
        msg = "change %d: %s\n" % (c, " ".join(rng.choice(WORDS) for _ in range(6)))
        if c % 5000 == 4999:
            msg += "\ntemporary token %s\n" % fake_token(10000 + tok)
            tok += 1
        changes = []
        if c < files // 25:
            # the first commits add all files, 25 at a time
            changes = list(range(c * 25, min(files, c * 25 + 25)))
        else:
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(files)
                lines = contents[i]
                for _ in range(rng.randint(1, 4)):
                    lines[rng.randrange(len(lines))] = rng.randrange(len(pool))
                if rng.random() < 0.2:
                    lines.insert(rng.randrange(len(lines)), rng.randrange(len(pool)))
                changes.append(i)
            if c % 1000 == 500:
                i = changes[0]
                planted[i] = "KSEF_TOKEN=%s\n" % fake_token(tok)
                tok += 1
            elif c % 1000 == 510 and planted:
                i = next(iter(planted))
                del planted[i]
                changes.append(i)
        out.write(b"commit refs/heads/main\n")
        out.write(b"mark :%d\n" % (c + 1))
        out.write(("author %s %d +0100\ncommitter %s %d +0100\n" % (author, when, author, when)).encode())
        m = msg.encode()
        out.write(b"data %d\n" % len(m) + m)
        if c > 0:
            out.write(b"from :%d\n" % c)
        for i in changes:
            b = blob(i)
            out.write(b"M 100644 inline %s\ndata %d\n" % (paths[i].encode(), len(b)))
            out.write(b)
            out.write(b"\n")
        out.write(b"\n")
    sys.stderr.write("history: %d commits, %d files, %d planted tokens\n" % (commits, files, tok))


if __name__ == "__main__":
    if sys.argv[1] == "tree":
        tree(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "history":
        history(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "token":
        print(fake_token(int(sys.argv[2])))
    else:
        sys.exit(__doc__)
