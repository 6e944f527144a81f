#!/usr/bin/env python3
"""Host test of arch/x86_64/unistd_64.h: every X(name, number) line must give the number the
host's Linux headers give __NR_name, so a static Linux program calls what it means to.

Prints TAP; exit status 1 when a line disagrees or the host header is missing.
"""
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
OURS = os.path.join(REPO, "arch/x86_64/unistd_64.h")
HOST = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"


def numbers(path, pattern):
    with open(path) as f:
        return {m.group(1): int(m.group(2)) for m in re.finditer(pattern, f.read())}


def main():
    if not os.path.exists(HOST):
        print(f"1..0 # SKIP {HOST} missing (Debian's linux-libc-dev)")
        return 0
    ours = numbers(OURS, r"X\((\w+), (\d+)\)")
    host = numbers(HOST, r"#define __NR_(\w+) (\d+)")
    bad = 0
    for i, (name, nr) in enumerate(sorted(ours.items(), key=lambda kv: kv[1]), 1):
        ok = host.get(name) == nr
        bad += not ok
        print(f"{'ok' if ok else 'not ok'} {i} - {name} is {nr}"
              + ("" if ok else f" (host says {host.get(name)})"))
    print(f"1..{len(ours)}")
    return 1 if bad or len(ours) < 300 else 0


if __name__ == "__main__":
    sys.exit(main())
