/*
 * TLB shootdown for an address space, and the switch between address spaces with its lazy
 * mode (mm/tlb.h).
 *
 * Lock order: none is taken here; the switch runs with interrupts off under the run queue's
 * lock, and drops a borrowed mm only after it (tlb_finish_switch).
 */
#include "mm/tlb.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "kernel/smp.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "kernel/delay_point.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

static DEFINE_PER_CPU(struct tlb_stats, tlb_counts);
static DEFINE_PER_CPU(struct cpu_tlbstate, cpu_tlbstate);
enum tlb_lazy_broken tlb_lazy_broken;

static DEFINE_DELAY_POINT(
	dp_lazy_return, "lazy-return",
	"a lazy CPU back to its mm: no longer marked lazy, the mm's TLB generation "
	"not yet read");

struct mm *cpu_loaded_mm(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&cpu_tlbstate, cpu)->loaded_mm);
}

/* Drops the reference a lazy CPU held on ts->loaded_mm, which someone else still holds. */
static void drop_borrowed_not_last(struct cpu_tlbstate *ts)
{
	struct mm *mm = ts->borrowed;

	ts->borrowed = NULL;
	if (mm && atomic_dec_and_test(&mm->count))
		panic("lazy TLB: %s lost its last reference on a lazy CPU", mm->name);
}

/* Interrupts off: this lazy CPU moves to the kernel's tables, out of the mm it kept. The
   reference it borrowed stays in ts->borrowed for the caller to drop. */
static void leave_mm(struct cpu_tlbstate *ts)
{
	struct mm *mm = ts->loaded_mm;

	write_cr3(kernel_pml4_phys); /* the walks through mm's tables end here */
	ts->loaded_mm = NULL;
	WRITE_ONCE(ts->is_lazy, false);
	cpumask_clear_cpu(smp_processor_id(), &mm->cpu_mask);
}

/*
 * tlb_leave_lazy - a kernel thread whose CPU must not keep the tables of the mm it left (the
 * torture's lockless walks stand for a CPU outside the mm, which no shootdown reaches): the
 * CPU moves to the kernel's tables now, as Linux's leave_mm. Sleeps not; may drop the mm.
 */
void tlb_leave_lazy(void)
{
	unsigned long flags = local_irq_save();
	struct cpu_tlbstate *ts = this_cpu_ptr(&cpu_tlbstate);

	if (ts->is_lazy) {
		leave_mm(ts);
		ts->drop = ts->borrowed;
		ts->borrowed = NULL;
	}
	local_irq_restore(flags);
	tlb_finish_switch();
}

/*
 * Interrupts off, back in the mm this CPU kept while lazy: nothing to load, but every flush
 * that skipped this CPU meanwhile must happen now. The generation is read after is_lazy is
 * cleared, across a full barrier that pairs with the one in flush_tlb_mm_range: either that
 * flusher saw this CPU not lazy and sends it an IPI, or we see its generation and flush.
 */
static void leave_lazy(struct cpu_tlbstate *ts, struct mm *mm)
{
	uint64_t gen;

	WRITE_ONCE(ts->is_lazy, false);
	smp_mb();
	delay_point(&dp_lazy_return);
	gen = (uint64_t)atomic64_read(&mm->tlb_gen);
	if (gen != ts->tlb_gen && tlb_lazy_broken != TLB_LAZY_BROKEN_NO_MISSED_FLUSH) {
		local_flush_tlb_all();
		ts->tlb_gen = gen;
		this_cpu_ptr(&tlb_counts)->lazy_missed++;
	}
	drop_borrowed_not_last(ts); /* next's thread holds mm */
}

/*
 * switch_mm_irqs_off - the scheduler's switch between address spaces (next NULL: a kernel
 * thread), interrupts off. A kernel thread borrows the tables loaded (Linux's active_mm): the
 * CPU stays in that mm's cpu_mask, marked lazy, with a reference (mmgrab) so the mm and its
 * PML4 outlive its use in CR3; a thread of the same mm after it reloads nothing. Loading
 * another mm keeps the order mm/tlb.h's shootdown relies on: the CPU joins next's mask (a
 * locked or, a full barrier pairing with the one in flush_tlb_mm_range) before its CR3 can
 * make it cache next's entries, and leaves the old mask only after the CR3 load dropped them.
 * A borrowed reference is dropped after the switch (tlb_finish_switch): it may be the last.
 */
