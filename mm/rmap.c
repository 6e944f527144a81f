/*
 * The reverse map of file pages (mm/rmap.h).
 *
 * Linux walks an interval tree of VMAs; the list here is walked whole, which costs little for
 * the handful of mappings a file has in this kernel.
 *
 * The lock order of mm and fs, outermost first. Every other file of mm/ and fs/ that takes
 * more than one of these points here and states only its own additions.
 *
 *   bdi_mutex                        the flusher, around a device's writeback (mm/writeback.c)
 *     mmap_lock                      faults (read), mmap, munmap and mprotect (write)
 *       inode->i_rwsem               the filesystem: get_page and page_mkwrite in a fault,
 *                                    write, truncate, sync (write_cache_pages)
 *         PG_writeback               waited for, never spun on, with no spinlock held
 *           mapping->i_mmap_lock     the reverse map: page_mkclean, unmap_mapping_pages
 *             mm->page_table_lock    an mm's entries: faults, zap, page_mkclean
 *               mapping->lock        the page cache and its dirty counts (set_page_dirty)
 *               quarantine_lock      the tests' free quarantines (mm/torture)
 *                 zone_lock          the buddy (mm/page_alloc.c), under any of the above
 *
 * How and why ours differs from Linux's (whose mm/rmap.c has the same table):
 *  - Linux takes i_rwsem outside mmap_lock: a write(2) copies from user memory, which may
 *    fault, while it holds i_rwsem, and no fault takes i_rwsem. Here a fault takes i_rwsem
 *    (ext2's get_page and page_mkwrite read the file under it), and read and write copy from
 *    kernel buffers only, so nothing takes mmap_lock inside i_rwsem, and the order is the
 *    other way round. Truncate holds i_rwsem without mmap_lock (unmap_mapping_pages):
 *    i_mmap_lock keeps each VMA and its tables alive, since munmap unlinks a VMA from i_mmap
 *    before it frees the tables.
 *  - Linux's i_mmap_rwsem is a sleeping rwsem (a mutex, i_mmap_mutex, since the series of
 *    "mm: mmu_gather rework", 2.6.39, which made unmapping preemptible); our i_mmap_lock is a
 *    mutex too, so truncate's unmap and page_mkclean run preemptible under it and wait for
 *    their shootdowns under no spinlock. Linux readers share it (page_mkclean takes it for
 *    reading); ours is exclusive.
 *  - Linux locks each page table (split pte locks) and each page (folio_lock, between
 *    mmap_lock and i_mmap_rwsem); we take one page_table_lock per mm and lock no pages:
 *    PG_writeback is our only page-level wait.
 *  - Linux's i_pages lock is the mapping's xarray lock; ours, mapping->lock, covers our radix
 *    tree and the dirty counts. Both are taken inside the page-table lock, by set_page_dirty
 *    from the write-protect fault.
 *  - We have no anon_vma: private pages are found through their page tables only.
 */
#include "mm/rmap.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/vm_file.h"
#include "mm/memory.h"
#include "mm/filemap.h"
#include "mm/backing-dev.h"
#include "mm/writeback.h"
#include "mm/page.h"
#include "mm/tlb.h"
#include "mm/page_alloc.h"
#include "kernel/locking/spinlock.h"
#include "kernel/locking/mutex.h"
#include "kernel/delay_point.h"

/* vma (with its file set) joins / leaves its file's i_mmap. */
void vma_link_file(struct vm_area *vma)
{
	struct address_space *m = vma->file->mapping;

	mutex_lock(&m->i_mmap_lock);
	list_add_tail(&vma->shared, &m->i_mmap);
	mutex_unlock(&m->i_mmap_lock);
}

void vma_unlink_file(struct vm_area *vma)
{
	struct address_space *m = vma->file->mapping;

	if (list_empty(&vma->shared)) /* never linked */
		return;
	mutex_lock(&m->i_mmap_lock);
	list_del_init(&vma->shared);
	mutex_unlock(&m->i_mmap_lock);
}

/* vma is cut at high->start: vma shrinks and high joins i_mmap, in one step for walkers. */
void vma_split_file(struct vm_area *vma, struct vm_area *high)
{
	struct address_space *m = vma->file->mapping;

	mutex_lock(&m->i_mmap_lock);
	vma->end = high->start;
	list_add(&high->shared, &vma->shared);
	mutex_unlock(&m->i_mmap_lock);
}

/* 1 (the default): shared writable mappings of a device that accounts dirty pages get write
   notification. 0: they do not, as before Linux 2.6.19 (`dirty set writenotify 0`). Read by
   mmap: a mapping keeps what it was made with (vma->no_writenotify), mprotect and splits
   included. */
bool dirty_writenotify = true;

/* A shared, writable mapping of a file whose device accounts dirty pages: clean pages are
   mapped read-only and the first write faults (Linux's vma_wants_writenotify, since 2.6.19).
   mmap and mprotect keep the answer in vma->writenotify, where the fault reads it, as Linux
   keeps it in vm_page_prot. */
