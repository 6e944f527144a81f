/*
 * The mmu_gather's variants (mm/mmu_gather_variants.h): the flushing the bench compares with
 * the mechanism, and the two broken gathers of the torture's self-check. The mechanism
 * (mm/mmu_gather.c) reaches each function here from one unlikely branch.
 */
#include "mm/mmu_gather_variants.h"
#include "mm/tlb.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "lib/atomic.h"

enum tlb_mode tlb_mode = TLB_BATCHED;

const char *const tlb_mode_names[NR_TLB_MODES] = {
	[TLB_BATCHED] = "batched", [TLB_UNBATCHED] = "unbatched", [TLB_BROADCAST] = "broadcast",
	[TLB_REWORK] = "rework",   [TLB_LEGACY] = "legacy",
};

/* The 2.6.38 gather's pages: one array per CPU (its per-CPU mmu_gathers), usable only while
   preemption is off, so that no other gather on this CPU can start meanwhile. */
struct legacy_gather {
	struct page *pages[FREE_PTE_NR];
};
static DEFINE_PER_CPU(struct legacy_gather, mmu_gathers);

/* The mm whose gathers break, and how (tlb_set_broken). The torture sets it before its threads
   start and sets it back after they are joined, so a gather reads a settled pair. */
static struct {
	struct mm *mm;
	enum tlb_broken how;
} broken;

/*
 * tlb_set_broken - from now on the gathers begun on mm break as how says; TLB_NOT_BROKEN (mm
 * then ignored) ends it. Only the torture's self-check calls it, with both quarantines of
 * mm/torture/free_quarantine.h open, and keeps them open until it has set it back and no
 * gather of mm is running any more.
 */
void tlb_set_broken(struct mm *mm, enum tlb_broken how)
{
	/* Not the gather's: the switch back from lazy (mm/tlb.c) breaks. */
	WRITE_ONCE(tlb_lazy_broken, how == TLB_BROKEN_LAZY_MISSED_FLUSH
					    ? TLB_LAZY_BROKEN_NO_MISSED_FLUSH
					    : TLB_LAZY_SOUND);
	if (how == TLB_BROKEN_LAZY_MISSED_FLUSH)
		how = TLB_NOT_BROKEN;
	WRITE_ONCE(broken.how, how);
	WRITE_ONCE(broken.mm, how == TLB_NOT_BROKEN ? NULL : mm);
}

/* Is a gather begun on mm now to be a variant? */
bool tlb_variant_wanted(struct mm *mm)
{
	return READ_ONCE(tlb_mode) != TLB_BATCHED || READ_ONCE(broken.mm) == mm;
}

/* Makes the gather just begun the variant asked for. Unbatched: one slot and no batch page,
   so __tlb_remove_page() says "full" after every page. Rework: one batch page at most. Legacy:
   no batch page; its per-CPU slots come with tlb_start_vma. */
void tlb_gather_variant(struct mmu_gather *tlb)
{
	tlb->variant = true;
	tlb->mode = (unsigned char)READ_ONCE(tlb_mode);
	if (READ_ONCE(broken.mm) == tlb->mm)
		tlb->broken = (unsigned char)READ_ONCE(broken.how);
	if (tlb->mode == TLB_UNBATCHED) {
		tlb->local.max = 1;
		tlb->batch_max = 0;
	} else if (tlb->mode == TLB_REWORK) {
		tlb->batch_max = 1;
	} else if (tlb->mode == TLB_LEGACY) {
		tlb->batch_max = 0;
	}
}

/*
 * The "before" (2.6.38): from here to tlb_end_vma the gather takes this CPU's array of
 * FREE_PTE_NR slots, so preemption stays off all that time, the whole zap of the VMA (2.6.38's
 * unmap_vmas ended it every ZAP_BLOCK_SIZE, 1024 pages without CONFIG_PREEMPT, 8 with it, and
 * flushed each time; docs/vm.md).
 */
void tlb_start_vma_variant(struct mmu_gather *tlb)
{
	if (tlb->mode != TLB_LEGACY)
		return;
	preempt_disable(); /* the end is in tlb_end_vma_variant() */
	tlb->local.pages = this_cpu_ptr(&mmu_gathers)->pages;
	tlb->local.max = FREE_PTE_NR;
}

/* The "before": the zap of the VMA ends with a flush and the frees, then the per-CPU slots go
   back, and preemption with them. */
void tlb_end_vma_variant(struct mmu_gather *tlb)
{
	if (tlb->mode != TLB_LEGACY)
		return;
	tlb_flush_mmu(tlb);
	tlb->local.pages = tlb->local_pages;
	tlb->local.max = MMU_GATHER_LOCAL;
	preempt_enable(); /* the start is in tlb_start_vma_variant() */
}

/* The "before": the per-CPU slots are full; 2.6.38's tlb_remove_page flushed right there,
   inside the page-table walk, page_table_lock held, and went on (the zap, mm/memory.c, goes on
   with the same table). True when it did. */
bool tlb_flush_in_walk_variant(struct mmu_gather *tlb)
{
	if (tlb->mode != TLB_LEGACY)
		return false;
	tlb_flush_mmu(tlb);
	return true;
}

/* The shootdown of tlb_flush(): to every online CPU when broadcasting. */
void tlb_flush_range_variant(struct mmu_gather *tlb)
{
	if (tlb->mode == TLB_BROADCAST)
		flush_tlb_range_broadcast(tlb->mm, tlb->start, tlb->end);
	else
		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, tlb_freed_tables(tlb));
}

/* Broken on purpose: the pages go before the flush, while other CPUs' TLBs still reach them
   (tlb_flush_mmu's own free then finds none). */
void tlb_free_before_flush_variant(struct mmu_gather *tlb)
{
	if (tlb->broken == TLB_BROKEN_FREE_BEFORE_FLUSH)
		tlb_batch_pages_flush(tlb);
}

/* Broken on purpose: no grace period. The flush's IPIs waited only for the CPUs that run the
   mm; a lockless walker elsewhere may still be inside one of these tables. Returns whether it
   freed them; if not, they wait for the grace period as usual. */
bool tlb_table_flush_variant(struct mmu_gather *tlb)
{
	if (tlb->broken != TLB_BROKEN_NO_TABLE_GRACE)
		return false;
	tlb_table_free(tlb);
	return true;
}
