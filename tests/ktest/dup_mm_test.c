/*
 * KTAP suites "dup_mm" and "dup_mm_file": fork's copy of an address space (dup_mm, mm/mm.c;
 * copy_page_range, mm/memory.c). The test's thread moves between the parent and the child
 * (kthread_unuse_mm, kthread_use_mm) and looks at both through get_user_u64.
 *
 * dup_mm: after the copy both see the same data; a write on either side afterwards is its own
 * (copy-on-write, parent first and child first); a shared anonymous mapping stays shared; the
 * user pages and page tables come back to where they were once both are gone; every
 * allocation dup_mm makes can fail and leaves nothing behind; and a parent thread that writes
 * on another CPU while dup_mm runs keeps its writes, which do not reach the child once dup_mm
 * has returned.
 *
 * dup_mm_file: a shared mapping of an ext2 file stays shared, and the child's writes are
 * tracked dirty and reach the disk (write notification); a private one copies in the child
 * only.
 */
#include "tests/ktest/vm_fixture.h"
#include "tests/ktest/writeback_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/delay_point.h"
#include "kernel/smp.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/fault.h"
#include "mm/fault_inject.h"
#include "mm/filemap.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

#define NPAGES 4

/* The test's thread leaves from and enters to; each keeps the user its creator holds. */
static void move_to(struct mm *from, struct mm *to)
{
	kthread_unuse_mm(from);
	kthread_use_mm(to);
}

/* Word 0 of page i at a, in the mm the thread is inside; ~0 when it faults. */
static uint64_t word(uint64_t a, unsigned int i)
{
	uint64_t v;

	return get_user_u64(&v, a + i * PAGE_SIZE) ? ~0ULL : v;
}

/* Both see the data; then a write in the child, then one in the parent, stay on their side. */
static void test_cow_both_orders(struct ktest *t)
{
	struct baseline b = baseline();
	struct fault_stats f0 = fault_stats();
	struct mm *parent = enter_new_mm("ktest-dup-parent"), *child;
	uint64_t a;

	ASSERT_NOT_NULL(t, parent);
	a = (uint64_t)vm_mmap(parent, 0, (NPAGES + 1) * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, fill_pages(a, NPAGES), 0);
	EXPECT_EQ(t, word(a, NPAGES), 0ULL); /* the last page maps the zero page */
	child = dup_mm(parent);
	ASSERT_NOT_NULL(t, child);
	EXPECT_EQ(t, child->nr_vmas, parent->nr_vmas);
	EXPECT_EQ(t, child->nr_pages, (uint64_t)NPAGES);
	move_to(parent, child);
	for (unsigned int i = 0; i < NPAGES; i++)
		EXPECT_EQ(t, word(a, i), (uint64_t)i);
	EXPECT_EQ(t, put_user_u64(a, 100), 0); /* the child writes first */
	EXPECT_EQ(t, put_user_u64(a + NPAGES * PAGE_SIZE, 101), 0);
	move_to(child, parent);
	EXPECT_EQ(t, word(a, 0), 0ULL);
	EXPECT_EQ(t, word(a, NPAGES), 0ULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 200), 0); /* the parent writes first */
	EXPECT_EQ(t, put_user_u64(a, 201), 0);		   /* its page, the child's copy aside */
	move_to(parent, child);
	EXPECT_EQ(t, word(a, 0), 100ULL);
	EXPECT_EQ(t, word(a, 1), 1ULL);
	EXPECT_EQ(t, word(a, NPAGES), 101ULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 300), 0); /* its page now: reused, not copied */
	move_to(child, parent);
	EXPECT_EQ(t, word(a, 0), 201ULL);
	EXPECT_EQ(t, word(a, 1), 200ULL);
	/* Copies: the child's page 0 and zero page, the parent's page 1. The parent's page 0
	   and the child's page 1 were theirs alone by then: reused. */
	EXPECT_EQ(t, fault_stats().cow - f0.cow, 3ULL);
	EXPECT_EQ(t, fault_stats().reuse - f0.reuse, 2ULL);
	leave_mm(parent);
	mmput(child);
	expect_baseline(t, &b);
}

