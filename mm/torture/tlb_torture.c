/*
 * `torture tlb`: the mmu_gather's invariant (no page or table freed while a TLB or a lockless
 * walker can reach it) under load, for a fixed time, counting errors.
 *
 *  - an updater maps random stretches of a 4 MiB region (its own PML4 slot), writes them,
 *    then unmaps or write-protects random stretches, in a random gather mode (batched,
 *    unbatched, broadcast), and now and then unmaps the whole region so that every page table
 *    under it is freed;
 *  - a writer bound to every other CPU runs inside the mm and writes into random pages of the
 *    region through put_user, part of the time with page faults off (it never sleeps, so its
 *    TLB stays warm); -EFAULT (not mapped, or read-only) is expected and counted;
 *  - between its writes, the writer's CPU leaves the mm and walks the mm's tables locklessly
 *    (gup_fast) for random addresses. The shootdown's IPIs reach only the CPUs that run the
 *    mm (or keep it lazily), so on every other walk phase, where the writer's CPU has left
 *    the mm's tables too (tlb_leave_lazy), only the grace period keeps the tables from being
 *    freed under the walk; on the others it comes back to the mm lazily (mm/tlb.h).
 * Freed pages and freed page tables go to the quarantines (mm/memory.h: poisoned and kept).
 * After every round the updater counts the lockless walks that stepped into a freed table and
 * checks the page quarantine; every 256 rounds it checks the table quarantine. Errors: a
 * quarantined page or table written (a write through a TLB entry that outlived its flush), a
 * lockless walk that stepped into a freed table, a write to the one page never unmapped that
 * failed, and at the end pages or page tables not back at their start.
 *
 * `torture tlb` runs the real gather (the second half of the run with the delay points of the
 * broken variants on), then the self-check: each broken variant (mm/mmu_gather.h, enum
 * tlb_broken) until its first error, which must come within 300 rounds of the updater.
 * `torture tlb --broken NAME` runs one alone, for the whole --seconds.
 */
#include "mm/torture/tlb_torture.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/torture/free_quarantine.h"
#include "arch/x86_64/tlb.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "mm/gup_fast.h"
#include "mm/pgtable.h"
#include "kernel/torture/torture.h"
#include "kernel/console_input.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/preempt.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/tick.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define REGION	     0x300000000000ULL /* 48 TiB: PML4 slot 96 */
#define REGION_PAGES 1024
#define STABLE_PAGE  (REGION + REGION_PAGES * PAGE_SIZE + (1ULL << 30)) /* never unmapped */

#define TABLE_CHECK_ROUNDS 256 /* each check waits for a grace period */
/* Unbatched, each page costs a shootdown (and with the delay points on, a millisecond before
   it): at -smp 4 on two host cores, where an IPI waits for its vCPU to be scheduled, a
   stretch of 600 would take seconds. */
#define UNBATCHED_PAGES 16
/* The self-check runs each broken variant until its first error, or until the updater has
   done BROKEN_ROUNDS rounds without one (NOT caught): a catch takes a few rounds, and on a
   loaded host a second may hold only a few, so the budget is counted in rounds. The time is
   only a bound for a host that hardly runs the VM at all. */
#define BROKEN_ROUNDS 300
#define SELF_CHECK_MS 20000

/* How long the delay points wait, on every pass: long against a host's time slice, so that
   on a loaded host the other vCPU is likely to run within the window. */
#define BEFORE_FLUSH_US 1000 /* tlb-before-flush: the updater's flushes */
#define WALK_PT_US	2000 /* gup-fast-pt: the lockless walks' steps into a page table */

static const struct torture_broken tlb_broken_variants[] = {
	{.name = "free-before-flush",
	 .removes = "pages freed before the shootdown: another CPU writes into a "
		    "freed page through its TLB"},
	{.name = "no-table-grace",
	 .removes = "page tables freed without the RCU grace period: a lockless walker "
		    "reads a freed table"},
	{.name = "lazy-missed-flush",
	 .removes = "a lazy CPU back in the mm does not flush what the shootdowns skipped: "
		    "the writer writes a freed page through its TLB"},
	{.name = NULL},
};
/* The gather's switch for each of them, in the same order. */
static const enum tlb_broken broken_how[] = {
	TLB_BROKEN_FREE_BEFORE_FLUSH, TLB_BROKEN_NO_TABLE_GRACE, TLB_BROKEN_LAZY_MISSED_FLUSH};

