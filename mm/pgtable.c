/*
 * Page-table walks (see pgtable.h). A walk starts at the PML4 and, at each level, reads the
 * entry that the address's 9-bit index selects: present and not PS means "the next table is at
 * this physical address", which the kernel reads through the direct map.
 *
 * Locking: pgtable_lock (a spinlock taken with interrupts off, since an interrupt handler may
 * map) serialises every change: adding a missing table and setting or clearing a leaf entry.
 * Without it two CPUs mapping addresses under the same missing table (two ioremaps of nearby
 * device pages, say) could both allocate it, and the second store would orphan the first table
 * together with the mapping made through it. kernel_pml4 is the only PML4 so far, so one lock
 * covers all tables. Readers take no lock: every entry changes with one 8-byte store, a new
 * table is zeroed before its entry is published, and kernel tables are never freed, so a
 * walker (pgtable_translate, the CPU's own) sees each entry either before or after a change.
 * Lock order: vmap_lock (mm/vmap.c) may be held on entry; pgtable_lock, then zone_lock
 * (mm/page_alloc.c), taken inside it when a table is allocated.
 */
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/memmap.h"
#include "arch/x86_64/cpu.h"
#include "kernel/panic.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"
#include "lib/compiler.h"
#include "lib/errno.h"

pte_t *kernel_pml4;
phys_addr_t kernel_pml4_phys;
atomic64_t pgtable_pages;

static DEFINE_SPINLOCK(pgtable_lock);

phys_addr_t pgtable_alloc(void)
{
	phys_addr_t pa;

	if (page_alloc_ready()) {
		struct page *page = alloc_page();
		if (!page)
			return 0;
		page->flags |= PG_pgtable;
		pa = page_to_phys(page);
	} else {
		pa = early_alloc(1);
		if (!pa)
			return 0;
	}
	clear_page(phys_to_virt(pa));
	atomic64_inc(&pgtable_pages);
	return pa;
}

void pgtable_free(phys_addr_t pa)
{
	struct page *page = phys_to_page(pa);

	if (!(page->flags & PG_pgtable))
		panic("pgtable_free: %#llx is not a page table from the page allocator",
		      (unsigned long long)pa);
	page->flags &= ~PG_pgtable;
	atomic64_add_return(-1, &pgtable_pages);
	free_page(page);
}

/* pgtable_walk; with alloc set, the caller holds pgtable_lock. */
static int walk(pte_t *pml4, uint64_t va, int level, bool alloc, pte_t **entry)
{
	pte_t *table = pml4;

	if (!va_is_canonical(va) || level < 1 || level > PT_LEVELS - 1)
		return -EINVAL;
	for (int l = PT_LEVELS; l > level; l--) {
		pte_t *e = &table[pt_index(va, l)];
		pte_t v = READ_ONCE(*e);

		if (!pte_present(v)) {
			phys_addr_t pa;

			if (!alloc)
				return -ENOENT;
			pa = pgtable_alloc();
			if (!pa)
				return -ENOMEM;
			/*
			 * Intermediate entries allow everything; the leaf decides. User-half tables
			 * need PTE_U at every level for user mappings to work. The release store
			 * makes the zeroed table visible before the entry that leads to it; it
			 * pairs with the acquire load in gup_fast_walk() (mm/gup_fast.c).
			 */
			v = pa | PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
			smp_store_release(e, v);
		} else if (v & PTE_PS) {
			return -EEXIST;
		}
		table = phys_to_virt(pte_addr(v));
	}
	*entry = &table[pt_index(va, level)];
	return 0;
}

int pgtable_walk(pte_t *pml4, uint64_t va, int level, bool alloc, pte_t **entry)
{
	unsigned long flags;
	int err;

	if (!alloc)
		return walk(pml4, va, level, false, entry);
	spin_lock_irqsave(&pgtable_lock, flags);
	err = walk(pml4, va, level, true, entry);
	spin_unlock_irqrestore(&pgtable_lock, flags);
	return err;
}

static int map_at_level(pte_t *pml4, uint64_t va, phys_addr_t pa, uint64_t flags, int level)
{
	uint64_t size = pt_level_size(level);
	unsigned long irqflags;
	pte_t *e;
	int err;

	if (!IS_ALIGNED(va, size) || !IS_ALIGNED(pa, size) || (pa & ~PTE_ADDR_MASK))
		return -EINVAL;
	spin_lock_irqsave(&pgtable_lock, irqflags);
	err = walk(pml4, va, level, true, &e);
	if (!err && pte_present(*e))
		err = -EEXIST;
	if (!err) {
		WRITE_ONCE(*e, pa | (flags & ~PTE_ADDR_MASK) | PTE_P | (level > 1 ? PTE_PS : 0));
		invlpg(va); /* a not-present entry is never cached, but a stale walk may be */
	}
	spin_unlock_irqrestore(&pgtable_lock, irqflags);
	return err;
}

int map_page(pte_t *pml4, uint64_t va, phys_addr_t pa, uint64_t flags)
{
	return map_at_level(pml4, va, pa, flags & ~PTE_PS, 1);
}

int map_page_2m(pte_t *pml4, uint64_t va, phys_addr_t pa, uint64_t flags)
{
	return map_at_level(pml4, va, pa, flags, 2);
}

int unmap_page(pte_t *pml4, uint64_t va)
{
	unsigned long flags;
	int err = -ENOENT;
	pte_t *e;

	if (!IS_ALIGNED(va, PAGE_SIZE))
		return -ENOENT;
	spin_lock_irqsave(&pgtable_lock, flags);
	if (!walk(pml4, va, 1, false, &e) && pte_present(*e)) {
		WRITE_ONCE(*e, 0);
		invlpg(va);
		err = 0;
	}
	spin_unlock_irqrestore(&pgtable_lock, flags);
	return err;
}

bool pgtable_translate(pte_t *pml4, uint64_t va, phys_addr_t *pa, uint64_t *flags)
{
	pte_t *table = pml4;

	if (!va_is_canonical(va))
		return false;
	for (int l = PT_LEVELS; l >= 1; l--) {
		pte_t e = READ_ONCE(table[pt_index(va, l)]);
		uint64_t size = pt_level_size(l);

		if (!pte_present(e))
			return false;
		if (l == 1 || (e & PTE_PS)) {
			if (pa)
				*pa = (pte_addr(e) & ~(size - 1)) | (va & (size - 1));
			if (flags)
				*flags = pte_flags(e);
			return true;
		}
		table = phys_to_virt(pte_addr(e));
	}
	return false;
}