/* A shared anonymous mapping: each side sees the other's writes after the copy. */
static void test_shared_anon_stays_shared(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *parent = enter_new_mm("ktest-dup-shared"), *child;
	uint64_t a;

	ASSERT_NOT_NULL(t, parent);
	a = (uint64_t)vm_mmap(parent, 0, NPAGES * PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, NULL,
			      0);
	EXPECT_EQ(t, fill_pages(a, NPAGES), 0);
	child = dup_mm(parent);
	ASSERT_NOT_NULL(t, child);
	EXPECT_EQ(t, put_user_u64(a, 10), 0);
	move_to(parent, child);
	EXPECT_EQ(t, word(a, 0), 10ULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 11), 0);
	move_to(child, parent);
	EXPECT_EQ(t, word(a, 1), 11ULL);
	leave_mm(parent); /* the child alone keeps the pages */
	kthread_use_mm(child);
	EXPECT_EQ(t, word(a, 0), 10ULL);
	EXPECT_EQ(t, word(a, 3), 3ULL);
	leave_mm(child);
	expect_baseline(t, &b);
}

/* Every allocation of dup_mm fails in turn: NULL, the parent intact, nothing left over. */
static void test_out_of_memory(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *parent = enter_new_mm("ktest-dup-oom"), *child = NULL;
	unsigned int mms = nr_mms(), failed = 0;
	struct baseline with_parent;
	uint64_t a;

	ASSERT_NOT_NULL(t, parent);
	a = (uint64_t)vm_mmap(parent, 0, NPAGES * PAGE_SIZE, RW, ANON, NULL, 0);
	/* Two VMAs and pages under two PML4 slots: tables at every level to fail. */
	EXPECT_EQ(t, vm_mmap(parent, 0x8000000000ULL, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0),
		  (int64_t)0x8000000000ULL);
	EXPECT_EQ(t, fill_pages(a, NPAGES), 0);
	EXPECT_EQ(t, put_user_u64(0x8000000000ULL, 77), 0);
	with_parent = baseline();
	for (unsigned int nth = 1; nth < 64 && !child; nth++) {
		alloc_fail_inject(nth);
		child = dup_mm(parent);
		alloc_fail_cancel();
		if (child)
			break;
		failed++;
		EXPECT_EQ(t, nr_mms(), mms);
		expect_baseline(t, &with_parent);
		EXPECT_EQ(t, word(a, 2), 2ULL);
		EXPECT_EQ(t, put_user_u64(a + 2 * PAGE_SIZE, 2), 0); /* still writable, no copy */
	}
	ASSERT_NOT_NULL(t, child);
	ktest_log(t, "dup_mm failed cleanly at each of its first %u allocations", failed);
	EXPECT_GE(t, failed, 8U); /* the mm, its PML4, two VMAs, tables of two PML4 slots */
	mmput(child);
	leave_mm(parent);
	expect_baseline(t, &b);
}

/* A parent thread writing on the other CPU while dup_mm runs. */
struct dup_writer {
	struct mm *mm;
	uint64_t a;
	volatile uint64_t seq; /* the last value written */
	volatile bool go, stop;
	int err;
};

static int dup_writer_fn(void *arg)
{
	struct dup_writer *w = arg;
	uint64_t n = 0;

	kthread_use_mm(w->mm);
	WRITE_ONCE(w->go, true);
	while (!READ_ONCE(w->stop)) {
		if ((w->err = put_user_u64(w->a, ++n)))
			break;
		WRITE_ONCE(w->seq, n);
	}
	kthread_unuse_mm(w->mm);
	return 0;
}

#define DUP_RACE_ROUNDS 5

/*
 * dup_mm write-protects the page under a writer whose TLB still has it writable, and waits
 * (the delay point "copy-wrprotected", 20 ms) before its shootdown: the writer goes on through
 * its TLB meanwhile. Once dup_mm returns the writer's writes must fault and go to a copy of
 * its own: the parent ends with the last value written, the child with a value written before
 * dup_mm returned (at most one more than the writer had said).
 */
static void race_round(struct ktest *t, unsigned int me, uint64_t *late)
{
	struct mm *parent = enter_new_mm("ktest-dup-race"), *child;
	struct dup_writer w = {0};
	struct thread *th;
	uint64_t at_return;

	ASSERT_NOT_NULL(t, parent);
	w.mm = parent;
	w.a = (uint64_t)vm_mmap(parent, 0, PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, put_user_u64(w.a, 0), 0);
	th = kthread_create(dup_writer_fn, &w, "ktest-dup-writer");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, me ? 0 : 1);
	wake_up_new_thread(th);
	while (READ_ONCE(w.seq) < 1000) /* its TLB holds the page writable */
		cpu_relax();
	EXPECT_EQ(t, delay_point_set("copy-wrprotected", 20000, 1), 0);
	child = dup_mm(parent);
	at_return = READ_ONCE(w.seq);
	delay_point_set("copy-wrprotected", 0, 1);
	for (uint64_t until = at_return + 20000; READ_ONCE(w.seq) < until && !w.err;)
		cpu_relax(); /* writes after the return: each must fault once, then go on */
	WRITE_ONCE(w.stop, true);
	kthread_join(th);
	EXPECT_EQ(t, w.err, 0);
	EXPECT_EQ(t, word(w.a, 0), w.seq); /* the parent lost none */
	if (EXPECT_NOT_NULL(t, child)) {
		uint64_t seen;

		move_to(parent, child);
		seen = word(w.a, 0);
		move_to(child, parent);
		EXPECT_LE(t, seen, at_return + 1);
		if (seen > at_return + 1)
			*late += seen - at_return - 1;
		mmput(child);
	}
	leave_mm(parent);
}

