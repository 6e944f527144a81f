/*
 * The memory system calls at their edges: the errno Linux gives for each bad argument of
 * mmap, munmap, mprotect, msync, madvise, brk and mremap, and what a partial munmap leaves.
 * Every check names Linux's answer; teachos must give the same (or the difference is listed in
 * tests/linux-differences.txt and accepted here only when uname says teachos).
 *
 *	mm_edge_test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "user/tap.h"

#define FILE_PATH "/tmp/mm_edge_test"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long page;

/* The raw system call's errno, or 0 when it succeeded: libc wrappers may check arguments
   themselves (musl's mmap refuses some offsets before the kernel sees them). */
static int err_of(long r)
{
	return r == -1 ? errno : 0;
}

static int on_teachos(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "teachos") == 0;
}

static char *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The signal that ends a child reading the byte at p, or 0 when the read works (the parent's
   memory is untouched either way). */
static int read_signal(const volatile char *p)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static long raw_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void munmap_checks(void)
{
	char *p = map_anon(3 * page);
	int e;

	if (!p) {
		tap_ok(0, "mmap 3 anonymous pages (%s)", strerror(errno));
		return;
	}
	e = err_of(munmap(p + 1, page));
	tap_ok(e == EINVAL, "munmap of an unaligned address: EINVAL (got %s)", strerror(e));
	e = err_of(munmap(p, 0));
	tap_ok(e == EINVAL, "munmap of length 0: EINVAL (got %s)", strerror(e));
	memset(p, 'a', 3 * page);
	e = err_of(munmap(p + page, page));
	tap_ok(e == 0, "munmap of the middle page of three: 0 (got %s)", strerror(e));
	tap_ok(p[0] == 'a' && p[2 * page] == 'a' && p[3 * page - 1] == 'a',
	       "after it the first and last pages keep their bytes");
	tap_ok(read_signal(p + page) == SIGSEGV, "reading the hole faults with SIGSEGV");
	tap_ok(read_signal(p + 2 * page) == 0, "reading the page after the hole does not");
	e = err_of(madvise(p + page, page, MADV_WILLNEED));
	tap_ok(e == ENOMEM, "madvise of the hole: ENOMEM, it is unmapped (got %s)", strerror(e));
	e = err_of(raw_mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0));
	tap_ok(e == EEXIST, "MAP_FIXED_NOREPLACE over the first page: EEXIST (got %s)",
	       strerror(e));
	e = err_of(raw_mmap(p + page, page, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	tap_ok(e == 0, "MAP_FIXED_NOREPLACE into the hole succeeds (got %s)", strerror(e));
	e = err_of(munmap(p, 3 * page));
	tap_ok(e == 0, "munmap of the whole range: 0");
	e = err_of(munmap(p, 3 * page));
	tap_ok(e == 0, "munmap of the same, now unmapped, range again: 0 (got %s)", strerror(e));
}

static void mprotect_checks(void)
{
	char *p = map_anon(2 * page);
	int e;

	if (!p) {
		tap_ok(0, "mmap 2 anonymous pages (%s)", strerror(errno));
		return;
	}
	munmap(p + page, page);
	e = err_of(mprotect(p, 2 * page, PROT_READ));
	tap_ok(e == ENOMEM, "mprotect past the end of a mapping: ENOMEM (got %s)", strerror(e));
	e = err_of(syscall(SYS_mprotect, p + 8, page, PROT_READ)); /* musl's rounds down */
	tap_ok(e == EINVAL, "mprotect of an unaligned address: EINVAL (got %s)", strerror(e));
	e = err_of(mprotect(p, page, PROT_READ | 0x100));
	tap_ok(e == EINVAL, "mprotect with an unknown PROT_ bit: EINVAL (got %s)", strerror(e));
	e = err_of(mprotect(p, 0, PROT_READ));
	tap_ok(e == 0, "mprotect of length 0: 0 (got %s)", strerror(e));
	munmap(p, page);
}

/* A file of one page and 10 bytes mapped over three pages: the tail of its last page reads
   as zeros, the page wholly past the end gives SIGBUS. */
static void file_tail_checks(void)
{
	int fd = open(FILE_PATH, O_RDWR | O_TRUNC);
	char *p;
	long r;
	int sig;

	if (fd < 0 || ftruncate(fd, page + 10) != 0) {
		tap_ok(0, "make %s one page and 10 bytes long (%s)", FILE_PATH, strerror(errno));
		return;
	}
	r = raw_mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!tap_ok(r != -1, "mmap three pages of it: the length may pass the end of the file"))
		return;
	p = (char *)r;
	tap_ok(p[page + 9] == 0 && p[page + 10] == 0 && p[2 * page - 1] == 0,
	       "the last page reads as zeros past the end of the file");
	sig = read_signal(p + 2 * page);
	tap_ok(sig == SIGBUS, "reading the page wholly past the end gives SIGBUS (got %d)", sig);
	munmap(p, 3 * page);
}

