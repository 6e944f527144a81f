#!/usr/bin/env python3
"""Host test of tools/bench-report: a synthetic console log with good and malformed BENCH lines.

The Makefile links it as BUILD/host/test_bench_report, so tests/run-tests runs it with the other
host tests. It prints TAP like tests/host/tap.h: a line per check, the plan last, exit status 1
when a check failed.
"""
import contextlib
import csv
import importlib.machinery
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests/host"))
from pytap import Tap  # noqa: E402
TOOL = os.path.join(REPO, "tools/bench-report")

# Two variants at 1, 2 and 4 CPUs, a second bench without a cpus=1 result, keys out of order,
# an extra key, timestamps and a stray CR, a repeated result; then six malformed lines (their
# line numbers are MALFORMED).
LOG = """\
$ qemu-system-x86_64 -accel tcg,thread=multi -smp 4 -m 256M -boot d -cdrom x.iso
[    0.810000] smp: 4 CPUs online; bring-up took 1.000 ms
[    1.000000] BENCH name=gather variant=batch cpus=1 ops=1000 seconds=1.0 ns_per_op=1000.0
[    2.000000] BENCH name=gather variant=batch cpus=2 ops=3000 seconds=2.0 ns_per_op=1333 pages=8\r
[    3.000000] BENCH cpus=4 ns_per_op=1000 ops=4000 variant=batch seconds=1 name=gather
[    4.000000] BENCH name=gather variant=single cpus=1 ops=500 seconds=1.0 ns_per_op=2000.0
[    5.000000] BENCH name=gather variant=single cpus=2 ops=600 seconds=1.0 ns_per_op=3333.3
[    6.000000] BENCH name=gather variant=single cpus=4 ops=400 seconds=1.0 ns_per_op=10000
[    6.500000] BENCH name=lookup variant=rcu cpus=2 ops=10 seconds=0.5 ns_per_op=1e8 batch=16
[    6.600000] BENCH name=gather variant=batch cpus=1 ops=9999 seconds=1.0 ns_per_op=100.0
[    7.000000] BENCH name=gather variant=single cpus=8 ops=1 seconds=1.0
[    7.100000] BENCH name=gather variant=single cpus=two ops=1 seconds=1.0 ns_per_op=1
[    7.200000] BENCH name=gather variant=single cpus=8 ops=1 seconds=0 ns_per_op=1
[    7.300000] BENCH name=gather name=again variant=x cpus=8 ops=1 seconds=1 ns_per_op=1
[    7.400000] BENCH name=gather variant=single garbage cpus=8 ops=1 seconds=1 ns_per_op=1
[    7.500000] BENCH name=gather variant=single cpus=8 ops=1 seconds=1 ns_per_op=1 k=a;b
[    8.000000] bench: done
"""
MALFORMED = [11, 12, 13, 14, 15, 16]

# bench --repeat 3: every line has round=. The host slows down in round 2, so the throughputs
# of that round are all low but its ratios are like the others'. The median of each round's
# own ratio (scaling 2.0, 1.8, 1.9 -> 1.9) is not the ratio of the medians (2000/1000 = 2.0).
ROUNDS_LOG = """\
$ qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 256M -boot d -cdrom x.iso
BENCH name=lookup variant=rcu cpus=1 ops=1000 seconds=1 ns_per_op=1 round=1
BENCH name=lookup variant=rcu cpus=2 ops=2000 seconds=1 ns_per_op=1 round=1
BENCH name=lookup variant=lock cpus=1 ops=500 seconds=1 ns_per_op=1 round=1
BENCH name=lookup variant=lock cpus=2 ops=600 seconds=1 ns_per_op=1 round=1
BENCH name=lookup variant=rcu cpus=1 ops=400 seconds=1 ns_per_op=1 round=2
BENCH name=lookup variant=rcu cpus=2 ops=720 seconds=1 ns_per_op=1 round=2
BENCH name=lookup variant=lock cpus=1 ops=160 seconds=1 ns_per_op=1 round=2
BENCH name=lookup variant=lock cpus=2 ops=180 seconds=1 ns_per_op=1 round=2
BENCH name=lookup variant=rcu cpus=1 ops=1100 seconds=1 ns_per_op=1 round=3
BENCH name=lookup variant=rcu cpus=2 ops=2090 seconds=1 ns_per_op=1 round=3
BENCH name=lookup variant=lock cpus=1 ops=495 seconds=1 ns_per_op=1 round=3
BENCH name=lookup variant=lock cpus=2 ops=700 seconds=1 ns_per_op=1 round=3
BENCH name=lookup variant=rcu cpus=2 ops=1 seconds=1 ns_per_op=1 round=0
BENCH name=lookup variant=rcu cpus=2 ops=1 seconds=1 ns_per_op=1 round=3
bench: done
"""


def load_tool():
    loader = importlib.machinery.SourceFileLoader("bench_report", TOOL)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def run_tool(args, env=None):
    proc = subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def close(a, b):
    return a is not None and abs(a - b) < 1e-9


