/*
 * `torture tlb`: the seed's invariant under load, for a fixed time, counting errors.
 *
 *  - an updater maps random stretches of a 4 MiB region (its own PML4 slot), writes them,
 *    then unmaps or write-protects random stretches, in a random gather mode (batched,
 *    unbatched, broadcast), and now and then unmaps the whole region so that every page table
 *    under it is freed;
 *  - a writer bound to every other CPU runs inside the mm and writes into random pages of the
 *    region through put_user; -EFAULT (not mapped, or read-only) is expected and counted;
 *  - each writer also walks the page tables locklessly (gup_fast) for random addresses.
 * Freed pages go to the quarantine (poisoned and kept); every 64 rounds the updater closes it
 * and checks the poison. Errors: a quarantined page written (a write through a TLB entry that
 * outlived its flush), a lockless walk that stepped into a freed table, a write that got
 * -EFAULT where the page was mapped writable throughout, and at the end pages or page tables
 * not back at their start.
 */
#include "kernel/torture/torture.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "mm/gup_fast.h"
#include "mm/pgtable.h"
#include "kernel/kthread.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/tick.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define REGION	      0x300000000000ULL /* 48 TiB: PML4 slot 96 */
#define REGION_PAGES  1024
#define STABLE_PAGE   (REGION + REGION_PAGES * PAGE_SIZE + (1ULL << 30)) /* never unmapped */
#define CHECK_ROUNDS  64

static struct tlb_torture {
	struct mm *mm;
	volatile bool stop;
	atomic64_t rounds, unmaps, pages_unmapped, writes, efaults, walks, found, errors;
	uint32_t seed;
} T;

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void error(const char *what, long long value)
{
	atomic64_add_return(1, &T.errors);
	kprintf("torture tlb: ERROR: %s (%lld)\n", what, value);
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
	static const enum tlb_mode modes[] = { TLB_BATCHED, TLB_UNBATCHED, TLB_BROADCAST };

	stretch(seed, &start, &pages);
	if (vm_mmap(T.mm, start, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) != (int64_t)start)
		error("mmap failed", (long long)start);
	for (uint64_t i = 0; i < pages; i += 1 + next_random(seed) % 8)
		if (put_user_u64(start + i * PAGE_SIZE, i))
			error("write to a page just mapped failed", (long long)i);
	WRITE_ONCE(tlb_mode, modes[next_random(seed) % 3]);
	stretch(seed, &start, &pages);
	if (next_random(seed) % 4 == 0) {
		if (vm_mprotect(T.mm, start, pages * PAGE_SIZE, PROT_READ) == -EINVAL)
			error("mprotect refused its arguments", (long long)start);
	} else {
		if (next_random(seed) % 16 == 0)
			start = REGION, pages = REGION_PAGES; /* everything: the tables go too */
		if (vm_munmap(T.mm, start, pages * PAGE_SIZE))
			error("munmap failed", (long long)start);
		atomic64_add_return(1, &T.unmaps);
		atomic64_add_return((int64_t)pages, &T.pages_unmapped);
	}
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
}

static void check_quarantine(void)
{
	unsigned int kept, written = user_page_quarantine_close(&kept);

	if (written)
		error("freed pages written after their free (a stale TLB entry)", written);
	user_page_quarantine_open();
}

static int updater(void *arg)
{
	uint32_t seed = T.seed;

	(void)arg;
	kthread_use_mm(T.mm);
	while (!READ_ONCE(T.stop)) {
		update_once(&seed);
		if (atomic64_add_return(1, &T.rounds) % CHECK_ROUNDS == 0)
			check_quarantine();
	}
	kthread_unuse_mm(T.mm);
	return 0;
}

/* Writes random pages; a write to the stable page must always work. */
static int writer(void *arg)
{
	uint32_t seed = T.seed ^ (uint32_t)(uintptr_t)arg * 0x9e3779b9u;
	uint64_t stable = STABLE_PAGE + 8 * (uintptr_t)arg, pa, e;
	uint64_t n = 0;

	kthread_use_mm(T.mm);
	while (!READ_ONCE(T.stop)) {
		uint64_t va = REGION + (next_random(&seed) % REGION_PAGES) * PAGE_SIZE;

		if (put_user_u64(va + 8 * (uintptr_t)arg, n))
			atomic64_add_return(1, &T.efaults);
		else
			atomic64_add_return(1, &T.writes);
		if (put_user_u64(stable, n))
			error("a write to the page that is never unmapped failed", (long long)n);
		if (gup_fast_walk(T.mm, va, &pa, &e))
			atomic64_add_return(1, &T.found);
		atomic64_add_return(1, &T.walks);
		n++;
	}
	kthread_unuse_mm(T.mm);
	return 0;
}

