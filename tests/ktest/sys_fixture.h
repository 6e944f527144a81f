/*
 * What the system-call suites share (tests/ktest/ksys_syscalls_test.c, aio_syscalls_test.c):
 * the test's thread inside a fresh mm with a few user pages to pass as pointers, the bad
 * pointers every call must refuse with -EFAULT, and syscall_invoke with fewer arguments.
 */
#ifndef TESTS_KTEST_SYS_FIXTURE_H
#define TESTS_KTEST_SYS_FIXTURE_H

#include <stdint.h>
#include "kernel/ktest.h"
#include "kernel/syscall.h"

#define SYS_RW_PAGES 4

struct sys_fixture {
	struct mm *mm;
	uint64_t rw; /* SYS_RW_PAGES read-write pages, zeroed */
	uint64_t ro; /* one read-only page (zeroes), right after the read-write ones */
};

/* The addresses an output or input pointer argument must be refused at (-EFAULT). */
#define BAD_UNMAPPED 0x00000f0000000000ULL /* user half, nothing mapped there */
#define BAD_KERNEL   0xffff800000000000ULL /* the kernel half */

/* syscall_invoke with up to six arguments, the missing ones 0. */
#define sc(nr, ...) sc_(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sc_(nr, a, b, c, d, e, f, ...)                                                             \
	syscall_invoke(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d),             \
		       (uint64_t)(e), (uint64_t)(f))

/* The suites' init and exit: enter a fresh mm with the pages above; leave and drop it. */
int sys_fixture_init(struct ktest *t);
void sys_fixture_exit(struct ktest *t);

/* Copies between the test and user memory; the case fails on an error. */
void sys_put(struct ktest *t, uint64_t to, const void *from, size_t n);
void sys_get(struct ktest *t, void *to, uint64_t from, size_t n);
/* True when the n bytes at user address a are all b. */
bool sys_all(uint64_t a, size_t n, uint8_t b);

#endif
