/*
 * Faults in file mappings (mm/fault.h: filemap_fault). The page comes from the file's page
 * cache (vm_file->ops->get_page), and what the entry may do depends on the mapping:
 *
 *   shared, write notify (ext2)	read: the cache page, read-only. Write: the page is made
 *					dirty (set_page_dirty), then the entry writable and dirty.
 *					A write to the read-only entry later (after writeback
 *					cleaned it) is the write-protect fault: do_wp_page hands
 *					it to wp_page_shared, which dirties the page again.
 *   shared, no write notify (tmpfs)	the cache page, writable at once if the VMA allows it;
 *					never counted dirty, never written back
 *   private				read: the cache page, read-only. Write: a private copy
 *					(copy-on-write from the page cache), an anonymous page
 *
 * The functions under page_table_lock are named after Linux's mm/memory.c: file_pte_fault
 * (handle_pte_fault) sends an empty entry to do_file_page (do_read_fault, do_cow_fault,
 * do_shared_fault) and a write to a read-only entry to do_wp_page. What needs to sleep
 * (reading the page, page_mkwrite, copying) is asked of filemap_fault, which does it out of
 * the lock and tries again.
 *
 * A fault at or past the file's last page is not resolved (-EFAULT through the exception
 * table: SIGBUS in Linux). The size is looked at only when the entry is empty and the page
 * must come from the cache: a write-protect fault finds its page in the entry.
 *
 * The invariant of dirty tracking ("mm: tracking shared dirty pages", Linux 2.6.19) is kept by
 * the order under page_table_lock: PG_dirty is set before the entry becomes writable, and
 * page_mkclean clears the entry under the same lock after writeback took PG_dirty. So a
 * writable entry never maps a page whose dirty bit writeback has taken without page_mkclean
 * cleaning it afterwards.
 *
 * Each mapped cache page holds a reference and a mapcount for its entry; unmapping drops them
 * (put_user_pages) but leaves the page, and its PG_dirty, in the cache.
 *
 * Lock order: as mm/rmap.c has it. Here: mmap_lock (read), the filesystem's locks in get_page
 * and page_mkwrite (ext2: i_rwsem), then page_table_lock, then the mapping's lock
 * (set_page_dirty).
 */
#include "mm/fault.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/vm_file.h"
#include "mm/memory.h"
#include "mm/rmap.h"
#include "mm/filemap.h"
#include "mm/writeback.h"
#include "mm/tlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/swap.h"
#include "arch/x86_64/tlb.h"
#include "lib/errno.h"
#include "lib/string.h"

struct fault_ctx {
	struct vm_area *vma;
	uint64_t addr;
	bool write, shared, notify;
	struct page *page; /* the cache page for an empty entry, referenced */
	struct page *src;  /* the page a retry needs outside the lock (to copy, to ready) */
	struct page *copy; /* a private copy, ready for a private write */
	bool ready;	   /* page_mkwrite done for src */
};

/* What file_pte_fault wants before it can go on, out of page_table_lock. */
enum { DONE = 0, NEED_PAGE = 1, NEED_COPY = 2, NEED_MKWRITE = 3 };

/* page_table_lock held: maps the cache page into an empty entry. */
static void map_cache_page(struct fault_ctx *c, pte_t *pte)
{
	struct mm *mm = c->vma->mm;
	bool writable = c->shared && (c->write || !c->notify);
	pte_t e = page_to_phys(c->page) | vma_leaf_flags(c->vma, writable);

	/* Counted as mapped before the dirty bit is looked at: page_mkclean skips a page with no
	   mappings, so a writeback that takes PG_dirty after our look must see the count and
	   come to this entry (under page_table_lock, which we hold). */
	page_add_file_rmap(c->page);
	if (c->write && c->notify)
		set_page_dirty(c->page); /* before the entry is writable */
	if (c->write && (e & PTE_W))
		e |= PTE_D;
	WRITE_ONCE(*pte, e);
	c->page = NULL; /* the entry has the reference now */
	mm->nr_pages++;
	count_user_page(1);
	if (c->write)
		count_fault(file_write);
	else
		count_fault(file_read);
}

/* page_table_lock held: a private copy replaces the entry (empty, a cache page, or a copy
   that dup_mm left shared with another mm). */
static void map_copy(struct fault_ctx *c, pte_t *pte, pte_t old)
{
	struct mm *mm = c->vma->mm;
	pte_t e = page_to_phys(c->copy) | vma_leaf_flags(c->vma, true) | PTE_D;

	if (pte_present(old)) { /* every CPU drops the old entry before the new one is seen */
		struct page *prev = phys_to_page(pte_addr(old));

		WRITE_ONCE(*pte, 0);
		flush_tlb_range(mm, c->addr, c->addr + PAGE_SIZE);
		if (page_is_file_mapped(prev)) /* else a copy another mm shares (dup_mm) */
			page_remove_file_rmap(prev);
		put_page(prev);
	} else {
		mm->nr_pages++;
		count_user_page(1);
	}
	WRITE_ONCE(*pte, e);
	c->copy = NULL;
	count_fault(file_cow);
}

