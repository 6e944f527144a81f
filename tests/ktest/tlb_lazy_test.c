/*
 * KTAP suite "tlb_lazy": lazy TLB (mm/tlb.h). A thread on the other CPU writes a page of an mm,
 * so that its TLB holds the page writable, then leaves the mm (kthread_unuse_mm): its CPU keeps
 * the tables, lazy. The test's thread then changes the mm, and the rules are checked:
 *
 *  - a shootdown skips the lazy CPU, which flushes what it missed when it comes back: after
 *    mprotect(PROT_READ), the thread back in the mm must fault on its write (-EFAULT), not
 *    write through the entry its TLB kept;
 *  - a flush before page tables are freed skips no one: after a munmap that frees the tables
 *    of a region, the lazy CPU has left the mm for the kernel's tables.
 *
 * Each scenario also runs with its rule broken on purpose (enum tlb_lazy_broken), where the
 * failure must be seen: the checks are shown to catch what they look for.
 */
#include "tests/ktest/vm_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/tlb.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

/* A region of its own PML4 slot: its munmap frees a PDPT, a PD and a PT. */
#define REGION 0x8000000000ULL

struct lazy_user {
	struct mm *mm;
	uint64_t a;
	volatile int phase; /* 1: lazy now (the thread's); 2: come back (the test's) */
	int err_first, err_again;
	bool come_back;
};

static void wait_phase(volatile int *phase, int want)
{
	while (READ_ONCE(*phase) < want)
		cpu_relax();
}

static int lazy_user_fn(void *arg)
{
	struct lazy_user *l = arg;

	kthread_use_mm(l->mm);
	l->err_first = put_user_u64(l->a, 1); /* this CPU's TLB: the page, writable */
	kthread_unuse_mm(l->mm);	      /* lazy: the tables stay loaded */
	WRITE_ONCE(l->phase, 1);
	wait_phase(&l->phase, 2);
	if (l->come_back) {
		kthread_use_mm(l->mm); /* the same mm: nothing reloaded */
		l->err_again = put_user_u64(l->a, 2);
		kthread_unuse_mm(l->mm);
	}
	return 0;
}

/* Starts the thread on the CPU other than me and waits until it is lazy in mm. */
static struct thread *start_lazy_user(struct ktest *t, struct lazy_user *l, unsigned int me)
{
	unsigned int other = me ? 0 : 1;
	struct thread *th = kthread_create(lazy_user_fn, l, "ktest-lazy");

	if (!EXPECT_NOT_NULL(t, th))
		return NULL;
	kthread_bind(th, other);
	wake_up_new_thread(th);
	wait_phase(&l->phase, 1);
	EXPECT_EQ(t, l->err_first, 0);
	EXPECT_TRUE(t, cpu_tlb_is_lazy(other));
	EXPECT_TRUE(t, cpu_loaded_mm(other) == l->mm);
	return th;
}

/* The mprotect scenario: the thread's write after it came back; its counts. */
static int missed_flush_round(struct ktest *t, uint64_t *skipped, uint64_t *missed)
{
	unsigned int me = smp_processor_id();
	struct mm *mm = enter_new_mm("ktest-lazy-mprotect");
	struct lazy_user l = {.come_back = true};
	struct tlb_stats s0, s1;
	struct thread *th;
	uint64_t v = 0;

	if (!EXPECT_NOT_NULL(t, mm))
		return 0;
	l.mm = mm;
	l.a = (uint64_t)vm_mmap(mm, 0, PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, put_user_u64(l.a, 0), 0);
	th = start_lazy_user(t, &l, me);
	if (th) {
		s0 = tlb_stats();
		EXPECT_EQ(t, vm_mprotect(mm, l.a, PAGE_SIZE, PROT_READ), 0);
		WRITE_ONCE(l.phase, 2);
		kthread_join(th);
		s1 = tlb_stats();
		*skipped = s1.lazy_skipped - s0.lazy_skipped;
		*missed = s1.lazy_missed - s0.lazy_missed;
	}
	EXPECT_EQ(t, get_user_u64(&v, l.a), 0);
	leave_mm(mm);
	return l.err_again ? l.err_again : (int)v;
}

