"""TAP for the host tests written in Python (tests/host/test_*.py), as tests/host/tap.h prints it
for the C ones: a line per check with its diagnostics when it fails, the plan last.

    t = Tap()
    t.check(x == 1, "x is 1", [f"x is {x}"])
    sys.exit(t.done())
"""


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def check(self, ok, what, diag=()):
        """One check: "ok N - what", or "not ok N - what" and each line of diag as "# ..."."""
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}")
        if not ok:
            self.failed += 1
            for line in "\n".join(str(d) for d in diag).splitlines():
                print(f"# {line}")
        return ok

    def done(self):
        """Prints the plan; the exit status: 1 when a check failed."""
        print(f"1..{self.n}")
        return 1 if self.failed else 0