bool vma_wants_writenotify(const struct vm_area *vma)
{
	/* Shared and writable; no "special" (pfn) mappings exist here to exclude; and the
	   device counts dirty pages. */
	if (!vma->file || !(vma->flags & MAP_SHARED) || !(vma->prot & PROT_WRITE))
		return false;
	return !vma->no_writenotify && mapping_cap_account_dirty(vma->file->mapping);
}

enum dirty_broken dirty_broken = DIRTY_SOUND;

/* An entry, present or hidden by mprotect(PROT_NONE), which may have been written through:
   a TLB may still hold it writable until someone flushes. */
static bool entry_may_write_any(pte_t e)
{
	return (pte_present(e) || (e & PTE_PROTNONE)) && (e & (PTE_W | PTE_D));
}

/* The same, for an entry that maps page. */
static bool entry_may_write(pte_t e, const struct page *page)
{
	return entry_may_write_any(e) && pte_addr(e) == page_to_phys(page);
}

static DEFINE_DELAY_POINT(dp_mkclean_entry, "mkclean-entry",
			  "page_mkclean: the entry read, not yet replaced by its clean form");

/*
 * Takes clear out of the entry in one atomic step and returns the entry it replaced. The
 * hardware sets the dirty bit of an entry with a locked write of its own, without our lock:
 * a read followed by a plain write of the cleaned value would erase a dirty bit set between
 * the two, and with it the only trace of a write through a mapping without write
 * notification. The compare-and-exchange fails then, and the loop reads the entry again.
 * Linux's page_mkclean_one uses ptep_clear_flush for the same reason.
 */
static pte_t ptep_clear_bits(pte_t *pte, pte_t clear)
{
	pte_t e = READ_ONCE(*pte);

	do {
		if (!entry_may_write_any(e))
			return e;
		delay_point(&dp_mkclean_entry);
	} while (!__atomic_compare_exchange_n(pte, &e, e & ~clear, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return e;
}

/*
 * Cleans the entry of vma that maps page, if any: true when it was writable or dirty, and
 * *dirty set when it was dirty. With write notification the entry loses W and D, so the next
 * write faults; without it (as before Linux 2.6.19) only D, as msync's scan of the page
 * tables did then. page_table_lock orders this against the zap (mm/memory.c): the zap of a
 * writable entry of a shared file page flushes before it drops the lock, so an entry this
 * walk finds gone can no longer be written through; an entry still here is cleaned and
 * flushed below.
 */
static bool mkclean_one(struct vm_area *vma, struct page *page, bool *dirty)
{
	struct mm *mm = vma->mm;
	uint64_t addr = vma->start + (page->index - vma->pgoff) * PAGE_SIZE;
	pte_t clear = vma->writenotify ? PTE_W | PTE_D : PTE_D;
	bool cleaned = false;
	pte_t *pte;

	if (unlikely(READ_ONCE(dirty_broken) == DIRTY_BROKEN_MKCLEAN_KEEPS_WRITE))
		clear = PTE_D; /* torture writeback's broken variant: writes go on without a fault */

	spin_lock(&mm->page_table_lock);
	pte = mm_pte(mm, addr, false);
	if (pte && pte_addr(READ_ONCE(*pte)) == page_to_phys(page)) {
		pte_t e = ptep_clear_bits(pte, clear);

		if (entry_may_write(e, page)) {
			cleaned = true;
			*dirty |= !!(e & PTE_D);
		}
	}
	spin_unlock(&mm->page_table_lock);
	/* Before the caller writes the page, no CPU may still write through the old entry. */
	if (cleaned)
		flush_tlb_range(mm, addr, addr + PAGE_SIZE);
	return cleaned;
}

/*
 * page_mkclean_dirty - cleans every shared entry mapping page (write-protects it too where
 * the mapping wants write notification) and shoots down the TLBs that may hold it. Returns
 * how many entries it changed; *dirty is set when one of them was dirty, which for a mapping
 * without write notification is the only sign that the page was written through it.
 */
int page_mkclean_dirty(struct page *page, bool *dirty)
{
	struct address_space *m = page->mapping;
	struct vm_area *vma;
	int cleaned = 0;

	/* No mapping: nothing to clean. A fault about to map the page counted it before it
	   looked at PG_dirty (map_cache_page), and our caller cleared PG_dirty with a locked
	   instruction before this read: either we see the count, or the fault sees the page
	   clean and dirties it again. */
	if (!m || !page_is_file_mapped(page))
		return 0;
	mutex_lock(&m->i_mmap_lock);
	list_for_each_entry(vma, &m->i_mmap, shared) {
		uint64_t pages = (vma->end - vma->start) / PAGE_SIZE;

		/* A private mapping never maps a cache page writable: it copies first. */
		if (!(vma->flags & MAP_SHARED) || page->index < vma->pgoff ||
		    page->index >= vma->pgoff + pages)
			continue;
		cleaned += mkclean_one(vma, page, dirty);
	}
	mutex_unlock(&m->i_mmap_lock);
	count_ptes_cleaned(cleaned);
	return cleaned;
}

/* Write-protects and cleans every shared entry mapping page; returns how many it changed.
   Writeback's form: the page is about to be written, whatever the entries said. */
int page_mkclean(struct page *page)
{
	bool dirty = false;

	return page_mkclean_dirty(page, &dirty);
}