void switch_mm_irqs_off(struct mm *next)
{
	struct cpu_tlbstate *ts = this_cpu_ptr(&cpu_tlbstate);
	struct mm *loaded = ts->loaded_mm;
	unsigned int cpu = smp_processor_id();

	if (!next) {
		if (loaded && !ts->is_lazy) {
			mmgrab(loaded);
			ts->borrowed = loaded;
			WRITE_ONCE(ts->is_lazy, true);
			this_cpu_ptr(&tlb_counts)->lazy_switches++;
		}
		return;
	}
	if (next == loaded) {
		if (ts->is_lazy)
			leave_lazy(ts, next);
		return;
	}
	cpumask_set_cpu(cpu, &next->cpu_mask);
	ts->tlb_gen = (uint64_t)atomic64_read(&next->tlb_gen); /* the CR3 load flushes all */
	write_cr3(next->pml4_phys);
	ts->loaded_mm = next;
	WRITE_ONCE(ts->is_lazy, false);
	if (loaded)
		cpumask_clear_cpu(cpu, &loaded->cpu_mask);
	ts->drop = ts->borrowed;
	ts->borrowed = NULL;
}

/* After the switch, out of the run queue's lock: drops a borrowed mm the switch let go. The
   scheduler calls it after every switch (sched_set_switch_mm), so at most one is pending. */
void tlb_finish_switch(void)
{
	struct cpu_tlbstate *ts = this_cpu_ptr(&cpu_tlbstate);
	struct mm *mm = ts->drop;

	if (mm) {
		ts->drop = NULL;
		mmdrop(mm);
	}
}

struct flush_request {
	struct mm *mm;
	uint64_t start, end;
	uint64_t gen;	   /* the mm's TLB generation this flush brings a CPU to */
	bool freed_tables; /* page tables are freed after it: lazy CPUs must leave the mm */
	unsigned int initiator; /* the CPU that asked: its own share is not a shootdown */
};

/* On one CPU: flush, if this CPU still holds the mm (it may have left since the mask was
   read). A lazy CPU asked because tables are freed leaves the mm for the kernel's tables: a
   speculative walk through its paging-structure caches could reach a freed table. */
static void flush_here(void *arg)
{
	const struct flush_request *r = arg;
	struct tlb_stats *s = this_cpu_ptr(&tlb_counts);
	struct cpu_tlbstate *ts = this_cpu_ptr(&cpu_tlbstate);
	bool local = smp_processor_id() == r->initiator;

	/* Counted on arrival, before the check below, as Linux's flush_tlb_func counts
	   irq_tlb_count: every request from another CPU this CPU handled (/proc/interrupts' TLB
	   line), whether or not it still held the mm. */
	if (!local)
		s->received++;
	if (ts->loaded_mm != r->mm) {
		s->skipped++;
		return;
	}
	if (ts->is_lazy && r->freed_tables) {
		leave_mm(ts);
		drop_borrowed_not_last(ts); /* the flusher holds the mm */
		s->lazy_to_kernel++;
		return;
	}
	if (local_flush_tlb_range(r->start, r->end) > TLB_FLUSH_CEILING) {
		s->full_flushes++;
		s->local_full_flushes += local;
	} else {
		s->pages += (r->end - r->start) / PAGE_SIZE;
		s->local_pages += local ? (r->end - r->start) / PAGE_SIZE : 0;
	}
	if (r->gen == ts->tlb_gen + 1) /* up to date before: now up to this flush */
		ts->tlb_gen = r->gen;
}

static void flush_mask(struct mm *mm, uint64_t start, uint64_t end, const struct cpumask *mask,
		       uint64_t gen, bool freed_tables)
{
	struct flush_request r = {mm, start, end, gen, freed_tables, 0};
	struct cpumask cpus = *mask; /* one snapshot: the IPIs counted are the IPIs sent */
	struct tlb_stats *s;
	unsigned int ipis;
	uint64_t t0;

	preempt_disable();
	r.initiator = smp_processor_id();
	s = this_cpu_ptr(&tlb_counts);
	ipis = cpumask_weight(&cpus) - cpumask_test_cpu(smp_processor_id(), &cpus);
	s->flushes++;
	s->ipis += ipis;
	t0 = ipis ? rdtsc() : 0;
	/* The IPIs go out first; this CPU flushes while the others do, then waits for them. */
	on_each_cpu_mask(&cpus, flush_here, &r, true);
	if (ipis) {
		s->shootdowns++;
		s->shootdown_ns += tsc_to_ns(rdtsc() - t0);
	}
	preempt_enable();
}