static void mmap_checks(void)
{
	int fd, e;
	long r;

	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0));
	tap_ok(e == EINVAL, "mmap with neither MAP_PRIVATE nor MAP_SHARED: EINVAL (got %s)",
	       strerror(e));
	e = err_of(raw_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	tap_ok(e == EINVAL, "mmap of length 0: EINVAL (got %s)", strerror(e));
	e = err_of(raw_mmap((void *)(uintptr_t)(0x10000000 + 1), page, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	tap_ok(e == EINVAL, "mmap MAP_FIXED at an unaligned address: EINVAL (got %s)", strerror(e));
	r = raw_mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | 0x800000, -1, 0);
	tap_ok(r != -1,
	       "MAP_PRIVATE with an undefined flag bit (0x800000) works: Linux ignores unknown "
	       "bits (got %s)",
	       strerror(err_of(r)));
	if (r != -1)
		munmap((void *)r, page);
	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_PRIVATE, 1000, 0));
	tap_ok(e == EBADF, "mmap of a descriptor that is not open: EBADF (got %s)", strerror(e));

	fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, page) != 0) {
		tap_ok(0, "create %s of one page (%s)", FILE_PATH, strerror(errno));
		return;
	}
	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0));
	tap_ok(e == EOPNOTSUPP, "MAP_SHARED_VALIDATE of a file with that bit: EOPNOTSUPP (got %s)",
	       strerror(e));
	r = raw_mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fd, 0);
	tap_ok(r != -1, "MAP_SHARED_VALIDATE of a file with known flags maps it (got %s)",
	       strerror(err_of(r)));
	if (r != -1)
		munmap((void *)r, page);
	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
	tap_ok(e == EINVAL, "MAP_SHARED_VALIDATE of anonymous memory: EINVAL (got %s)",
	       strerror(e));
	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 1));
	tap_ok(e == EINVAL, "mmap at an unaligned file offset: EINVAL (got %s)", strerror(e));
	close(fd);
	fd = open(FILE_PATH, O_WRONLY);
	e = err_of(raw_mmap(NULL, page, PROT_WRITE, MAP_SHARED, fd, 0));
	tap_ok(e == EACCES, "mmap of a file opened O_WRONLY: EACCES (got %s)", strerror(e));
	close(fd);
	fd = open(FILE_PATH, O_RDONLY);
	e = err_of(raw_mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	tap_ok(e == EACCES, "MAP_SHARED PROT_WRITE of an O_RDONLY file: EACCES (got %s)",
	       strerror(e));
	r = raw_mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	tap_ok(r != -1, "MAP_PRIVATE PROT_WRITE of the same O_RDONLY file works (got %s)",
	       strerror(err_of(r)));
	if (r != -1)
		munmap((void *)r, page);
	r = raw_mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (r != -1) {
		e = err_of(mprotect((void *)r, page, PROT_READ | PROT_WRITE));
		munmap((void *)r, page);
	} else {
		e = errno;
	}
	tap_ok(e == EACCES,
	       "mprotect PROT_WRITE of that file's MAP_SHARED mapping: EACCES (got %s)",
	       strerror(e));
	close(fd);
	file_tail_checks();
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	e = err_of(raw_mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0));
	tap_ok(e == ENODEV, "mmap of a directory: ENODEV (got %s)", strerror(e));
	close(fd);
	unlink(FILE_PATH);
}