static void test_lazy_cpu_flushes_what_it_missed(struct ktest *t)
{
	struct baseline b = baseline();
	uint64_t skipped = 0, missed = 0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, smp_processor_id()), 0);
	/* -EFAULT: the write faulted on the read-only entry; the page kept 1. */
	EXPECT_EQ(t, missed_flush_round(t, &skipped, &missed), -EFAULT);
	EXPECT_EQ(t, skipped, 1ULL); /* mprotect's IPI was not sent */
	EXPECT_EQ(t, missed, 1ULL);  /* the return flushed instead */
	kthread_unbind(current);
	expect_baseline(t, &b);
}

static void test_broken_missed_flush_is_caught(struct ktest *t)
{
	struct baseline b = baseline();
	uint64_t skipped = 0, missed = 0;
	int seen;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, smp_processor_id()), 0);
	tlb_lazy_broken = TLB_LAZY_BROKEN_NO_MISSED_FLUSH;
	seen = missed_flush_round(t, &skipped, &missed);
	tlb_lazy_broken = TLB_LAZY_SOUND;
	kthread_unbind(current);
	ktest_log(t,
		  "without the flush on return the write went through its stale TLB entry: "
		  "the read-only page holds %d",
		  seen);
	EXPECT_EQ(t, seen, 2); /* written through the read-only entry */
	expect_baseline(t, &b);
}

/* The munmap scenario: whether the lazy CPU still holds the mm after the tables were freed. */
static bool table_free_round(struct ktest *t, uint64_t *to_kernel)
{
	unsigned int me = smp_processor_id(), other = me ? 0 : 1;
	struct mm *mm = enter_new_mm("ktest-lazy-munmap");
	struct lazy_user l = {.come_back = false};
	struct tlb_stats s0;
	struct thread *th;
	bool held = false;

	if (!EXPECT_NOT_NULL(t, mm))
		return false;
	l.mm = mm;
	l.a = (uint64_t)vm_mmap(mm, REGION, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0);
	EXPECT_EQ(t, l.a, REGION);
	th = start_lazy_user(t, &l, me);
	if (th) {
		s0 = tlb_stats();
		EXPECT_EQ(t, vm_munmap(mm, REGION, PAGE_SIZE), 0);
		held = cpu_loaded_mm(other) == mm || cpumask_test_cpu(other, &mm->cpu_mask);
		*to_kernel = tlb_stats().lazy_to_kernel - s0.lazy_to_kernel;
		WRITE_ONCE(l.phase, 2);
		kthread_join(th);
	}
	leave_mm(mm); /* exit_mmap sends a CPU still lazy in mm away first */
	return held;
}

static void test_table_free_reaches_lazy_cpu(struct ktest *t)
{
	struct baseline b = baseline();
	unsigned int mms = nr_mms();
	uint64_t to_kernel = 0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, smp_processor_id()), 0);
	EXPECT_FALSE(t, table_free_round(t, &to_kernel));
	EXPECT_EQ(t, to_kernel, 1ULL);
	kthread_unbind(current);
	EXPECT_EQ(t, nr_mms(), mms); /* no CPU keeps the mm alive after its last mmput */
	expect_baseline(t, &b);
}

static void test_broken_table_ipi_is_caught(struct ktest *t)
{
	struct baseline b = baseline();
	uint64_t to_kernel = 0;
	bool held;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, smp_processor_id()), 0);
	tlb_lazy_broken = TLB_LAZY_BROKEN_NO_TABLE_IPI;
	held = table_free_round(t, &to_kernel);
	tlb_lazy_broken = TLB_LAZY_SOUND;
	kthread_unbind(current);
	EXPECT_TRUE(t, held); /* its CR3 still pointed into the freed tables */
	EXPECT_EQ(t, to_kernel, 0ULL);
	expect_baseline(t, &b);
}

KTEST_SUITE(tlb_lazy, KTEST_CASE(test_lazy_cpu_flushes_what_it_missed),
	    KTEST_CASE(test_broken_missed_flush_is_caught),
	    KTEST_CASE(test_table_free_reaches_lazy_cpu),
	    KTEST_CASE(test_broken_table_ipi_is_caught));
