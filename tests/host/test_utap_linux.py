#!/usr/bin/env python3
"""Host test of tests/utap.py judging a Linux boot (docs/linux.md): our init powers off (QEMU
exit status 0, not isa-debug-exit's), a failing check listed in tests/linux-differences.txt is
skipped with its reason and an unlisted one fails, entries with arguments are framed whole,
and the differences file itself parses (a malformed line is an error that names the line).

The Makefile links it as BUILD/host/test_utap_linux; TAP out, exit status 1 on a failed check.
"""
import os
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests/host"))
import utap  # noqa: E402
from pytap import Tap  # noqa: E402

LOG = """\
utest: begin /bin/tests/a_test
TAP version 13
1..3
ok 1 - one
not ok 2 - munmap of nothing: EINVAL on teachos
not ok 3 - something else
utest: end /bin/tests/a_test status 256
utest: begin /bin/hello a b
[    1.234567] a kernel line
utest: end /bin/hello a b status 0
utest: 2 programs, 1 exited 0, 1 did not
"""
DIFFS = [("a_test", "munmap of nothing", "we refuse it on purpose")]


def main():
    tap = Tap()

    def check(ok, what, diag=""):
        tap.check(ok, what, [diag])

    res = {r[0]: r for r in utap.judge("L", LOG, 0, ["/bin/tests/a_test", "/bin/hello a b"],
                                       linux=True, differences=DIFFS)}
    r2 = res.get("L/bin/tests/a_test/2 munmap of nothing: EINVAL on teachos")
    check(r2 and r2[1] == "skip" and "we refuse it on purpose" in " ".join(r2[2]),
          "a listed failure on Linux is skipped with its reason", r2)
    r3 = res.get("L/bin/tests/a_test/3 something else")
    check(r3 and r3[1] == "fail", "an unlisted failure fails", r3)
    check("L/exit-status" not in res, "exit status 0 is Linux's power-off", list(res))
    res = {r[0]: r for r in utap.judge("L", LOG, 1, ["/bin/hello a b"], linux=True)}
    check("L/exit-status" in res, "any other exit status fails a Linux boot", list(res))
    check(res.get("L/bin/hello a b/plan-and-exit", ("", "pass"))[1] == "fail" and
          "no TAP plan" in " ".join(res["L/bin/hello a b/plan-and-exit"][2]) and
          "never ended" not in " ".join(res["L/bin/hello a b/plan-and-exit"][2]),
          "an entry with arguments is found whole (begin and end lines)", res)
    res = {r[0]: r for r in utap.judge("T", LOG, 3, ["/bin/tests/a_test"], differences=DIFFS)}
    check(res["T/bin/tests/a_test/2 munmap of nothing: EINVAL on teachos"][1] == "fail",
          "on teachos the list excuses nothing")
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write("# comment\n\nx_test | a check | a reason\nbroken line\n")
        f.flush()
        try:
            utap.read_differences(f.name)
            ok, why = False, "no error"
        except ValueError as e:
            ok, why = ":4:" in str(e), str(e)
        check(ok, "a malformed differences line is an error naming its line", why)
    diffs = utap.read_differences(os.path.join(REPO, "tests/linux-differences.txt"))
    check(all(len(d) == 3 for d in diffs), "tests/linux-differences.txt parses")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