static void msync_checks(void)
{
	char *p = map_anon(2 * page);
	int e;

	if (!p) {
		tap_ok(0, "mmap 2 anonymous pages (%s)", strerror(errno));
		return;
	}
	e = err_of(msync(p, page, MS_SYNC | MS_ASYNC));
	tap_ok(e == EINVAL, "msync with MS_SYNC|MS_ASYNC: EINVAL (got %s)", strerror(e));
	e = err_of(msync(p, page, MS_SYNC | 0x100));
	tap_ok(e == EINVAL, "msync with an unknown flag bit: EINVAL (got %s)", strerror(e));
	e = err_of(msync(p + 8, page, MS_SYNC));
	tap_ok(e == EINVAL, "msync of an unaligned address: EINVAL (got %s)", strerror(e));
	e = err_of(msync(p, page, MS_ASYNC | MS_INVALIDATE));
	tap_ok(e == 0, "msync MS_ASYNC|MS_INVALIDATE of an anonymous page: 0 (got %s)",
	       strerror(e));
	munmap(p + page, page);
	e = err_of(msync(p + page, page, MS_SYNC));
	tap_ok(e == ENOMEM, "msync of an unmapped range: ENOMEM (got %s)", strerror(e));
	e = err_of(msync(p, 2 * page, MS_SYNC));
	tap_ok(e == ENOMEM, "msync of a range running past its mapping: ENOMEM (got %s)",
	       strerror(e));
	e = err_of(madvise(p, page, 12345));
	tap_ok(e == EINVAL, "madvise with unknown advice: EINVAL (got %s)", strerror(e));
	e = err_of(madvise(p + 8, page, MADV_NORMAL));
	tap_ok(e == EINVAL, "madvise of an unaligned address: EINVAL (got %s)", strerror(e));
	munmap(p, page);
}

static void brk_checks(void)
{
	long cur = syscall(SYS_brk, 0);
	long low = syscall(SYS_brk, 4096);

	tap_ok(cur > 0, "brk(0) gives the current break");
	tap_ok(low == cur, "brk below the heap's start leaves the break: returns it unchanged");
}

static void mremap_checks(void)
{
	char *p = map_anon(2 * page);
	long r;

	if (!p) {
		tap_ok(0, "mmap 2 anonymous pages (%s)", strerror(errno));
		return;
	}
	r = syscall(SYS_mremap, p, 2 * page, page, 0);
	if (on_teachos() && r == -1 && errno == ENOSYS) {
		tap_ok(1, "mremap shrinking in place: teachos has no mremap (ENOSYS; Linux: the "
			  "same address)");
		munmap(p, 2 * page);
	} else {
		tap_ok(r == (long)p, "mremap shrinking in place: the same address (got %s)",
		       strerror(err_of(r)));
		munmap(p, 2 * page);
	}
	r = syscall(SYS_mremap, p + 8, page, page, 0);
	if (on_teachos() && r == -1 && errno == ENOSYS)
		tap_ok(1, "mremap of an unaligned address: teachos has no mremap (ENOSYS; Linux: "
			  "EINVAL)");
	else
		tap_ok(r == -1 && errno == EINVAL,
		       "mremap of an unaligned address: EINVAL (got %s)", strerror(err_of(r)));
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	tap_plan(44);
	munmap_checks();
	mprotect_checks();
	mmap_checks();
	msync_checks();
	brk_checks();
	mremap_checks();
	return tap_done();
}