static struct tlb_torture {
	struct mm *mm;
	bool verbose; /* a line for each of the first errors, and per-second reports */
	volatile bool stop;
	struct torture_errors errors;
	atomic64_t rounds, unmaps, pages_unmapped, writes, efaults, walks, found;
	uint64_t pages_kept, pages_written, tables_kept, tables_written; /* the updater's */
	uint64_t freed_tables;	       /* gup_fast_freed_tables() at the start */
	uint64_t freed_counted;	       /* the walks into freed tables counted so far */
	uint64_t user_pages, pgtables; /* at the start */
	uint64_t start_ns;
	uint32_t seed;
	struct thread *th[NR_CPUS];
	unsigned int nr_threads;
	bool stale_entries_stay; /* lazy-missed-flush: flush every CPU before a release */
} torture;

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Counts n errors of one kind; says so in a line while they are among the first few. */
static void error(const char *what, long long n)
{
	bool worth_a_line = false;

	for (long long i = 0; i < n; i++)
		worth_a_line |= torture_error(&torture.errors);
	if (worth_a_line && torture.verbose)
		kprintf("torture tlb: ERROR: %s (%lld)\n", what, n);
}

/* A random stretch of the region: [*start, *start + *pages pages). */
static void stretch(uint32_t *seed, uint64_t *start, uint64_t *pages)
{
	uint64_t first = next_random(seed) % REGION_PAGES;

	*pages = 1 + next_random(seed) % (REGION_PAGES - first);
	if (*pages > 600)
		*pages = 600;
	*start = REGION + first * PAGE_SIZE;
}

static void update_once(uint32_t *seed)
{
	uint64_t start, pages;
	static const enum tlb_mode modes[] = {TLB_BATCHED, TLB_UNBATCHED, TLB_BROADCAST, TLB_REWORK,
					      TLB_LEGACY};
	enum tlb_mode mode;

	stretch(seed, &start, &pages);
	if (vm_mmap(torture.mm, start, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) != (int64_t)start)
		error("mmap failed", 1);
	for (uint64_t i = 0; i < pages; i += 1 + next_random(seed) % 8)
		if (put_user_u64(start + i * PAGE_SIZE, i))
			error("write to a page just mapped failed", 1);
	mode = modes[next_random(seed) % ARRAY_SIZE(modes)];
	WRITE_ONCE(tlb_mode, mode);
	stretch(seed, &start, &pages);
	if (mode == TLB_UNBATCHED && pages > UNBATCHED_PAGES)
		pages = UNBATCHED_PAGES;
	if (next_random(seed) % 4 == 0) {
		if (vm_mprotect(torture.mm, start, pages * PAGE_SIZE, PROT_READ) == -EINVAL)
			error("mprotect refused its arguments", 1);
	} else {
		if (next_random(seed) % 8 == 0)
			start = REGION, pages = REGION_PAGES; /* everything: the tables go too */
		if (vm_munmap(torture.mm, start, pages * PAGE_SIZE))
			error("munmap failed", 1);
		atomic64_add_return(1, &torture.unmaps);
		atomic64_add_return((int64_t)pages, &torture.pages_unmapped);
	}
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
}

static void flush_all_here(void *arg)
{
	(void)arg;
	local_flush_tlb_all();
}

/*
 * Before quarantined pages or tables go back to the allocator, every CPU drops every user TLB
 * entry. The real mechanism needs none of this (every munmap flushed what it freed), but a
 * broken variant leaves stale entries behind on purpose, and lazy-missed-flush never flushes
 * them (the only one that needs this: the others' flushes come, only late, and an IPI to
 * every CPU here would hold off the lockless walks no-table-grace must catch): released with
 * such an entry alive, a page could be written after it became someone
 * else's (a gather's batch page, say), and the damage the torture provoked would escape the
 * quarantine that is there to catch it.
 */
