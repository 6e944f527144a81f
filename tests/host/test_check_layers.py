#!/usr/bin/env python3
"""Host test of tools/check-layers: a small tree that keeps every rule, then one broken rule at a
time, each of which the tool must report (and only that one).

The Makefile links it as BUILD/host/test_check_layers, so tests/run-tests runs it with the other
host tests. It prints TAP: a line per check, the plan last, exit status 1 when a check failed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
TOOL = os.path.join(REPO, "tools/check-layers")

# A tree that keeps the rules: a mechanism, its command in cmd/, a row of Linux's names.
CLEAN = {
    "lib/list.h": "#ifndef L\n#define L\n#endif\n",
    "kernel/locking/spinlock.h": '#include "lib/list.h"\n',
    "mm/rmap.h": '#include "kernel/locking/spinlock.h"\n',
    "mm/rmap.c": '#include "mm/rmap.h"\n\nint page_mkclean(struct page *page)\n{\n\treturn 0;\n}\n',
    "mm/cmd/rmap_cmd.c": '#include "mm/rmap.h"\nSHELL_COMMAND("rmap", "", "x", fn);\n',
    "mm/bench/bench_rmap.c": 'BENCHMARK(rmap, "x", 1, v);\n',
    "kernel/shell/builtins.c": 'SHELL_COMMAND("help", "", "x", fn);\n',
    "docs/layers.md": "| Linux | Linux's file | ours |\n|---|---|---|\n"
                      "| `page_mkclean` | mm/rmap.c | mm/rmap.c |\n",
}

# Each broken tree: (what it breaks, {path: text appended}, what the report must mention).
BROKEN = [
    ("an upward include", {"mm/rmap.h": '#include "fs/fs.h"\n', "fs/fs.h": ""},
     "mm/ must not include fs/"),
    ("a shell command in a mechanism file", {"mm/rmap.c": 'SHELL_COMMAND("x", "", "x", f);\n'},
     "belongs in a cmd/"),
    ("a benchmark in cmd/", {"mm/cmd/rmap_cmd.c": 'LATENCY_BENCHMARK(x, "x", 1, v);\n'},
     "belongs in a bench/ folder"),
    ("a torture outside torture/", {"mm/bench/bench_rmap.c": 'TORTURE("x", "", "x", f);\n'},
     "belongs in a torture/ folder"),
    ("a mechanism including tool code", {"mm/rmap.c": '#include "mm/cmd/x.h"\n', "mm/cmd/x.h": ""},
     "is tool code"),
    ("a grab-bag folder", {"mm/utils/x.c": ""}, "utils/ says nothing"),
    ("headers in a circle", {"lib/list.h": '#include "lib/other.h"\n',
                             "lib/other.h": '#include "lib/list.h"\n'}, "in a circle"),
    ("a Linux name not where the table says",
     {"docs/layers.md": "| `do_wp_page` | mm/memory.c | mm/rmap.c |\n"},
     "do_wp_page is not defined in mm/rmap.c"),
    ("a table row naming a missing file",
     {"docs/layers.md": "| `zap_page_range` | mm/memory.c | mm/memory.c |\n"},
     "mm/memory.c (for zap_page_range) does not exist"),
    ("a non-rooted include", {"mm/rmap.c": '#include "rmap.h"\n'}, "is not a path from the repository root"),
]


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def check(self, ok, what, diag=""):
        self.n += 1
        self.failed += not ok
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}")
        for line in diag.splitlines() if not ok else ():
            print(f"# {line}")


def make_tree(root, extra):
    for path, text in CLEAN.items():
        os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(root, path), "w") as f:
            f.write(text)
    for path, text in extra.items():
        os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(root, path), "a") as f:
            f.write(text)


def run(root):
    p = subprocess.run([sys.executable, TOOL, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout


def main():
    tap = Tap()
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean")
        make_tree(clean, {})
        status, out = run(clean)
        tap.check(status == 0 and out == "", "a tree that keeps every rule passes", out)
        for i, (what, extra, expect) in enumerate(BROKEN):
            root = os.path.join(tmp, f"broken{i}")
            make_tree(root, extra)
            status, out = run(root)
            violations = [l for l in out.splitlines() if not l.startswith("check-layers:")]
            tap.check(status == 1 and expect in out and len(violations) == 1,
                      f"{what} is reported, alone", out)
            shutil.rmtree(root)
    status, out = run(REPO)
    tap.check(status == 0, "the repository itself keeps every rule", out)
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