/* page_table_lock held: the copy made is of the page the entry still maps (or, for an empty
   entry, of the cache page), else it is stale and made again. */
static bool copy_fits(struct fault_ctx *c, pte_t e)
{
	return c->copy && c->src == (pte_present(e) ? phys_to_page(pte_addr(e)) : c->page);
}

/* Asks filemap_fault for what the fault needs out of page_table_lock (what), with src
   referenced until the retry. */
static int retry_with(struct fault_ctx *c, struct page *src, int what)
{
	if (c->src)
		put_page(c->src);
	get_page(src);
	c->src = src;
	return what;
}

/* page_table_lock held: the entry gains the write right it lacked (Linux's wp_page_reuse). No
   flush: the entry only gains a right, and a #PF already dropped this CPU's TLB entry for the
   address (Intel SDM vol. 3, 4.10.4.3); other CPUs that still cache the read-only entry fault
   once and find it writable (the spurious case of file_pte_fault). */
static void wp_page_reuse(pte_t *pte, pte_t e)
{
	WRITE_ONCE(*pte, e | PTE_W | PTE_D);
}

/*
 * page_table_lock held: the write-protect fault of dirty tracking, a write to a clean page of a
 * shared mapping that writeback (or the first read fault) left read-only. The filesystem is
 * told of every such write (page_mkwrite, out of the lock: a retry), as Linux's do_wp_page
 * tells it: it readies the page (blocks under holes) and updates the file's modification
 * time. Then the page is made dirty, then the entry writable.
 *
 * Linux's wp_page_shared makes the entry writable first and dirties the page after
 * (fault_dirty_shared_page), with the page lock keeping clear_page_dirty_for_io out between
 * the two. We have no page lock: the order itself keeps the invariant, since PG_dirty is set
 * before any write can go through, and page_mkclean takes this page_table_lock to look at the
 * entry, so a writeback that took PG_dirty before us finds the entry writable and cleans it.
 * balance_dirty_pages runs later, in handle_mm_fault, with no lock held.
 */
static int wp_page_shared(struct fault_ctx *c, pte_t *pte, pte_t e, struct page *page)
{
	if (!(c->ready && c->src == page))
		return retry_with(c, page, NEED_MKWRITE);
	set_page_dirty(page); /* before the entry is writable */
	count_fault(wp_dirty);
	wp_page_reuse(pte, e);
	return DONE;
}

/* page_table_lock held: a private write to the cache page replaces it with a copy. */
static int wp_page_copy(struct fault_ctx *c, pte_t *pte, pte_t e, struct page *page)
{
	if (!copy_fits(c, e))
		return retry_with(c, page, NEED_COPY);
	map_copy(c, pte, e);
	return DONE;
}

/*
 * Whether page goes to page_mkwrite before an entry lets a write to it through:
 * every write to a shared mapping with write notification (Linux's do_shared_fault). Without
 * it (as before Linux 2.6.19) a read maps the page writable too, and no later write tells the
 * filesystem: the blocks under a hole are allocated at that first fault, since ext2's
 * writeback never allocates.
 */
static bool needs_mkwrite(const struct fault_ctx *c, const struct page *page)
{
	struct vm_area *vma = c->vma;

	if (!c->shared)
		return false;
	if (c->notify)
		return c->write;
	return (vma->prot & PROT_WRITE) && mapping_cap_account_dirty(vma->file->mapping) &&
	       !(READ_ONCE(page->flags) & PG_mappedtodisk);
}

/*
 * page_table_lock held: a write to a present, read-only entry. Decides, as Linux's do_wp_page
 * does, between dirtying a shared page (wp_page_shared), reusing a page this mm may write
 * (wp_page_reuse) and copying (wp_page_copy).
 *
 * No page-cache lookup and no size check: the entry has the page, and truncate removes the
 * entries past the end of the file (unmap_mapping_pages). In the moment between dropping the
 * page from the cache and removing the entry, ext2's page_mkwrite waits for truncate and then
 * finds the page gone (SIGBUS).
 */
static int do_wp_page(struct fault_ctx *c, pte_t *pte, pte_t e)
{
	struct page *page = phys_to_page(pte_addr(e));

	if (c->shared && c->notify)
		return wp_page_shared(c, pte, e, page);
	if (c->shared || (!page_is_file_mapped(page) && page_anon_exclusive(page))) {
		/* tmpfs after mprotect, an anonymous copy made read-only, or a mapping without
		   write notification made writable by mprotect (a hole is allocated first). A
		   copy that dup_mm shares with another mm is copied again instead. */
		if (needs_mkwrite(c, page) && !(c->ready && c->src == page))
			return retry_with(c, page, NEED_MKWRITE);
		count_fault(reuse);
		wp_page_reuse(pte, e);
		return DONE;
	}
	return wp_page_copy(c, pte, e, page);
}