static void flush_every_cpu(void)
{
	if (READ_ONCE(torture.stale_entries_stay))
		on_each_cpu(flush_all_here, NULL, true);
}

/* The quarantined pages: checked for writes after their free, then released. */
static void check_pages(bool reopen)
{
	unsigned int kept, written;

	flush_every_cpu();
	written = user_page_quarantine_close(&kept);

	if (reopen)
		user_page_quarantine_open();
	torture.pages_kept += kept;
	torture.pages_written += written;
	if (written)
		error("freed pages written after their free (a stale TLB entry)", written);
}

/* The quarantined tables; the close waits for a grace period first. */
static void check_tables(bool reopen)
{
	unsigned int kept, written;

	flush_every_cpu();
	written = user_pgtable_quarantine_close(&kept);

	if (reopen)
		user_pgtable_quarantine_open();
	torture.tables_kept += kept;
	torture.tables_written += written;
	if (written)
		error("freed page tables written after their free", written);
}

/* The lockless walks that found a table freed under them since the last look. */
static void check_walks(void)
{
	uint64_t n = gup_fast_freed_tables() - torture.freed_tables;

	if (n > torture.freed_counted) {
		error("lockless walks stepped into freed page tables",
		      (long long)(n - torture.freed_counted));
		torture.freed_counted = n;
	}
}

static int updater(void *arg)
{
	uint32_t seed = torture.seed;

	(void)arg;
	kthread_use_mm(torture.mm);
	while (!READ_ONCE(torture.stop)) {
		uint64_t round = (uint64_t)atomic64_add_return(1, &torture.rounds);

		update_once(&seed);
		check_walks();
		check_pages(true);
		if (round % TABLE_CHECK_ROUNDS == 0)
			check_tables(true);
	}
	kthread_unuse_mm(torture.mm);
	return 0;
}

/*
 * The writers' phases, in turn (microseconds):
 *   inside the mm, writing with page faults off (as Linux's copy_to_user_nofault): a write
 *   that would fault gets -EFAULT at once instead of sleeping on mmap_lock, so the CPU stays
 *   in the mm, and its TLB keeps the pages it wrote until a shootdown flushes them;
 *   inside the mm, writing with faults on: demand-zero and copy-on-write faults race the
 *   updater's unmaps, and a fault that waits for mmap_lock takes the CPU out of the mm;
 *   outside the mm, walking its tables locklessly: no shootdown IPI reaches this CPU, only
 *   the grace period keeps the tables from being freed under the walk.
 * Every writer is in the same phase at once, by the common clock (the TSC): while they walk,
 * no other writer runs the mm, so an unmap's flush waits for no IPI, and frees the tables
 * soon after it unlinked them, while a walk may still be inside.
 */
enum writer_phase { WRITE_NOFAULT, WRITE_FAULTING, WALK_OUTSIDE };
#define NOFAULT_US  2000
#define FAULTING_US 500
#define OUTSIDE_US  2000
#define CYCLE_NS    ((NOFAULT_US + FAULTING_US + OUTSIDE_US) * 1000ULL)

/* The phase of every writer now, and in *end when it ends. */
static enum writer_phase writer_phase(uint64_t *end)
{
	uint64_t now = ktime_ns(), at = (now - torture.start_ns) % CYCLE_NS;

	if (at < NOFAULT_US * 1000ULL) {
		*end = now - at + NOFAULT_US * 1000ULL;
		return WRITE_NOFAULT;
	}
	if (at < (NOFAULT_US + FAULTING_US) * 1000ULL) {
		*end = now - at + (NOFAULT_US + FAULTING_US) * 1000ULL;
		return WRITE_FAULTING;
	}
	*end = now - at + CYCLE_NS;
	return WALK_OUTSIDE;
}

/* With faults off, the writer cycles through a few pages that took a write, probing a random
   page in a slot whose write failed: their TLB entries stay in use, and an unmap of a stretch
   nearly always takes one of them, so that if it frees it before the flush, a write lands in it. */
