#!/usr/bin/env python3
"""Host test of tools/compare's reading and tables (`--report-only`: no QEMU): synthetic console
logs of teachos and Linux at 1 and 2 CPUs, two repeats, kernel lines and a malformed RESULT
line among them, a program that printed nothing on one boot.

The Makefile links it as BUILD/host/test_compare; tests/run-tests runs it with the host tests.
TAP out, exit status 1 when a check failed.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests/host"))
from pytap import Tap  # noqa: E402
TOOL = os.path.join(REPO, "tools/compare")
ENTRY = "/bin/openbench --seconds 0.3"
OTHER = "/bin/munmapbench"

# ops/s of (kernel, smp, repeat): teachos is twice Linux at 2 CPUs, equal at 1; the medians of
# two repeats are their means.
OPS = {("teachos", 1, 1): 1000, ("teachos", 1, 2): 1200, ("teachos", 2, 1): 3000,
       ("teachos", 2, 2): 3400, ("linux", 1, 1): 1100, ("linux", 1, 2): 1100,
       ("linux", 2, 1): 1600, ("linux", 2, 2): 1600}


def log_text(kernel, smp, rep):
    ops = OPS[(kernel, smp, rep)]
    ipis = 1 if kernel == "teachos" else 2
    lines = [f"utest: begin {ENTRY}",
             "[    1.000000] a kernel line in between",
             f"RESULT bench=openbench case=one-mount cpus={smp} threads={smp} "
             f"ops_per_sec={ops} ipis_per_op={ipis}",
             "RESULT bench=openbench case=broken cpus=x threads=1 ops_per_sec=fast",
             f"utest: end {ENTRY} status 0",
             f"utest: begin {OTHER}"]
    if not (kernel == "linux" and smp == 2 and rep == 2):
        lines.append(f"RESULT bench=munmapbench case=pages-8 cpus={smp} threads=1 "
                     f"ops_per_sec=50 ipis_per_op={smp - 1}")
    lines += [f"utest: end {OTHER} status 0", "utest: 2 programs, 2 exited 0, 0 did not"]
    return "\n".join(lines) + "\n"


def main():
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="compare-test.")
    try:
        for (kernel, smp, rep) in OPS:
            with open(os.path.join(tmp, f"{kernel}-smp{smp}-r{rep}.log"), "w") as f:
                f.write(log_text(kernel, smp, rep))
        proc = subprocess.run([sys.executable, TOOL, "--report-only", "--out", tmp,
                               "--smp", "1 2", ENTRY, OTHER], capture_output=True, text=True,
                              env=dict(os.environ, PATH=""))  # no gnuplot: tables only
        out = proc.stdout
        t.check(proc.returncode == 1, "a program with no RESULT line on one boot fails the run",
                [f"status {proc.returncode}", out, proc.stderr])
        t.check(f"linux-smp2-r2.log: {OTHER}: no RESULT line" in out,
                "the problem names the boot and the program", [out])
        t.check("malformed: RESULT bench=openbench case=broken" in out,
                "a malformed RESULT line is warned about", [out])
        row = [ln for ln in out.splitlines() if ln.startswith("one-mount")]
        want = ["one-mount", "1,100", "1,100", "1", "3,200", "1,600", "2", "2.91x", "1.45x"]
        t.check(row and row[0].split() == want,
                "the row: medians over repeats, ratio teachos/Linux, scaling 1 to 2 CPUs",
                [f"got {row}", f"want {' '.join(want)}"])
        t.check("at -smp 2, one-mount: teachos 2.00x Linux's (faster)" in out,
                "the verdict says who is faster and by how much", [out])
        counts = [ln for ln in out.split("== openbench ==")[-1].splitlines()
                  if ln.strip().startswith("ipis_per_op")]
        t.check(len(counts) == 1 and "-smp 1: teachos 1 Linux 2" in counts[0],
                "per-call counts are shown side by side", [f"got {counts}"])
        with open(os.path.join(tmp, "results.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        t.check(len(rows) == 15, "results.csv: one row per good RESULT line",
                [f"{len(rows)} rows"])
        t.check(rows and rows[0]["kernel"] in ("teachos", "linux") and
                "ipis_per_op=" in rows[0]["extra"], "a row keeps its kernel and extra keys",
                [f"{rows[:1]}"])
        if shutil.which("gnuplot"):
            proc = subprocess.run([sys.executable, TOOL, "--report-only", "--out", tmp,
                                   ENTRY], capture_output=True, text=True)
            svg = os.path.join(tmp, "openbench.svg")
            ok = os.path.exists(svg) and "<svg" in open(svg).read()
            t.check(ok and "Linux" in open(svg).read(),
                    "gnuplot draws an SVG per benchmark with Linux beside teachos",
                    [proc.stdout, proc.stderr])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
