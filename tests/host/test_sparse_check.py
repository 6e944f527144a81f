#!/usr/bin/env python3
"""Host test of `make check`: sparse, with the Makefile's flags, must pass code that keeps the
address-space rules (lib/compiler.h) and report each way of breaking them.

Each case is a small C file that includes the kernel's headers, checked on its own (sparse skips
some checks in a file once it has reported an error). The Makefile links this file as
BUILD/host/test_sparse_check, so tests/run-tests runs it with the other host tests. It prints
TAP: a line per case, the plan last, exit status 1 when a case failed.
"""
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

HEADER = '#include "mm/uaccess.h"\n#include "kernel/rcu/rculist.h"\n' \
         'struct item { int v; struct hlist_node node; };\n' \
         'static struct item __rcu *gp;\nstatic struct hlist_head head;\n'

# (name, body of `int f(int __user *u, struct item *it)`, what sparse must say or None for silence)
CASES = [
    ("the rules kept",
     "int k; struct item *p, *q = NULL;\n"
     "if (copy_from_user(&k, u, sizeof(k)) || get_user(k, u) || put_user(k, u)) return -1;\n"
     "rcu_assign_pointer(gp, it);\n"
     "p = rcu_dereference(gp);\n"
     "hlist_for_each_entry_rcu(q, &head, node) k += q->v;\n"
     "hlist_add_head_rcu(&it->node, &head);\n"
     "return k + p->v + (int)(__force uint64_t)u;\n", None),
    ("a __user pointer dereferenced", "(void)it; return *u;\n",
     "dereference of noderef expression"),
    ("an __rcu pointer read without rcu_dereference",
     "struct item *p = gp; (void)u; (void)it; return p->v;\n", "different address spaces"),
    ("an __rcu pointer written without rcu_assign_pointer", "gp = it; (void)u; return 0;\n",
     "different address spaces"),
    ("rcu_dereference of a pointer that is not __rcu",
     "struct item *p = rcu_dereference(it); (void)u; return p->v;\n", "address space"),
    ("a __user pointer turned into a number without __force",
     "(void)it; return (int)(uint64_t)u;\n", "cast removes address space '__user'"),
    ("a __user pointer passed where the kernel's is wanted",
     "int k; (void)it; return copy_from_user(&k, (void __user *)&k, 4) + copy_to_user(&k, u, 4);\n",
     "different address spaces"),
    ("put_user to a kernel pointer", "int k = 0; (void)u; (void)it; return put_user(1, &k);\n",
     "different address spaces"),
]


def sparse_flags():
    out = subprocess.run(["make", "-s", "--no-print-directory", "-C", REPO, "sparse-flags"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def main():
    flags = sparse_flags()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, body, expect) in enumerate(CASES, 1):
            path = os.path.join(tmp, f"case{n}.c")
            with open(path, "w") as f:
                f.write(HEADER + "int f(int __user *u, struct item *it);\n"
                        "int f(int __user *u, struct item *it)\n{\n" + body + "}\n")
            r = subprocess.run(["sparse"] + flags + [path], cwd=REPO, capture_output=True,
                               text=True)
            said = r.stdout + r.stderr
            if expect is None:
                ok = r.returncode == 0 and not said.strip()
            else:
                ok = r.returncode != 0 and expect in said
            failed += not ok
            print(f"{'ok' if ok else 'not ok'} {n} - {name}")
            if not ok:
                want = "silence" if expect is None else repr(expect)
                print(f"# wanted {want}, exit status {r.returncode}, sparse said:")
                for line in said.splitlines() or ["(nothing)"]:
                    print(f"#   {line}")
    print(f"1..{len(CASES)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