#define HOT_PAGES 8

struct writer {
	unsigned int cpu;
	uint32_t seed;
	uint64_t n;		 /* the value written next */
	uint64_t hot[HOT_PAGES]; /* 0: probe a random page in this slot */
	unsigned int next_hot;
	unsigned int walk_phases; /* odd ones walk from the kernel's tables, even ones lazily */
};

static uint64_t random_page(struct writer *w)
{
	return REGION + (next_random(&w->seed) % REGION_PAGES) * PAGE_SIZE;
}

/* Writes random pages until end; a write to the stable page must always work. */
static void write_until(struct writer *w, bool nofault, uint64_t end)
{
	uint64_t stable = STABLE_PAGE + 8 * w->cpu;

	while (ktime_ns() < end && !READ_ONCE(torture.stop)) {
		uint64_t *hot = &w->hot[w->next_hot];
		uint64_t va = nofault && *hot ? *hot : random_page(w);
		int err;

		if (nofault)
			preempt_disable(); /* the fault handler then refuses to sleep */
		err = put_user_u64(va + 8 * w->cpu, w->n);
		if (nofault) {
			preempt_enable();
			*hot = err ? 0 : va;
			w->next_hot = (w->next_hot + 1) % HOT_PAGES;
		}
		atomic64_add_return(1, err ? &torture.efaults : &torture.writes);
		if (put_user_u64(stable, w->n))
			error("a write to the page that is never unmapped failed", 1);
		w->n++;
	}
}

/* Walks the mm's tables without running the mm, until end. */
static void walk_until(struct writer *w, uint64_t end)
{
	uint64_t pa, e;

	while (ktime_ns() < end && !READ_ONCE(torture.stop)) {
		if (gup_fast_walk(torture.mm, random_page(w), &pa, &e))
			atomic64_add_return(1, &torture.found);
		atomic64_add_return(1, &torture.walks);
	}
}

static int writer(void *arg)
{
	struct writer w = {.cpu = (unsigned int)(uintptr_t)arg};

	enum writer_phase phase;
	uint64_t end;

	w.seed = torture.seed ^ w.cpu * 0x9e3779b9u;
	while (!READ_ONCE(torture.stop)) {
		kthread_use_mm(torture.mm);
		while ((phase = writer_phase(&end)) != WALK_OUTSIDE && !READ_ONCE(torture.stop))
			write_until(&w, phase == WRITE_NOFAULT, end);
		kthread_unuse_mm(torture.mm);
		/* Lazy TLB keeps the mm's tables on this CPU, and the shootdowns that free tables
		   then reach it (mm/tlb.h). Every other walk phase leaves them, so that the walks
		   come from a CPU no IPI reaches; the others come back lazily, with what the
		   shootdowns skipped to flush. */
		if (w.walk_phases++ % 2)
			tlb_leave_lazy();
		while (writer_phase(&end) == WALK_OUTSIDE && !READ_ONCE(torture.stop))
			walk_until(&w, end);
	}
	return 0;
}

static const char *report_phase = "";

static void report(const char *when)
{
	struct tlb_stats s = tlb_stats();

	kprintf("torture tlb: %s%s%lld rounds, %lld munmaps (%lld pages), %lld writes, %lld "
		"EFAULT, %lld lockless walks (%lld found), %llu IPIs, %lld errors\n",
		report_phase, when, (long long)atomic64_read(&torture.rounds),
		(long long)atomic64_read(&torture.unmaps),
		(long long)atomic64_read(&torture.pages_unmapped),
		(long long)atomic64_read(&torture.writes),
		(long long)atomic64_read(&torture.efaults),
		(long long)atomic64_read(&torture.walks), (long long)atomic64_read(&torture.found),
		(unsigned long long)s.ipis, (long long)atomic64_read(&torture.errors.count));
}

