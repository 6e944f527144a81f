/*
 * KTAP suite "mmu_gather": the TLB shootdown and the mmu_gather ("mm: mmu_gather rework", Linux
 * 2.6.39). A CPU that does not run the mm gets no IPI; a teardown needs no flush; a failed batch
 *  the mmu_gather's invariant: threads
 * on the other CPUs keep writing into a region while it is unmapped, and no write lands in a
 * freed page (freed pages are poisoned and kept, then checked); a lockless walk survives an
 * unmap of its tables. Pages and page tables come back to their baseline. Last, `torture tlb`'s
 * checks catch each broken gather, and find nothing wrong with the real one. How the gather
 * batches, where it flushes and where it can be preempted: suite "mmu_gather_batch".
 */
#include "tests/ktest/vm_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/vm_file.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/torture/free_quarantine.h"
#include "mm/fault.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/fault_inject.h"
#include "mm/gup_fast.h"
#include "mm/torture/tlb_torture.h"
#include "kernel/sched/sched.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

static void test_no_ipi_when_alone(struct ktest *t)
{
	struct mm *mm = enter_new_mm("ktest-alone");
	struct tlb_stats s0, s1;
	uint64_t a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, 16 * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, fill_pages(a, 16), 0);
	s0 = tlb_stats();
	EXPECT_EQ(t, vm_munmap(mm, a, 16 * PAGE_SIZE), 0);
	s1 = tlb_stats();
	EXPECT_EQ(t, cpumask_weight(&mm->cpu_mask), 1U);
	EXPECT_EQ(t, s1.ipis, s0.ipis); /* only this CPU runs the mm: nobody else to tell */
	EXPECT_GT(t, s1.flushes, s0.flushes);
	leave_mm(mm);
}

/* The last user gone, exit_mmap frees everything without one shootdown: nobody runs the mm. */
static void test_teardown_needs_no_flush(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-exit");
	struct mmu_gather_stats g0, g1;
	struct tlb_stats s0, s1;
	uint64_t a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, 32 * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, fill_pages(a, 32), 0);
	kthread_unuse_mm(mm);
	g0 = mmu_gather_stats();
	s0 = tlb_stats();
	mmput(mm); /* the last user: exit_mmap */
	s1 = tlb_stats();
	g1 = mmu_gather_stats();
	EXPECT_EQ(t, g1.fullmm - g0.fullmm, 1ULL);
	EXPECT_EQ(t, g1.pages_freed - g0.pages_freed, 32ULL);
	EXPECT_EQ(t, s1.flushes, s0.flushes);
	expect_baseline(t, &b);
}

/* Runs inside an mm on its CPU, writing its own page, until told to stop. */
struct spinner {
	struct mm *mm;
	uint64_t page;
	volatile bool stop, running;
};

static int spinner_fn(void *arg)
{
	struct spinner *s = arg;

	kthread_use_mm(s->mm);
	while (!READ_ONCE(s->stop)) {
		put_user_u64(s->page, 1);
		WRITE_ONCE(s->running, true);
	}
	kthread_unuse_mm(s->mm);
	return 0;
}

/* IPIs per munmap of 16 written pages in a mode, with a thread of the mm on one other CPU. */
static uint64_t ipis_for_munmap(struct ktest *t, struct mm *mm, enum tlb_mode mode)
{
	uint64_t a = (uint64_t)vm_mmap(mm, 0, 16 * PAGE_SIZE, RW, ANON, NULL, 0);
	struct tlb_stats s0, s1;

	EXPECT_EQ(t, fill_pages(a, 16), 0);
	WRITE_ONCE(tlb_mode, mode);
	s0 = tlb_stats();
	EXPECT_EQ(t, vm_munmap(mm, a, 16 * PAGE_SIZE), 0);
	s1 = tlb_stats();
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
	return s1.ipis - s0.ipis;
}

