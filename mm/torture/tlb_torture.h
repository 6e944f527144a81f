/*
 * `torture tlb` (mm/torture/tlb_torture.c), as the vm tests run it: the real mmu_gather, or one of
 * its broken variants (mm/mmu_gather.h, enum tlb_broken), under the torture's load for a
 * while, and what its checks found.
 */
#ifndef MM_TORTURE_TLB_TORTURE_H
#define MM_TORTURE_TLB_TORTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/torture/torture.h"
#include "mm/mmu_gather_variants.h"

struct tlb_torture_result {
	struct torture_broken_result r;	      /* errors, the first's time, the run's */
	uint64_t rounds, munmaps;	      /* the updater's */
	uint64_t writes;		      /* the writers', inside the mm */
	uint64_t walks;			      /* their lockless walks, from outside the mm */
	uint64_t pages_kept, pages_written;   /* by the checks of the page quarantine */
	uint64_t tables_kept, tables_written; /* by the checks of the table quarantine */
	uint64_t freed_table_walks;	      /* walks that stepped into a freed table */
};

/*
 * Runs the torture for about ms milliseconds with the gather broken as broken says
 * (TLB_NOT_BROKEN: the real one). A broken one stops at its first error (what matters is that
 * it is caught, and how soon), or after 300 rounds of the updater without one. With delays,
 * the delay points that widen that variant's window are on (for TLB_NOT_BROKEN, those of
 * every variant). Quiet: fills *r and prints nothing. Returns 0, -ENODEV for a broken variant
 * on one CPU (a race needs two), or -ENOMEM.
 */
int tlb_torture_run(enum tlb_broken broken, unsigned int ms, bool delays,
		    struct tlb_torture_result *r);

#endif