def main():
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="bench-report-test.")
    try:
        log = os.path.join(tmp, "smp4.log")
        with open(log, "w") as f:
            f.write(LOG)
        out = os.path.join(tmp, "out")
        # No gnuplot on PATH: the report says how to install it and writes the rest anyway.
        status, stdout, stderr = run_tool(["--out", out, log], env=dict(os.environ, PATH=""))
        t.check(status == 0, "a finished log with malformed lines exits 0", [stderr])

        warned = [n for n in range(1, len(LOG.splitlines()) + 1)
                  if f"smp4.log:{n}: malformed BENCH line" in stderr]
        t.check(warned == MALFORMED, "each malformed line is warned about by its number",
                [f"warned about lines {warned}, want {MALFORMED}", stderr])
        t.check("no ns_per_op=" in stderr and "cpus=two is not an integer" in stderr and
                "seconds=0" in stderr and "name= given twice" in stderr and
                "'garbage' is not key=value" in stderr and "may not hold" in stderr,
                "the warnings say what is wrong", [stderr])
        t.check("smp4.log:10: a second result for name=gather variant=batch cpus=1" in stderr,
                "a repeated result is warned about", [stderr])
        t.check("gnuplot-nox" in stderr, "a missing gnuplot is reported with its package",
                [stderr])

        rows = read_csv(os.path.join(out, "results.csv"))
        t.check(len(rows) == 8, "results.csv has one row per good line", [f"{len(rows)} rows"])
        want_first = {"smp": "4", "name": "gather", "variant": "batch", "cpus": "1",
                      "ops": "1000", "seconds": "1.0", "ns_per_op": "1000.0",
                      "ops_per_sec": "1000.000", "extra": ""}
        t.check(rows and rows[0] == want_first, "the first row holds every column",
                [f"got {rows[0] if rows else None}"])
        t.check(len(rows) > 6 and rows[1]["ops_per_sec"] == "1500.000" and
                rows[1]["extra"] == "pages=8" and rows[2]["name"] == "gather" and
                rows[6]["extra"] == "batch=16" and rows[6]["ops_per_sec"] == "20.000",
                "ops_per_sec is ops/seconds; extra keys are kept as k=v",
                [str(r) for r in rows])

        t.check("vs batch" in stdout and "scaling" in stdout and "cpus=4" in stdout,
                "the table has throughput, scaling and variant sections", [stdout])
        t.check("\n  pages " in stdout and "\n  batch " in stdout,
                "a benchmark's own numeric keys get a table of their own", [stdout])

        tool = load_tool()
        report = tool.Report()
        with open(log) as f, contextlib.redirect_stderr(io.StringIO()):
            boot = tool.parse_log(report, log, f.read())
        scale, vs = tool.scaling(boot), tool.variant_ratios(boot)
        t.check(boot.smp == 4, "the -smp comes from the QEMU command line", [str(boot.smp)])
        t.check(close(scale.get(("gather", "batch", 2)), 1.5) and
                close(scale.get(("gather", "batch", 4)), 4.0) and
                close(scale.get(("gather", "single", 4)), 0.8),
                "scaling is throughput over the same variant's at cpus=1 (its first result)",
                [str(scale)])
        t.check(("lookup", "rcu", 2) not in scale, "no scaling without a cpus=1 result",
                [str(scale)])
        t.check(close(vs.get(("gather", "single", 1)), 0.5) and
                close(vs.get(("gather", "single", 2)), 0.4) and
                close(vs.get(("gather", "batch", 4)), 1.0),
                "variant ratio is throughput over the first variant's at the same cpus",
                [str(vs)])

        # Rounds: medians of throughput, medians of each round's ratios.
        rlog = os.path.join(tmp, "rounds.log")
        with open(rlog, "w") as f:
            f.write(ROUNDS_LOG)
        report = tool.Report()
        with contextlib.redirect_stderr(io.StringIO()) as err:
            boot = tool.parse_log(report, rlog, ROUNDS_LOG)
        scale, vs = tool.scaling(boot), tool.variant_ratios(boot)
        t.check(close(scale.get(("lookup", "rcu", 2)), 1.9) and
                close(scale.get(("lookup", "lock", 2)), 1.2) and
                close(vs.get(("lookup", "lock", 1)), 0.45),
                "with rounds, a ratio is the median of each round's own ratio",
                [str(scale), str(vs)])
        t.check("rounds.log:14: malformed BENCH line (round=0" in err.getvalue() and
                "rounds.log:15: a second result for name=lookup variant=rcu cpus=2 round=3"
                in err.getvalue(), "a bad round and a repeated round are warned about",
                [err.getvalue()])
        status, stdout, stderr = run_tool(["--out", os.path.join(tmp, "r"), "--no-plot", rlog])
        t.check(status == 0 and "median of 3 rounds" in stdout and " 495 " in stdout,
                "the table gives the median throughput of the rounds", [stdout, stderr])

        # The CSV read back gives the same rows.
        again = os.path.join(tmp, "again")
        status, _, stderr = run_tool(["--out", again, "--no-plot",
                                      os.path.join(out, "results.csv")])
        t.check(status == 0 and read_csv(os.path.join(again, "results.csv")) == rows,
                "results.csv read back gives the same CSV", [stderr])

        # A boot that never printed `bench: done` fails, and says so.
        cut = os.path.join(tmp, "cut.log")
        with open(cut, "w") as f:
            f.write(LOG.split("[    5.0")[0] + "Kernel panic - not syncing: test\n")
        status, _, stderr = run_tool(["--out", os.path.join(tmp, "cut"), "--no-plot", cut])
        t.check(status == 1 and "no 'bench: done'" in stderr and "panicked" in stderr,
                "a log without 'bench: done' fails the report", [f"status {status}", stderr])

        status, _, stderr = run_tool(["--out", os.path.join(tmp, "none"), "--no-plot",
                                      os.path.join(tmp, "missing.log")])
        t.check(status == 1 and "cannot read" in stderr, "a missing log is an error",
                [f"status {status}", stderr])

        if shutil.which("gnuplot"):
            status, stdout, stderr = run_tool(["--out", out, log])
            svg = os.path.join(out, "gather.svg")
            ok = status == 0 and f"plot: {svg}" in stdout and os.path.exists(svg)
            if ok:
                with open(svg) as f:
                    text = f.read()
                ok = "<svg" in text and "single (-smp 4)" in text
            t.check(ok, "gnuplot draws one SVG per bench with a line per variant",
                    [f"status {status}", stdout, stderr])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