static int start_thread(int (*fn)(void *), unsigned int cpu, const char *name)
{
	struct thread *th = kthread_create(fn, (void *)(uintptr_t)cpu, name, cpu);

	if (!th)
		return -ENOMEM;
	kthread_bind(th, cpu);
	torture.th[torture.nr_threads++] = th;
	wake_up_new_thread(th);
	return 0;
}

/* A fresh mm with the stable page, the quarantines open, the gather broken as asked. */
static int setup(enum tlb_broken broken, bool verbose)
{
	rcu_barrier(); /* the tables of earlier unmaps are freed: the baseline holds still */
	memset((void *)&torture, 0, sizeof(torture));
	torture.verbose = verbose;
	torture.user_pages = nr_user_pages();
	torture.pgtables = (uint64_t)atomic64_read(&pgtable_pages);
	torture.freed_tables = gup_fast_freed_tables();
	torture.seed = 0x2545f491u ^ (uint32_t)jiffies;
	torture.mm = mm_alloc("torture-tlb");
	if (!torture.mm ||
	    vm_mmap(torture.mm, STABLE_PAGE & PAGE_MASK, PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0) {
		if (torture.mm)
			mmput(torture.mm);
		return -ENOMEM;
	}
	user_page_quarantine_open();
	user_pgtable_quarantine_open();
	tlb_set_broken(torture.mm, broken); /* after the quarantines: nothing it frees is reused */
	return 0;
}

/* The updater on CPU 0, a writer on each other CPU. */
static int start(void)
{
	unsigned int cpu;

	torture_errors_start(&torture.errors);
	torture.start_ns = ktime_ns();
	for_each_cpu(cpu, &cpu_online_mask)
		if (start_thread(cpu ? writer : updater, cpu,
				 cpu ? "t-tlb-write/%u" : "t-tlb-upd/%u"))
			return -ENOMEM;
	return 0;
}

/* Stops and joins the threads, tears the mm down and makes the final checks. */
static void finish(struct tlb_torture_result *r)
{
	uint64_t ms = (ktime_ns() - torture.start_ns) / 1000000;

	WRITE_ONCE(torture.stop, true);
	while (torture.nr_threads)
		kthread_join(torture.th[--torture.nr_threads]);
	tlb_set_broken(NULL, TLB_NOT_BROKEN); /* before the mm goes: its address may come back */
	mmput(torture.mm);
	rcu_barrier(); /* the real gather's tables wait for a grace period */
	check_walks();
	check_pages(false);
	check_tables(false);
	if (nr_user_pages() != torture.user_pages)
		error("user pages not back at their start",
		      (long long)(nr_user_pages() - torture.user_pages));
	if ((uint64_t)atomic64_read(&pgtable_pages) != torture.pgtables)
		error("page tables not back at their start",
		      (long long)((uint64_t)atomic64_read(&pgtable_pages) - torture.pgtables));
	*r = (struct tlb_torture_result){
		.r = {.errors = atomic64_read(&torture.errors.count),
		      .first_ms = torture_errors_first_ms(&torture.errors),
		      .ms = ms},
		.rounds = (uint64_t)atomic64_read(&torture.rounds),
		.munmaps = (uint64_t)atomic64_read(&torture.unmaps),
		.writes = (uint64_t)atomic64_read(&torture.writes),
		.walks = (uint64_t)atomic64_read(&torture.walks),
		.pages_kept = torture.pages_kept,
		.pages_written = torture.pages_written,
		.tables_kept = torture.tables_kept,
		.tables_written = torture.tables_written,
		.freed_table_walks = torture.freed_counted,
	};
}

/* The delay points that widen the window of a broken variant; all of them for the real one. */
static void delays_on(enum tlb_broken broken)
{
	if (broken != TLB_BROKEN_NO_TABLE_GRACE)
		delay_point_set("tlb-before-flush", BEFORE_FLUSH_US, 1);
	if (broken != TLB_BROKEN_FREE_BEFORE_FLUSH)
		delay_point_set("gup-fast-pt", WALK_PT_US, 1);
}

/* Sleeps for about ms, or until Ctrl-C; with until_caught, only until the first error or
   BROKEN_ROUNDS rounds. */
static void run_for(unsigned int ms, bool until_caught)
{
	uint64_t end = ktime_ns() + ms * 1000000ULL;

	while (ktime_ns() < end && !console_interrupted()) {
		if (until_caught && (atomic64_read(&torture.errors.count) ||
				     atomic64_read(&torture.rounds) >= BROKEN_ROUNDS))
			break;
		msleep(10);
	}
}

static int run(enum tlb_broken broken, unsigned int ms, bool delays, bool verbose,
	       bool until_caught, struct tlb_torture_result *r)
{
	int err;

	if (broken != TLB_NOT_BROKEN && num_online_cpus() < 2)
		return -ENODEV; /* nobody else to write through a stale entry or walk */
	err = setup(broken, verbose);
	if (err)
		return err;
	WRITE_ONCE(torture.stale_entries_stay, broken == TLB_BROKEN_LAZY_MISSED_FLUSH);
	err = start();
	if (!err) {
		if (delays)
			delays_on(broken);
		run_for(ms, until_caught);
		delay_points_off();
	}
	finish(r);
	if (verbose)
		kprintf("torture tlb: %llu rounds, %llu munmaps, %llu writes, %llu lockless walks "
			"(from outside the mm), %llu pages and %llu page tables quarantined\n",
			(unsigned long long)r->rounds, (unsigned long long)r->munmaps,
			(unsigned long long)r->writes, (unsigned long long)r->walks,
			(unsigned long long)r->pages_kept, (unsigned long long)r->tables_kept);
	return err;
}

/* Runs the torture against the real or a broken gather (mm/torture/tlb_torture.h). */
int tlb_torture_run(enum tlb_broken broken, unsigned int ms, bool delays,
		    struct tlb_torture_result *r)
{
	return run(broken, ms, delays, false, broken != TLB_NOT_BROKEN, r);
}

/* The self-check's run of variant v (a torture_broken_fn): until the first error. */
static int run_until_caught(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	struct tlb_torture_result res;
	int err = run(broken_how[v], ms, true, true, true, &res);

	if (!err)
		*r = res.r;
	return err;
}

/* `torture tlb --broken NAME`'s run of variant v, for all of ms: to watch it fail. */
static int run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	struct tlb_torture_result res;
	int err = run(broken_how[v], ms, true, true, false, &res);

	if (!err)
		*r = res.r;
	return err;
}