/* With the mm on 2 of 3 or more CPUs, a shootdown interrupts 1 other CPU, not all of them. */
static void test_ipis_only_where_the_mm_runs(struct ktest *t)
{
	unsigned int me = smp_processor_id(), other = me == 0 ? 1 : 0;
	struct mm *mm;
	struct spinner s = {0};
	struct thread *th;
	uint64_t page;

	if (num_online_cpus() < 3)
		KTEST_SKIP(t, "needs 3 CPUs");
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	mm = enter_new_mm("ktest-ipis");
	ASSERT_NOT_NULL(t, mm);
	page = (uint64_t)vm_mmap(mm, 0, PAGE_SIZE, RW, ANON, NULL, 0);
	s = (struct spinner){.mm = mm, .page = page};
	th = kthread_create(spinner_fn, &s, "ktest-spinner");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, other);
	wake_up_new_thread(th);
	while (!READ_ONCE(s.running))
		cpu_relax();
	EXPECT_EQ(t, cpumask_weight(&mm->cpu_mask), 2U);
	EXPECT_LE(t, ipis_for_munmap(t, mm, TLB_BATCHED), 1ULL); /* 0 if it just slept */
	EXPECT_EQ(t, ipis_for_munmap(t, mm, TLB_BROADCAST), (uint64_t)num_online_cpus() - 1);
	WRITE_ONCE(s.stop, true);
	kthread_join(th);
	leave_mm(mm);
	kthread_unbind(current);
}

/*
 * The mmu_gather's invariant. Writer threads on every other CPU run inside the mm and write into
 * its 64 pages, over and over; this thread unmaps them. The quarantine poisons each freed page and
 * keeps it: a write through a TLB entry that outlived the unmap would change the poison. Each
 * writer must end with -EFAULT (accesses after munmap fault).
 */
#define INV_PAGES  64
#define INV_ROUNDS 20

struct writer {
	struct mm *mm;
	uint64_t a;
	volatile uint64_t writes;
	int err;
};

static int writer_fn(void *arg)
{
	struct writer *w = arg;
	uint64_t n = 0;

	kthread_use_mm(w->mm);
	for (;;) {
		int err = fill_pages(w->a, INV_PAGES);

		if (err) {
			w->err = err;
			break;
		}
		WRITE_ONCE(w->writes, ++n);
	}
	kthread_unuse_mm(w->mm);
	return 0;
}

static void invariant_round(struct ktest *t, unsigned int me, unsigned int *written,
			    unsigned int *kept)
{
	struct mm *mm = enter_new_mm("ktest-inv");
	struct writer w[NR_CPUS] = {0};
	struct thread *th[NR_CPUS] = {0};
	unsigned int cpu, k;
	uint64_t a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, INV_PAGES * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, fill_pages(a, INV_PAGES), 0);
	for_each_cpu(cpu, &cpu_online_mask) {
		if (cpu == me)
			continue;
		w[cpu] = (struct writer){.mm = mm, .a = a};
		th[cpu] = kthread_create(writer_fn, &w[cpu], "ktest-writer/%u", cpu);
		ASSERT_NOT_NULL(t, th[cpu]);
		kthread_bind(th[cpu], cpu);
		wake_up_new_thread(th[cpu]);
	}
	for_each_cpu(cpu, &cpu_online_mask) /* every writer's TLB holds the pages */
		while (th[cpu] && READ_ONCE(w[cpu].writes) < 3)
			cpu_relax();
	user_page_quarantine_open();
	EXPECT_EQ(t, vm_munmap(mm, a, INV_PAGES * PAGE_SIZE), 0);
	for_each_cpu(cpu, &cpu_online_mask)
		if (th[cpu]) {
			kthread_join(th[cpu]);
			EXPECT_EQ(t, w[cpu].err, -EFAULT);
		}
	*written += user_page_quarantine_close(&k);
	*kept += k;
	leave_mm(mm);
}

