/*
 * TLB shootdown for an address space. After a CPU narrows or removes mappings of an mm, every
 * CPU that runs the mm may still hold the old translations in its TLB. flush_tlb_range()
 * flushes them on this CPU and sends an IPI only to the other CPUs in mm->cpu_mask, then waits
 * until each has flushed. Only after that may the pages behind the old translations be freed
 * or reused (mm/mmu_gather.h).
 *
 * Why the mask is enough: a CPU sets its bit in the mask before it loads the mm's CR3, and
 * clears it only after loading another one (mm/mm.c). A CPU that is not in the mask when the
 * flusher reads it either loads CR3 later, and then sees the new entries, or has already left
 * the mm, and its CR3 load dropped the old ones.
 */
#ifndef MM_TLB_H
#define MM_TLB_H

#include <stdint.h>

struct mm;

void flush_tlb_range(struct mm *mm, uint64_t start, uint64_t end);
/* The same, but with an IPI to every online CPU: the "broadcast" variant the bench compares. */
void flush_tlb_range_broadcast(struct mm *mm, uint64_t start, uint64_t end);

struct tlb_stats {
	uint64_t flushes;      /* flush_tlb_range calls */
	uint64_t ipis;	       /* IPIs sent */
	uint64_t pages;	       /* pages flushed page by page, all CPUs */
	uint64_t full_flushes; /* full flushes (a range above the ceiling), all CPUs */
	uint64_t skipped;      /* IPIs that found the CPU no longer in the mm */
	uint64_t shootdowns;   /* flushes that sent IPIs */
	uint64_t shootdown_ns; /* their time, from the first IPI sent to the last acknowledgement */
};
/* The sum over all CPUs. */
struct tlb_stats tlb_stats(void);

#endif
