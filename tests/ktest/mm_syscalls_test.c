/*
 * KTAP suite "mm_syscalls": mmap, munmap, mprotect, msync, madvise and brk through the system
 * call table (syscall_invoke), as a user program calls them, from a kernel thread inside an mm.
 * Results, and Linux's errnos for bad arguments (each checked against Linux on the host: see
 * docs/vm.md for where ours differ), with nothing changed by a call that failed. Wild
 * addresses (0, below MMAP_MIN_ADDR, the kernel half, past the user half) give an error, never
 * a fault.
 */
#include "tests/ktest/vm_fixture.h"
#include "kernel/ktest.h"
#include "kernel/syscall.h"
#include "fs/fs.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "lib/errno.h"

#define P	  PAGE_SIZE
#define FILE_PATH "/tmp/ktest_mm_syscalls"

static long sys6(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		 uint64_t a6)
{
	return syscall_invoke(nr, a1, a2, a3, a4, a5, a6);
}

static long mmap_(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int fd, uint64_t off)
{
	return sys6(__NR_mmap, addr, len, prot, flags, (uint64_t)(int64_t)fd, off);
}

static long call3(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return sys6(nr, a1, a2, a3, 0, 0, 0);
}

/* Word 0 of the page at a; ~0 when it faults. */
static uint64_t word_at(uint64_t a)
{
	uint64_t v;

	return get_user_u64(&v, a) ? ~0ULL : v;
}

