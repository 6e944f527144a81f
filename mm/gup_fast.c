/* The lockless page-table walk (mm/gup_fast.h). */
#include "mm/gup_fast.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "kernel/rcu/rcu.h"
#include "kernel/locking/spinlock.h"
#include "kernel/delay_point.h"
#include "lib/atomic.h"

static atomic64_t freed_tables;

static DEFINE_DELAY_POINT(
	dp_gup_fast_pt, "gup-fast-pt",
	"the lockless walk, between reading the PD entry and reading the page table it "
	"links: an unmap may unlink and free that table meanwhile");

static bool still_a_table(const struct page *tp)
{
	if (READ_ONCE(tp->flags) & PG_pgtable)
		return true;
	atomic64_add_return(1, &freed_tables);
	return false;
}

/* The physical address va maps to (and the leaf entry), or false when nothing is mapped. */
bool gup_fast_walk(struct mm *mm, uint64_t va, phys_addr_t *pa, uint64_t *entry)
{
	unsigned long flags = local_irq_save();
	pte_t *table = mm->pml4; /* the caller holds the mm: its PML4 stays */
	struct page *tp = NULL;
	bool found = false;

	rcu_read_lock();
	for (int level = 4; level >= 1; level--) {
		/* Acquire: pairs with the release store of the entry in mm_pte() (mm/memory.c) and
		   pgtable_walk() (mm/pgtable.c), so a table just linked is read zeroed, not as it
		   was before; and with smp_wmb() in quarantine_table() (mm/torture/
		   free_quarantine.c), so a walker that reads its poison sees PG_pgtable gone. */
		pte_t e = __atomic_load_n(&table[pt_index(va, level)], __ATOMIC_ACQUIRE);

		/* Was the table freed while we read from it? Then e is garbage. */
		if ((tp && !still_a_table(tp)) || !pte_present(e))
			break;
		if (level == 1) {
			*pa = pte_addr(e) | (va & ~PAGE_MASK);
			*entry = e;
			found = true;
			break;
		}
		tp = phys_to_page(pte_addr(e));
		if (!still_a_table(tp))
			break;
		table = phys_to_virt(pte_addr(e));
		/* Only the grace period keeps the table from being freed under us from here on.
		   The window is widened at the last step: page tables are freed most often. */
		if (level == 2)
			delay_point(&dp_gup_fast_pt);
	}
	rcu_read_unlock();
	local_irq_restore(flags);
	return found;
}

/* Walks that stepped into a table that was no longer one, since boot: stays 0 unless a
   broken gather ran (the self-check of `torture tlb`, mm/mmu_gather.h). */
uint64_t gup_fast_freed_tables(void)
{
	return (uint64_t)atomic64_read(&freed_tables);
}