static void test_no_write_after_free(struct ktest *t)
{
	struct baseline b = baseline();
	unsigned int me = smp_processor_id(), written = 0, kept = 0;
	struct tlb_stats s0 = tlb_stats(), s1;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	for (int i = 0; i < INV_ROUNDS; i++)
		invariant_round(t, me, &written, &kept);
	kthread_unbind(current);
	s1 = tlb_stats();
	EXPECT_EQ(t, kept, (unsigned int)(INV_ROUNDS * INV_PAGES));
	EXPECT_EQ(t, written, 0U);
	EXPECT_GT(t, s1.ipis, s0.ipis);
	expect_baseline(t, &b);
}

/*
 * Lockless walkers (gup_fast) on the other CPUs, against munmap freeing the page tables under
 * them: the region has a PML4 slot of its own, so each munmap frees a PDPT, a PD and the PTs.
 * A walker must never step into a table that was freed.
 */
#define WALK_BASE   0x200000000000ULL /* 32 TiB: PML4 slot 64 */
#define WALK_PAGES  1024	      /* 4 MiB: two page tables */
#define WALK_ROUNDS 200

struct walker {
	struct mm *mm;
	volatile bool stop;
	uint64_t walks, found;
};

static int walker_fn(void *arg)
{
	struct walker *w = arg;
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)(uintptr_t)w;
	uint64_t pa, e;

	while (!READ_ONCE(w->stop)) {
		seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
		w->found +=
			gup_fast_walk(w->mm, WALK_BASE + (seed % WALK_PAGES) * PAGE_SIZE, &pa, &e);
		w->walks++;
	}
	return 0;
}

static void test_lockless_walk_vs_munmap(struct ktest *t)
{
	struct baseline b = baseline();
	uint64_t freed0 = gup_fast_freed_tables(), tables0 = mmu_gather_stats().tables_freed;
	struct mm *mm = enter_new_mm("ktest-walk");
	struct walker w[NR_CPUS] = {0};
	struct thread *th[NR_CPUS] = {0};
	unsigned int cpu, me = smp_processor_id();
	uint64_t walks = 0, found = 0;

	ASSERT_NOT_NULL(t, mm);
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	for_each_cpu(cpu, &cpu_online_mask) {
		if (cpu == me)
			continue;
		w[cpu].mm = mm;
		th[cpu] = kthread_create(walker_fn, &w[cpu], "ktest-walker/%u", cpu);
		ASSERT_NOT_NULL(t, th[cpu]);
		kthread_bind(th[cpu], cpu);
		wake_up_new_thread(th[cpu]);
	}
	for (int r = 0; r < WALK_ROUNDS; r++) {
		EXPECT_EQ(t,
			  vm_mmap(mm, WALK_BASE, WALK_PAGES * PAGE_SIZE, RW, ANON | MAP_FIXED, NULL,
				  0),
			  (int64_t)WALK_BASE);
		for (unsigned int i = 0; i < WALK_PAGES; i += 64)
			EXPECT_EQ(t, put_user_u64(WALK_BASE + i * PAGE_SIZE, i), 0);
		EXPECT_EQ(t, vm_munmap(mm, WALK_BASE, WALK_PAGES * PAGE_SIZE), 0);
	}
	for_each_cpu(cpu, &cpu_online_mask)
		if (th[cpu]) {
			WRITE_ONCE(w[cpu].stop, true);
			kthread_join(th[cpu]);
			walks += w[cpu].walks;
			found += w[cpu].found;
		}
	kthread_unbind(current);
	leave_mm(mm);
	rcu_barrier();
	EXPECT_EQ(t, gup_fast_freed_tables(), freed0);
	/* PDPT, PD and two PTs per round */
	EXPECT_GE(t, mmu_gather_stats().tables_freed - tables0, 4ULL * WALK_ROUNDS);
	if (num_online_cpus() > 1) {
		EXPECT_GT(t, walks, 0ULL);
		ktest_log(t, "%llu lockless walks, %llu found a page", (unsigned long long)walks,
			  (unsigned long long)found);
	}
	expect_baseline(t, &b);
}