/* Flushes [start, end) of mm on every CPU that runs it; waits for them. Preemptible caller;
   may hold spinlocks (it spins, interrupts on, until the others answer). */
void flush_tlb_range(struct mm *mm, uint64_t start, uint64_t end)
{
	flush_tlb_mm_range(mm, start, end, false);
}

/* Flushes [start, end) of mm on the CPUs that hold it. A lazy CPU is skipped (it flushes when
   it comes back, seeing the generation moved) unless freed_tables: then it leaves the mm. */
void flush_tlb_mm_range(struct mm *mm, uint64_t start, uint64_t end, bool freed_tables)
{
	struct tlb_stats *s;
	struct cpumask cpus;
	unsigned int cpu, me;
	uint64_t gen;

	/* The caller changed the entries; the locked add orders those stores before the mask
	   and is_lazy reads (a full barrier). It pairs with the locked or of cpumask_set_cpu()
	   in switch_mm_irqs_off(), before that CPU's CR3 load: either we see its bit and send it
	   an IPI, or its walks after the CR3 load see the entries we changed; and with the
	   barrier in leave_lazy(): either we see it not lazy, or it sees this generation. */
	gen = (uint64_t)atomic64_add_return(1, &mm->tlb_gen);
	cpus = mm->cpu_mask;
	preempt_disable();
	me = smp_processor_id();
	s = this_cpu_ptr(&tlb_counts);
	if (!freed_tables || tlb_lazy_broken == TLB_LAZY_BROKEN_NO_TABLE_IPI)
		for_each_cpu(cpu, &cpus)
			if (cpu != me && READ_ONCE(per_cpu_ptr(&cpu_tlbstate, cpu)->is_lazy)) {
				cpumask_clear_cpu(cpu, &cpus);
				s->lazy_skipped++;
			}
	flush_mask(mm, start, end, &cpus, gen, freed_tables);
	preempt_enable();
}

/* The same, but with an IPI to every online CPU: the "broadcast" variant the bench compares.
   Lazy CPUs get it too and leave the mm, as tables may be freed after it. */
void flush_tlb_range_broadcast(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t gen = (uint64_t)atomic64_add_return(1, &mm->tlb_gen); /* as above */

	flush_mask(mm, start, end, &cpu_online_mask, gen, true);
}

static void lazy_leave_here(void *arg)
{
	struct cpu_tlbstate *ts = this_cpu_ptr(&cpu_tlbstate);

	if (ts->loaded_mm == arg && ts->is_lazy) {
		leave_mm(ts);
		drop_borrowed_not_last(ts); /* exit_mmap's caller holds the mm */
		this_cpu_ptr(&tlb_counts)->lazy_to_kernel++;
	}
}

/* exit_mmap: the last user is gone, so only lazy CPUs can still hold mm; each leaves it for
   the kernel's tables before any of mm's tables is freed. Not a shootdown: no CPU runs the
   mm, and one that only keeps it lazily needs no flush once it has left. */
void flush_tlb_lazy_leave(struct mm *mm)
{
	struct cpumask cpus = mm->cpu_mask;

	on_each_cpu_mask(&cpus, lazy_leave_here, mm, true);
}

/* The sum over all CPUs. */
struct tlb_stats tlb_stats(void)
{
	struct tlb_stats sum = {0};
	unsigned int cpu;

	for_each_cpu(cpu, &cpu_online_mask) {
		const struct tlb_stats *s = per_cpu_ptr(&tlb_counts, cpu);

		sum.flushes += s->flushes;
		sum.ipis += s->ipis;
		sum.pages += s->pages;
		sum.full_flushes += s->full_flushes;
		sum.skipped += s->skipped;
		sum.shootdowns += s->shootdowns;
		sum.shootdown_ns += s->shootdown_ns;
		sum.lazy_switches += s->lazy_switches;
		sum.lazy_skipped += s->lazy_skipped;
		sum.lazy_to_kernel += s->lazy_to_kernel;
		sum.lazy_missed += s->lazy_missed;
		sum.received += s->received;
		sum.local_pages += s->local_pages;
		sum.local_full_flushes += s->local_full_flushes;
	}
	return sum;
}

/* Flush requests cpu received from another CPU and handled since boot (Linux's irq_tlb_count,
   /proc/interrupts' TLB line). A racy read of another CPU's counter: a snapshot. */
uint64_t tlb_received(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&tlb_counts, cpu)->received);
}

bool cpu_tlb_is_lazy(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&cpu_tlbstate, cpu)->is_lazy);
}
