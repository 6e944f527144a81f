/*
 * TLB shootdown for an address space. After a CPU narrows or removes mappings of an mm, every
 * CPU that runs the mm may still hold the old translations in its TLB. flush_tlb_range()
 * flushes them on this CPU and sends an IPI only to the other CPUs in mm->cpu_mask, then waits
 * until each has flushed. Only after that may the pages behind the old translations be freed
 * or reused (mm/mmu_gather.h).
 *
 * Why the mask is enough: a CPU sets its bit in the mask before it loads the mm's CR3, and
 * clears it only after loading another one (switch_mm_irqs_off). A CPU that is not in the mask
 * when the flusher reads it either loads CR3 later, and then sees the new entries, or has
 * already left the mm, and its CR3 load dropped the old ones. A lazy CPU in the mask (below)
 * may be skipped: it flushes when it comes back.
 */
#ifndef MM_TLB_H
#define MM_TLB_H

#include <stdint.h>
#include <stdbool.h>

struct mm;

void flush_tlb_range(struct mm *mm, uint64_t start, uint64_t end);
/* The same; freed_tables: page tables go after it, so lazy CPUs are not skipped but sent to
   the kernel's tables. */
void flush_tlb_mm_range(struct mm *mm, uint64_t start, uint64_t end, bool freed_tables);
/* exit_mmap's: the lazy CPUs still holding mm leave it. */
void flush_tlb_lazy_leave(struct mm *mm);
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
	uint64_t lazy_switches;	 /* switches to a kernel thread that kept the user's tables */
	uint64_t lazy_skipped;	 /* IPIs not sent to a lazy CPU */
	uint64_t lazy_to_kernel; /* lazy CPUs sent to the kernel's tables (tables freed) */
	uint64_t lazy_missed;	 /* returns from lazy that flushed what was skipped */
	uint64_t received;	 /* requests from another CPU handled (Linux's irq_tlb_count) */
	uint64_t local_pages;	 /* of pages, those the asking CPU flushed itself */
	uint64_t local_full_flushes; /* of full_flushes, those of the asking CPU */
};
/* The sum over all CPUs. */
struct tlb_stats tlb_stats(void);
/* One CPU's count of received requests: the TLB line of /proc/interrupts. */
uint64_t tlb_received(unsigned int cpu);

/*
 * Lazy TLB (Linux's, as since 4.19): a CPU that switches from a thread of an mm to a kernel
 * thread keeps the mm's tables in CR3 and stays in its cpu_mask, marked lazy, holding a
 * reference (struct mm's count) so the PML4 is not freed under it. A shootdown skips lazy
 * CPUs; each flush first moves the mm's TLB generation (mm->tlb_gen), and a lazy CPU that
 * comes back to the mm flushes everything if the generation moved past the one its TLB is up
 * to date with. A flush before page tables are freed skips no one: a lazy CPU gets the IPI and
 * moves to the kernel's tables, leaving the mm. Per CPU, interrupts off to change:
 */
struct cpu_tlbstate {
	struct mm *loaded_mm; /* whose tables CR3 holds; NULL: the kernel's */
	bool is_lazy;	      /* loaded_mm is kept for a kernel thread */
	uint64_t tlb_gen;     /* loaded_mm's generation this TLB is up to date with */
	struct mm *borrowed;  /* the reference a lazy CPU holds on loaded_mm */
	struct mm *drop;      /* a reference the last switch let go: dropped after it */
};

/* The scheduler's switch (mm/mm.c's hook) and what runs after it, interrupts off. */
void switch_mm_irqs_off(struct mm *next);
void tlb_finish_switch(void);
/* A lazy CPU moves to the kernel's tables now (a kernel thread that left its mm). */
void tlb_leave_lazy(void);
/* The mm whose tables cpu's CR3 holds (lazily or not), for the tests and `vm`. */
struct mm *cpu_loaded_mm(unsigned int cpu);
bool cpu_tlb_is_lazy(unsigned int cpu);

/*
 * Broken on purpose, for the lazy-TLB tests: TLB_LAZY_SOUND but while one runs.
 *   TLB_LAZY_BROKEN_NO_MISSED_FLUSH  a lazy CPU back in its mm does not flush what it missed
 *   TLB_LAZY_BROKEN_NO_TABLE_IPI     the flush before freeing tables skips lazy CPUs too
 */
enum tlb_lazy_broken {
	TLB_LAZY_SOUND,
	TLB_LAZY_BROKEN_NO_MISSED_FLUSH,
	TLB_LAZY_BROKEN_NO_TABLE_IPI,
};
extern enum tlb_lazy_broken tlb_lazy_broken;

#endif