static void report(const char *when)
{
	struct tlb_stats s = tlb_stats();

	kprintf("torture tlb: %s%lld rounds, %lld munmaps (%lld pages), %lld writes, %lld EFAULT, "
		"%lld lockless walks (%lld found), %llu IPIs, %lld errors\n",
		when, (long long)atomic64_read(&T.rounds), (long long)atomic64_read(&T.unmaps),
		(long long)atomic64_read(&T.pages_unmapped), (long long)atomic64_read(&T.writes),
		(long long)atomic64_read(&T.efaults), (long long)atomic64_read(&T.walks),
		(long long)atomic64_read(&T.found), (unsigned long long)s.ipis,
		(long long)atomic64_read(&T.errors));
}

static void check_end(uint64_t user_pages, uint64_t pgtables, uint64_t freed_tables)
{
	unsigned int kept, written = user_page_quarantine_close(&kept);

	if (written)
		error("freed pages written after their free (a stale TLB entry)", written);
	rcu_barrier(); /* page tables wait for a grace period */
	if (gup_fast_freed_tables() != freed_tables)
		error("lockless walks stepped into freed page tables",
		      (long long)(gup_fast_freed_tables() - freed_tables));
	if (nr_user_pages() != user_pages)
		error("user pages not back at their start",
		      (long long)(nr_user_pages() - user_pages));
	if ((uint64_t)atomic64_read(&pgtable_pages) != pgtables)
		error("page tables not back at their start",
		      (long long)((uint64_t)atomic64_read(&pgtable_pages) - pgtables));
}

static int torture_tlb(unsigned int seconds)
{
	static struct thread *th[NR_CPUS + 1];
	unsigned int n = 0, cpu;
	uint64_t user_pages, pgtables, freed_tables;
	bool stopped = false;

	rcu_barrier();
	user_pages = nr_user_pages();
	pgtables = (uint64_t)atomic64_read(&pgtable_pages);
	freed_tables = gup_fast_freed_tables();
	memset((void *)&T, 0, sizeof(T));
	T.seed = 0x2545f491u ^ (uint32_t)jiffies;
	T.mm = mm_alloc("torture-tlb");
	if (!T.mm || vm_mmap(T.mm, STABLE_PAGE & PAGE_MASK, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0) {
		kprintf("torture tlb: could not start: ENOMEM\n");
		if (T.mm)
			mmput(T.mm);
		return 0;
	}
	user_page_quarantine_open();
	for_each_cpu(cpu, &cpu_online_mask) {
		th[n] = kthread_create(cpu ? writer : updater, (void *)(uintptr_t)cpu,
				       cpu ? "t-tlb-write/%u" : "t-tlb-upd/%u", cpu);
		if (!th[n])
			break;
		kthread_bind(th[n], cpu);
		wake_up_new_thread(th[n++]);
	}
	kprintf("torture tlb: an updater on CPU 0, %u writers and lockless walkers, for %u s\n",
		n - 1, seconds);
	if (n == num_online_cpus())
		stopped = torture_watch(seconds, report);
	WRITE_ONCE(T.stop, true);
	while (n--)
		kthread_join(th[n]);
	mmput(T.mm);
	check_end(user_pages, pgtables, freed_tables);
	report("end: ");
	torture_verdict("tlb", stopped, (long long)atomic64_read(&T.errors));
	return 0;
}

static int torture_tlb_cmd(int argc, char **argv)
{
	unsigned int seconds;

	if (torture_parse_seconds_only(argc, argv, &seconds))
		return -EINVAL;
	return torture_tlb(seconds);
}
TORTURE("tlb", "[--seconds S]",
	"munmap, mprotect and page-table frees against writers and lockless walkers on every CPU",
	torture_tlb_cmd);
