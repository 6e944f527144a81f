/*
 * What the file-system system-call suites share (fs_syscalls_test.c, fs_files_test.c): the
 * test's thread inside a fresh mm, with user pages to pass as the calls' pointers, a
 * read-only page, a hole and a directory of its own in /tmp; and syscall_invoke in short.
 */
#ifndef TESTS_KTEST_FS_SYSCALLS_FIXTURE_H
#define TESTS_KTEST_FS_SYSCALLS_FIXTURE_H

#include <stdint.h>
#include "kernel/ktest.h"
#include "kernel/syscall.h"

#define FX_PAGES 4
#define KADDR	 0xffff800000000000ULL /* a kernel address: never a user pointer */

struct fsx {
	struct mm *mm;
	uint64_t u;    /* FX_PAGES read-write pages: slots of 256 bytes for strings, then buffers */
	uint64_t buf;  /* u + 2 pages: two pages of buffer */
	uint64_t ro;   /* one read-only page */
	uint64_t hole; /* an unmapped page */
	char dir[32];  /* this case's directory, "/tmp/fsxN" */
};

int fsx_init(struct ktest *t);
void fsx_exit(struct ktest *t);

/* The string dir/name (or name alone if it starts with '/') in user slot i (0..7). */
uint64_t fsx_path(struct fsx *x, int i, const char *name);
/* The string s as it is in slot i. */
uint64_t fsx_str(struct fsx *x, int i, const char *s);
/* n bytes of user memory at a into a kernel buffer; false on a fault. */
bool fsx_peek(uint64_t a, void *to, size_t n);

#define SC0(nr)	      syscall_invoke(__NR_##nr, 0, 0, 0, 0, 0, 0)
#define SC1(nr, a)    syscall_invoke(__NR_##nr, (uint64_t)(a), 0, 0, 0, 0, 0)
#define SC2(nr, a, b) syscall_invoke(__NR_##nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0, 0)
#define SC3(nr, a, b, c)                                                                           \
	syscall_invoke(__NR_##nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)
#define SC4(nr, a, b, c, d)                                                                        \
	syscall_invoke(__NR_##nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0, 0)
#define SC5(nr, a, b, c, d, e)                                                                     \
	syscall_invoke(__NR_##nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d),      \
		       (uint64_t)(e), 0)

/* Linux's values, for the tests to pass as a program would. */
#define T_AT_FDCWD    ((uint64_t)(int64_t)-100)
#define T_O_RDONLY    0
#define T_O_WRONLY    01
#define T_O_RDWR      02
#define T_O_CREAT     0100
#define T_O_EXCL      0200
#define T_O_TRUNC     01000
#define T_O_APPEND    02000
#define T_O_DIRECTORY 0200000
#define T_O_LARGEFILE 0100000
#define T_O_CLOEXEC   02000000

#endif
