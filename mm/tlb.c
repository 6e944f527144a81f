/* TLB shootdown for an address space (mm/tlb.h). */
#include "mm/tlb.h"
#include "mm/mm.h"
#include "kernel/smp.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

static DEFINE_PER_CPU(struct tlb_stats, tlb_counts);

struct flush_request {
	struct mm *mm;
	uint64_t start, end;
};

/* On one CPU: flush, if this CPU still runs the mm (it may have left since the mask was read). */
static void flush_here(void *arg)
{
	const struct flush_request *r = arg;
	struct tlb_stats *s = this_cpu_ptr(&tlb_counts);

	if (current_mm() != r->mm) {
		s->skipped++;
		return;
	}
	if (local_flush_tlb_range(r->start, r->end) > TLB_FLUSH_CEILING)
		s->full_flushes++;
	else
		s->pages += (r->end - r->start) / PAGE_SIZE;
}

static void flush_mask(struct mm *mm, uint64_t start, uint64_t end, const struct cpumask *mask)
{
	struct flush_request r = { mm, start, end };
	struct cpumask cpus = *mask; /* one snapshot: the IPIs counted are the IPIs sent */
	struct tlb_stats *s;
	unsigned int ipis;
	uint64_t t0;

	preempt_disable();
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
	/* The caller changed the entries; the fence orders those stores before the mask read. It
	   pairs with the locked or of cpumask_set_cpu() in switch_mm() (mm/mm.c), a full barrier
	   before that CPU's CR3 load: either we see its bit and send it an IPI, or its walks after
	   the CR3 load see the entries we changed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flush_mask(mm, start, end, &mm->cpu_mask);
}

/* The same, but with an IPI to every online CPU: the "broadcast" variant the bench compares. */
void flush_tlb_range_broadcast(struct mm *mm, uint64_t start, uint64_t end)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* as in flush_tlb_range() */
	flush_mask(mm, start, end, &cpu_online_mask);
}

/* The sum over all CPUs. */
struct tlb_stats tlb_stats(void)
{
	struct tlb_stats sum = { 0 };
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
	}
	return sum;
}