/* page_table_lock held: an empty entry gets the cache page, or a private copy of it. */
static int do_file_page(struct fault_ctx *c, pte_t *pte, pte_t e)
{
	if (!c->page)
		return NEED_PAGE;
	/* Truncated since the lookup: truncate's unmap_mapping_pages has run or waits for this
	   lock, and must not find the page mapped again behind it (SIGBUS). */
	if (!READ_ONCE(c->page->mapping))
		return -EIO;
	if (c->write && !c->shared) {
		if (!copy_fits(c, e))
			return retry_with(c, c->page, NEED_COPY);
		map_copy(c, pte, e);
	} else {
		map_cache_page(c, pte);
	}
	return DONE;
}

/* One attempt under page_table_lock, as Linux's handle_pte_fault: DONE (0), an error, or what
   it needs first (NEED_*). */
static int file_pte_fault(struct fault_ctx *c, pte_t *pte)
{
	pte_t e = READ_ONCE(*pte);

	if (!pte_present(e) && (e & PTE_PROTNONE)) { /* hidden by mprotect, allowed again */
		struct page *page = phys_to_page(pte_addr(e));
		/* An anonymous copy is the mm's own unless dup_mm shares it; a cache page stays
		   read-only where writes must be seen (write notify) or copied (private). */
		bool own = !page_is_file_mapped(page) && page_anon_exclusive(page);

		/* Its dirty bit stays: without write notification it is the only sign of the
		   writes before mprotect, and msync or munmap must still find it. */
		WRITE_ONCE(*pte, pte_addr(e) | (e & PTE_D) |
					 vma_leaf_flags(c->vma, own || (c->shared && !c->notify)));
		count_fault(protnone);
		return DONE;
	}
	if (!pte_present(e))
		return do_file_page(c, pte, e);
	if (c->write && !(e & PTE_W))
		return do_wp_page(c, pte, e);
	/* Another thread got here first, or this TLB was stale. */
	local_flush_tlb_page(c->addr);
	count_fault(spurious);
	return DONE;
}

/* No page for the fault: out of memory, or SIGBUS's -EIO (past the end of the file, or the
   filesystem could not give or ready the page). */
static int fault_failed(int err)
{
	if (err == -ENOMEM) {
		count_fault(oom);
		return -ENOMEM;
	}
	count_fault(sigbus);
	return -EIO;
}

/* The filesystem readies page for writes through a mapping; 0 or a negative errno. */
static int page_mkwrite(struct vm_file *vf, struct page *page)
{
	count_fault(mkwrite);
	return vf->ops->page_mkwrite ? vf->ops->page_mkwrite(vf, page) : 0;
}

static uint64_t file_pages(struct vm_file *vf)
{
	return (vf->ops->size(vf) + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/*
 * Resolves a fault at addr (page aligned) in vma, a file mapping. The caller holds mmap_lock
 * for reading; filemap_fault takes page_table_lock for each attempt and sleeps between them
 * (the filesystem reads the page, page_mkwrite allocates blocks, a copy is allocated).
 * Returns 0 when the access may be retried, -ENOMEM, or -EIO (past the end of the file, or
 * the filesystem failed: SIGBUS). The caller throttles a writer (balance_dirty_pages).
 */
int filemap_fault(struct vm_area *vma, uint64_t addr, bool write)
{
	struct vm_file *vf = vma->file;
	struct mm *mm = vma->mm;
	uint64_t index = vma->pgoff + (addr - vma->start) / PAGE_SIZE;
	struct fault_ctx c = {
		.vma = vma,
		.addr = addr,
		.write = write,
		.shared = vma->flags & MAP_SHARED,
		.notify = vma->writenotify,
	};
	int ret;

	for (;;) {
		pte_t *pte;

		spin_lock(&mm->page_table_lock);
		pte = mm_pte(mm, addr, true);
		ret = pte ? file_pte_fault(&c, pte) : -ENOMEM;
		spin_unlock(&mm->page_table_lock);
		if (ret == NEED_PAGE) { /* from the page cache, read from the disk if need be */
			if (index >= file_pages(vf)) {
				ret = -EIO; /* past the end of the file: SIGBUS */
				break;
			}
			if ((ret = vf->ops->get_page(vf, index, &c.page)))
				break;
			/* A write to a shared mapping: the filesystem readies the page (blocks
			   under holes) before an entry lets the write through. */
			if (needs_mkwrite(&c, c.page) && (ret = page_mkwrite(vf, c.page)))
				break;
		} else if (ret == NEED_MKWRITE) {
			if ((ret = page_mkwrite(vf, c.src)))
				break;
			c.ready = true;
		} else if (ret == NEED_COPY) {
			if (!c.copy && !(c.copy = alloc_page())) {
				ret = -ENOMEM;
				break;
			}
			memcpy(page_address(c.copy), page_address(c.src), PAGE_SIZE);
		} else {
			break;
		}
	}
	if (c.copy) /* made, then not needed */
		free_page(c.copy);
	if (c.page) /* not mapped: the entry did not take the reference */
		put_page(c.page);
	if (c.src)
		put_page(c.src);
	return ret < 0 ? fault_failed(ret) : 0;
}