/* The real gather for seconds, the delay points on for the second half; then the self-check. */
static int torture_tlb(unsigned int seconds)
{
	struct tlb_torture_result r;
	bool stopped = false;
	int not_caught = 0;

	if (setup(TLB_NOT_BROKEN, true)) {
		kprintf("torture tlb: could not start: ENOMEM\n");
		return 0;
	}
	kprintf("torture tlb: an updater on CPU 0, %u writers and lockless walkers, for %u s\n",
		num_online_cpus() - 1, seconds);
	if (start()) {
		error("could not start every thread", 1);
		seconds = 0;
	}
	stopped = torture_watch(seconds - seconds / 2, report);
	if (!stopped && seconds / 2) {
		report_phase = "delay points on, ";
		delays_on(TLB_NOT_BROKEN);
		stopped = torture_watch(seconds / 2, report);
		delay_points_off();
	}
	finish(&r);
	report("end: ");
	report_phase = "";
	if (!stopped)
		not_caught = torture_self_check("tlb", tlb_broken_variants, SELF_CHECK_MS,
						run_until_caught);
	torture_verdict_checked("tlb", stopped, r.r.errors, not_caught);
	return 0;
}

static int torture_tlb_cmd(int argc, char **argv)
{
	struct torture_opts o = {0};

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	if (o.broken)
		return torture_run_broken("tlb", tlb_broken_variants, o.broken, o.seconds,
					  run_broken);
	return torture_tlb(o.seconds);
}
TORTURE_WITH_BROKEN("tlb", "[--seconds S] [--broken VARIANT]",
		    "munmap, mprotect and page-table frees against writers and lockless walkers "
		    "on every CPU",
		    torture_tlb_cmd, tlb_broken_variants);