/*
 * The torture's own checks (mm/torture/tlb_torture.h): each broken gather must be caught by the
 * check meant for it, within a bound, and the real gather, under the same load and delay points,
 * must give none of those errors. A broken run stops at its first error, or after 300 rounds of the
 * torture's updater without one (a few take 1 s at -smp 4 on a loaded host), or at
 * TORTURE_BOUND_MS, only a bound for a host that hardly runs the VM: caught within that, or the
 * case fails.
 */
#define TORTURE_REAL_MS	 1000
#define TORTURE_BOUND_MS 20000

static void log_torture(struct ktest *t, const char *what, const struct tlb_torture_result *r)
{
	ktest_log(t,
		  "%s: %lld errors (the first after %llu ms) in %llu ms; %llu rounds, %llu writes, "
		  "%llu walks; %llu pages (%llu written) and %llu tables quarantined; %llu walks "
		  "into freed tables",
		  what, r->r.errors, (unsigned long long)r->r.first_ms, (unsigned long long)r->r.ms,
		  (unsigned long long)r->rounds, (unsigned long long)r->writes,
		  (unsigned long long)r->walks, (unsigned long long)r->pages_kept,
		  (unsigned long long)r->pages_written, (unsigned long long)r->tables_kept,
		  (unsigned long long)r->freed_table_walks);
}

static void test_torture_real_gather_is_clean(struct ktest *t)
{
	struct tlb_torture_result r;

	ASSERT_EQ(t, tlb_torture_run(TLB_NOT_BROKEN, TORTURE_REAL_MS, true, &r), 0);
	log_torture(t, "real", &r);
	EXPECT_EQ(t, r.r.errors, 0LL);
	EXPECT_GT(t, r.rounds, 0ULL);
	EXPECT_GT(t, r.pages_kept, 0ULL);
	if (num_online_cpus() > 1) {
		EXPECT_GT(t, r.writes, 0ULL);
		EXPECT_GT(t, r.walks, 0ULL);
	}
}

static void test_torture_catches_free_before_flush(struct ktest *t)
{
	struct tlb_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: a stale TLB entry on another CPU");
	ASSERT_EQ(t, tlb_torture_run(TLB_BROKEN_FREE_BEFORE_FLUSH, TORTURE_BOUND_MS, true, &r), 0);
	log_torture(t, "free-before-flush", &r);
	EXPECT_GT(t, r.pages_written, 0ULL); /* seen by the page quarantine's check */
}

static void test_torture_catches_no_table_grace(struct ktest *t)
{
	struct tlb_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: a lockless walker beside the unmap");
	ASSERT_EQ(t, tlb_torture_run(TLB_BROKEN_NO_TABLE_GRACE, TORTURE_BOUND_MS, true, &r), 0);
	log_torture(t, "no-table-grace", &r);
	EXPECT_GT(t, r.freed_table_walks, 0ULL); /* seen by the lockless walk's own check */
}

/* Lazy TLB (mm/tlb.h): the writer leaves the mm for its lockless walks and comes back; one
   that does not flush what the shootdowns skipped meanwhile writes freed pages. */
static void test_torture_catches_lazy_missed_flush(struct ktest *t)
{
	struct tlb_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: a lazy writer beside the unmap");
	ASSERT_EQ(t, tlb_torture_run(TLB_BROKEN_LAZY_MISSED_FLUSH, TORTURE_BOUND_MS, true, &r), 0);
	log_torture(t, "lazy-missed-flush", &r);
	EXPECT_GT(t, r.pages_written, 0ULL); /* seen by the page quarantine's check */
}

KTEST_SUITE(mmu_gather, KTEST_CASE(test_no_ipi_when_alone),
	    KTEST_CASE(test_ipis_only_where_the_mm_runs), KTEST_CASE(test_teardown_needs_no_flush),
	     
	    
	     
	     KTEST_CASE(test_no_write_after_free),
	    KTEST_CASE(test_lockless_walk_vs_munmap), KTEST_CASE(test_torture_real_gather_is_clean),
	    KTEST_CASE(test_torture_catches_free_before_flush),
	    KTEST_CASE(test_torture_catches_no_table_grace),
	    KTEST_CASE(test_torture_catches_lazy_missed_flush));