static void test_writer_on_other_cpu(struct ktest *t)
{
	struct baseline b = baseline();
	unsigned int me = smp_processor_id();
	uint64_t late = 0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	for (int i = 0; i < DUP_RACE_ROUNDS; i++)
		race_round(t, me, &late);
	kthread_unbind(current);
	ktest_log(t, "%d rounds: writes that reached the child after dup_mm returned: %llu",
		  DUP_RACE_ROUNDS, (unsigned long long)late);
	expect_baseline(t, &b);
}

KTEST_SUITE(dup_mm, KTEST_CASE(test_cow_both_orders), KTEST_CASE(test_shared_anon_stays_shared),
	    KTEST_CASE(test_out_of_memory), KTEST_CASE(test_writer_on_other_cpu));

/* Shared: the child's write is the parent's too, counted dirty (its write fault told the page:
   write notification holds in the child) and written to the disk by fsync. */
static void test_shared_file(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *parent, *child;
	uint64_t a, dirty0;
	int fd = wb_enter_file_mm(t, NPAGES, "ktest-dup-file", &parent);

	if (fd < 0)
		return;
	a = (uint64_t)sys_mmap(parent, 0, NPAGES * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	EXPECT_EQ(t, put_user_u64(a, 0xaa), 0);
	EXPECT_EQ(t, sys_fsync(fd), 0); /* clean again: the entries read-only */
	child = dup_mm(parent);
	ASSERT_NOT_NULL(t, child);
	dirty0 = dirty_stats().nr_dirty;
	move_to(parent, child);
	EXPECT_EQ(t, word(a, 0), 0xaaULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 0xbb), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty, dirty0 + 1);
	move_to(child, parent);
	EXPECT_EQ(t, word(a, 1), 0xbbULL);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	EXPECT_EQ(t, disk_word(t, fd, 1, 0), 0xbbULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 0xcc), 0); /* write-protected again by fsync */
	EXPECT_EQ(t, dirty_stats().nr_dirty, dirty0 + 1);
	mmput(child);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	EXPECT_EQ(t, disk_word(t, fd, 1, 0), 0xccULL);
	wb_leave_file_mm(parent, fd);
	expect_baseline(t, &b);
}

/* Private: the child's write makes its own copy; the parent and the file keep the data. */
static void test_private_file(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *parent, *child;
	uint64_t a;
	int fd = wb_enter_file_mm(t, NPAGES, "ktest-dup-file", &parent);

	if (fd < 0)
		return;
	a = (uint64_t)sys_mmap(parent, 0, NPAGES * PAGE_SIZE, WB_RW, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(t, word(a, 1), 1ULL);				/* the cache page, read-only */
	EXPECT_EQ(t, put_user_u64(a + 2 * PAGE_SIZE, 0x22), 0); /* the parent's own copy */
	child = dup_mm(parent);
	ASSERT_NOT_NULL(t, child);
	move_to(parent, child);
	EXPECT_EQ(t, word(a, 1), 1ULL);
	EXPECT_EQ(t, word(a, 2), 0x22ULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 0x11), 0);
	EXPECT_EQ(t, put_user_u64(a + 2 * PAGE_SIZE, 0x33), 0); /* a copy of the parent's copy */
	move_to(child, parent);
	EXPECT_EQ(t, word(a, 1), 1ULL);
	EXPECT_EQ(t, word(a, 2), 0x22ULL);
	mmput(child);
	EXPECT_EQ(t, word(a, 2), 0x22ULL);
	EXPECT_EQ(t, put_user_u64(a + 2 * PAGE_SIZE, 0x44), 0); /* its own again: reused */
	EXPECT_EQ(t, sys_fsync(fd), 0);
	EXPECT_EQ(t, disk_word(t, fd, 1, 0), 1ULL);
	wb_leave_file_mm(parent, fd);
	expect_baseline(t, &b);
}

KTEST_SUITE_HOOKS(dup_mm_file, wb_init, wb_exit, KTEST_CASE(test_shared_file),
		  KTEST_CASE(test_private_file));