static void test_mmap_anonymous(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-sys-mmap");
	long a, f;

	ASSERT_NOT_NULL(t, mm);
	a = mmap_(0, 3 * P, RW, ANON, -1, 0);
	EXPECT_EQ(t, a, (long)MMAP_BASE);
	EXPECT_EQ(t, fill_pages(a, 3), 0);
	EXPECT_EQ(t, word_at(a + 2 * P), 2ULL);
	/* MAP_FIXED replaces the middle page: zeros there, the others kept. */
	EXPECT_EQ(t, mmap_(a + P, P, RW, ANON | MAP_FIXED, -1, 0), a + (long)P);
	EXPECT_EQ(t, word_at(a + P), 0ULL);
	EXPECT_EQ(t, word_at(a + 2 * P), 2ULL);
	EXPECT_EQ(t, mmap_(a + P, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	EXPECT_EQ(t, word_at(a + 2 * P), 2ULL);
	f = mmap_(a + 8 * P, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	EXPECT_EQ(t, f, a + 8 * (long)P);
	/* MAP_POPULATE: the pages are there before any touch. (The new middle page was only
	   read: the zero page, not counted.) */
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	f = mmap_(0, 4 * P, RW, ANON | MAP_POPULATE | MAP_NORESERVE | MAP_STACK, -1, 0);
	EXPECT_GT(t, f, 0L);
	EXPECT_EQ(t, mm->nr_pages, 6ULL);
	EXPECT_EQ(t, call3(__NR_munmap, f, 4 * P, 0), 0L);
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	EXPECT_EQ(t, word_at(f), ~0ULL);
	/* PROT_SEM is accepted and means nothing; the hint in the kernel half is ignored. */
	EXPECT_GT(t, mmap_(0, P, RW | PROT_SEM, ANON, -1, 0), 0L);
	EXPECT_GT(t, mmap_(KERNEL_ADDR, P, RW, ANON, -1, 0), 0L);
	leave_mm(mm);
	expect_baseline(t, &b);
}

static void test_mmap_errors(struct ktest *t)
{
	struct mm *mm = enter_new_mm("ktest-sys-mmap-err");
	unsigned int vmas;
	long r;

	ASSERT_NOT_NULL(t, mm);
	EXPECT_GT(t, mmap_(0, P, RW, ANON, -1, 0), 0L);
	vmas = mm->nr_vmas;
	EXPECT_EQ(t, mmap_(0, 0, RW, ANON, -1, 0), -EINVAL);
	EXPECT_EQ(t, mmap_(0, P, RW, ANON, -1, 1), -EINVAL);
	EXPECT_EQ(t, mmap_(0, 0, RW, MAP_PRIVATE, 99, 0), -EBADF); /* the fd before the length */
	EXPECT_EQ(t, mmap_(0, P, RW, MAP_PRIVATE, 99, 1), -EINVAL);
	EXPECT_EQ(t, mmap_(0, P, RW, MAP_PRIVATE, -1, 0), -EBADF);
	EXPECT_EQ(t, mmap_(0, P, RW, MAP_ANONYMOUS, -1, 0), -EINVAL);
	EXPECT_EQ(t, mmap_(0, P, RW, ANON | MAP_SHARED, -1, 0), -EINVAL);
	EXPECT_EQ(t, mmap_(0, P, RW, 0x03 | MAP_ANONYMOUS, -1, 0), -EINVAL); /* VALIDATE: files */
	EXPECT_EQ(t, mmap_(0, P, RW, ANON | 0x40000, -1, 0), -ENOMEM);	     /* no huge pages */
	/* An unknown flag with MAP_PRIVATE is ignored, as Linux: the mapping is made. */
	r = mmap_(0, P, RW, ANON | 0x40000000, -1, 0);
	EXPECT_GT(t, r, 0L);
	if (r > 0)
		EXPECT_EQ(t, call3(__NR_munmap, (uint64_t)r, P, 0), 0L);
	EXPECT_EQ(t, mmap_(0, P, 0x10, ANON, -1, 0), -EINVAL); /* Linux ignores it */
	EXPECT_EQ(t, mmap_(0x1000, P, RW, ANON | MAP_FIXED, -1, 0), -EPERM);
	EXPECT_EQ(t, mmap_(0, P, RW, ANON | MAP_FIXED, -1, 0), -EPERM);
	EXPECT_EQ(t, mmap_(0x10001, P, RW, ANON | MAP_FIXED, -1, 0), -EINVAL);
	EXPECT_EQ(t, mmap_(KERNEL_ADDR, P, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	EXPECT_EQ(t, mmap_(USER_TOP - P, 2 * P, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	EXPECT_EQ(t, mmap_(~0ULL & PAGE_MASK, P, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	EXPECT_EQ(t, mmap_(0, -P, RW, ANON, -1, 0), -ENOMEM);
	EXPECT_EQ(t, mmap_(0, USER_TOP, RW, ANON, -1, 0), -ENOMEM);
	EXPECT_EQ(t, mm->nr_vmas, vmas);
	leave_mm(mm);
}

/* A file of two pages on the root tmpfs, open as flags: the fd, or -1 (reported). */
static int open_file(struct ktest *t, unsigned int flags)
{
	static const uint64_t words[2 * P / 8];
	int fd = sys_open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!EXPECT_GE(t, fd, 0))
		return -1;
	EXPECT_EQ(t, sys_write(fd, words, sizeof(words)), (ssize_t)sizeof(words));
	EXPECT_EQ(t, sys_pwrite(fd, "\x11", 1, P), 1);
	if (flags != O_RDWR) {
		sys_close(fd);
		fd = sys_open(FILE_PATH, flags, 0);
		EXPECT_GE(t, fd, 0);
	}
	return fd;
}

static void test_mmap_file(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-sys-mmap-file");
	int fd, ro, dir;
	long a, c;
	char ch = 0;

	ASSERT_NOT_NULL(t, mm);
	fd = open_file(t, O_RDWR);
	ro = sys_open(FILE_PATH, O_RDONLY, 0);
	dir = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
	EXPECT_GE(t, ro, 0);
	EXPECT_GE(t, dir, 0);
	a = mmap_(0, 2 * P, RW, MAP_SHARED, fd, 0);
	EXPECT_GT(t, a, 0L);
	EXPECT_EQ(t, word_at(a + P), 0x11ULL);
	EXPECT_EQ(t, put_user_u64(a, 0x77), 0); /* shared: the file sees it */
	EXPECT_EQ(t, sys_pread(fd, &ch, 1, 0), 1);
	EXPECT_EQ(t, ch, 0x77);
	EXPECT_EQ(t, call3(__NR_msync, a, 2 * P, MS_SYNC), 0L);
	EXPECT_EQ(t, call3(__NR_msync, a, 2 * P, MS_ASYNC | MS_INVALIDATE), 0L);
	/* Private from a read-only descriptor: writable, and the file keeps its data. */
	c = mmap_(0, P, RW, MAP_PRIVATE, ro, P);
	EXPECT_GT(t, c, 0L);
	EXPECT_EQ(t, word_at(c), 0x11ULL);
	EXPECT_EQ(t, put_user_u64(c, 0x99), 0);
	EXPECT_EQ(t, sys_pread(fd, &ch, 1, P), 1);
	EXPECT_EQ(t, ch, 0x11);
	EXPECT_EQ(t, mmap_(0, P, RW, MAP_SHARED, ro, 0), -EACCES);
	EXPECT_GT(t, mmap_(0, P, PROT_READ, MAP_SHARED, ro, 0), 0L);
	EXPECT_EQ(t, mmap_(0, P, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV);
	EXPECT_EQ(t, mmap_(0, P, PROT_READ, MAP_PRIVATE, ro, -P), -EOVERFLOW);
	/* MAP_ANONYMOUS ignores the descriptor. */
	EXPECT_GT(t, mmap_(0, P, RW, ANON, ro, 0), 0L);
	leave_mm(mm);
	sys_close(fd);
	sys_close(ro);
	sys_close(dir);
	EXPECT_EQ(t, sys_unlink(FILE_PATH), 0);
	expect_baseline(t, &b);
}

static void test_munmap_mprotect_msync(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-sys-munmap");
	long a;

	ASSERT_NOT_NULL(t, mm);
	a = mmap_(0, 3 * P, RW, ANON, -1, 0);
	EXPECT_EQ(t, fill_pages(a, 3), 0);
	EXPECT_EQ(t, call3(__NR_munmap, 0, P, 0), 0L);
	EXPECT_EQ(t, call3(__NR_munmap, 0x1000, P, 0), 0L);
	EXPECT_EQ(t, call3(__NR_munmap, KERNEL_ADDR, P, 0), -EINVAL);
	EXPECT_EQ(t, call3(__NR_munmap, a + 1, P, 0), -EINVAL);
	EXPECT_EQ(t, call3(__NR_munmap, a, 0, 0), -EINVAL);
	EXPECT_EQ(t, call3(__NR_munmap, USER_TOP - P, 2 * P, 0), -EINVAL);
	EXPECT_EQ(t, call3(__NR_munmap, a, -P, 0), -EINVAL);
	EXPECT_EQ(t, word_at(a + 2 * P), 2ULL);

	EXPECT_EQ(t, call3(__NR_mprotect, a, 0, PROT_READ), 0L);
	EXPECT_EQ(t, call3(__NR_mprotect, a + 1, P, PROT_READ), -EINVAL);
	EXPECT_EQ(t, call3(__NR_mprotect, a, P, 0x10), -EINVAL);
	EXPECT_EQ(t, call3(__NR_mprotect, a, P, 0x01000000 | PROT_READ), -EINVAL);
	EXPECT_EQ(t, call3(__NR_mprotect, KERNEL_ADDR, P, PROT_READ), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_mprotect, 0, P, PROT_READ), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_mprotect, a, 4 * P, PROT_READ), -ENOMEM); /* a hole after */
	EXPECT_EQ(t, put_user_u64(a, 5), 0);				  /* still writable */
	EXPECT_EQ(t, call3(__NR_mprotect, a, P, PROT_READ | PROT_SEM), 0L);
	EXPECT_EQ(t, put_user_u64(a, 6), -EFAULT);
	EXPECT_EQ(t, word_at(a), 5ULL);
	EXPECT_EQ(t, call3(__NR_mprotect, a, P, RW), 0L);
	EXPECT_EQ(t, put_user_u64(a, 6), 0);

	EXPECT_EQ(t, call3(__NR_msync, a, P, MS_SYNC | MS_ASYNC), -EINVAL);
	EXPECT_EQ(t, call3(__NR_msync, a + 1, P, MS_SYNC), -EINVAL);
	EXPECT_EQ(t, call3(__NR_msync, a, 0, MS_SYNC), 0L);
	EXPECT_EQ(t, call3(__NR_msync, a, P, 8), -EINVAL);
	EXPECT_EQ(t, call3(__NR_msync, KERNEL_ADDR, P, MS_SYNC), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_msync, 0, P, MS_SYNC), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_msync, a, 3 * P, MS_SYNC), 0L);
	EXPECT_EQ(t, call3(__NR_msync, a, 4 * P, MS_SYNC), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_msync, a, P, MS_INVALIDATE), 0L);

	EXPECT_EQ(t, call3(__NR_munmap, a + P, P, 0), 0L);
	EXPECT_EQ(t, word_at(a + P), ~0ULL);
	EXPECT_EQ(t, word_at(a + 2 * P), 2ULL);
	EXPECT_EQ(t, mm->nr_vmas, 2U);
	leave_mm(mm);
	expect_baseline(t, &b);
}

static void test_madvise(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-sys-madvise");
	long a, s;

	ASSERT_NOT_NULL(t, mm);
	a = mmap_(0, 4 * P, RW, ANON, -1, 0);
	EXPECT_EQ(t, fill_pages(a, 4), 0);
	EXPECT_EQ(t, put_user_u64(a, 9), 0);
	EXPECT_EQ(t, call3(__NR_madvise, a, P, 4 /* MADV_DONTNEED */), 0L);
	EXPECT_EQ(t, mm->nr_pages, 3ULL);
	EXPECT_EQ(t, word_at(a), 0ULL); /* a new page of zeros */
	EXPECT_EQ(t, word_at(a + P), 1ULL);
	EXPECT_EQ(t, call3(__NR_madvise, a + 1, P, 4), -EINVAL);
	EXPECT_EQ(t, call3(__NR_madvise, a, 0, 4), 0L);
	EXPECT_EQ(t, call3(__NR_madvise, a, P, 999), -EINVAL);
	EXPECT_EQ(t, call3(__NR_madvise, 0, 0, 999), -EINVAL);
	EXPECT_EQ(t, call3(__NR_madvise, 0, P, 4), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_madvise, KERNEL_ADDR, P, 4), -ENOMEM);
	EXPECT_EQ(t, call3(__NR_madvise, a, P, 10 /* MADV_DONTFORK */), -EINVAL);
	for (int adv = 0; adv <= 3; adv++) /* NORMAL, RANDOM, SEQUENTIAL, WILLNEED */
		EXPECT_EQ(t, call3(__NR_madvise, a, 4 * P, adv), 0L);
	EXPECT_EQ(t, call3(__NR_madvise, a, 5 * P, 0), -ENOMEM);
	EXPECT_EQ(t, word_at(a + 3 * P), 3ULL);
	/* A hole past the end: -ENOMEM, the mapped pages dropped all the same. */
	EXPECT_EQ(t, call3(__NR_madvise, a + 2 * P, 3 * P, 4), -ENOMEM);
	EXPECT_EQ(t, word_at(a + 2 * P), 0ULL);
	EXPECT_EQ(t, word_at(a + 3 * P), 0ULL);
	EXPECT_EQ(t, word_at(a + P), 1ULL);
	EXPECT_EQ(t, call3(__NR_madvise, a + P, P, 8 /* MADV_FREE */), 0L);
	EXPECT_EQ(t, word_at(a + P), 0ULL);
	/* Shared anonymous memory: refused, its pages kept (docs/vm.md). */
	s = mmap_(0, P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	EXPECT_EQ(t, put_user_u64(s, 4), 0);
	EXPECT_EQ(t, call3(__NR_madvise, s, P, 4), -EINVAL);
	EXPECT_EQ(t, word_at(s), 4ULL);
	leave_mm(mm);
	expect_baseline(t, &b);
}

#define HEAP 0x400000ULL

static long brk_(uint64_t to)
{
	return call3(__NR_brk, to, 0, 0);
}

static void test_brk(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-sys-brk");

	ASSERT_NOT_NULL(t, mm);
	EXPECT_EQ(t, brk_(HEAP), 0L); /* no heap yet: the break stays */
	down_write(&mm->mmap_lock);   /* what execve does */
	mm->start_brk = mm->brk = HEAP;
	up_write(&mm->mmap_lock);
	EXPECT_EQ(t, brk_(0), (long)HEAP);
	EXPECT_EQ(t, brk_(HEAP + 10), (long)HEAP + 10);
	EXPECT_EQ(t, put_user_u64(HEAP, 1), 0);
	EXPECT_EQ(t, word_at(HEAP + P), ~0ULL);
	EXPECT_EQ(t, brk_(KERNEL_ADDR), (long)HEAP + 10);
	EXPECT_EQ(t, brk_(~0ULL), (long)HEAP + 10);
	EXPECT_EQ(t, brk_(HEAP - P), (long)HEAP + 10);
	EXPECT_EQ(t, brk_(HEAP + 3 * P), (long)(HEAP + 3 * P));
	EXPECT_EQ(t, mm->nr_vmas, 1U); /* grown in place */
	EXPECT_EQ(t, put_user_u64(HEAP + 2 * P, 2), 0);
	EXPECT_EQ(t, word_at(HEAP), 1ULL);
	EXPECT_EQ(t, brk_(HEAP + P + 1), (long)(HEAP + P + 1)); /* shrinks: page 2 goes */
	EXPECT_EQ(t, word_at(HEAP + 2 * P), ~0ULL);
	EXPECT_EQ(t, word_at(HEAP + P), 0ULL);
	/* Never into another mapping. */
	EXPECT_EQ(t, mmap_(HEAP + 8 * P, P, RW, ANON | MAP_FIXED, -1, 0), (long)(HEAP + 8 * P));
	EXPECT_EQ(t, brk_(HEAP + 9 * P), (long)(HEAP + P + 1));
	EXPECT_EQ(t, brk_(HEAP + 8 * P), (long)(HEAP + 8 * P));
	EXPECT_EQ(t, word_at(HEAP + 2 * P), 0ULL); /* new memory is zeros */
	EXPECT_EQ(t, brk_(HEAP), (long)HEAP);
	EXPECT_EQ(t, word_at(HEAP), ~0ULL);
	EXPECT_EQ(t, mm->nr_vmas, 1U); /* only the mapping at HEAP + 8 pages */
	leave_mm(mm);
	expect_baseline(t, &b);
}

KTEST_SUITE(mm_syscalls, KTEST_CASE(test_mmap_anonymous), KTEST_CASE(test_mmap_errors),
	    KTEST_CASE(test_mmap_file), KTEST_CASE(test_munmap_mprotect_msync),
	    KTEST_CASE(test_madvise), KTEST_CASE(test_brk));
