/*
 * Releasing the pages and page tables that unmapping gathered (mm/swap.h), once the mmu_gather
 * has flushed every TLB that could reach them. Linux releases such pages in mm/swap.c
 * (release_pages), whose name we keep though we have no swap.
 */
#include "mm/swap.h"
#include "mm/memory.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/rmap.h"
#include "mm/filemap.h"
#include "lib/atomic.h"

void (*free_user_pages_hook)(struct page **pages, unsigned int n);
void (*free_user_pgtable_hook)(phys_addr_t table);

/*
 * put_user_pages - drop the mappings' hold on n pages whose entries are cleared and flushed.
 * Frees them together, but for the zero page, page-cache pages, which only lose the entry's
 * reference and mapcount, and anonymous pages another mm still maps after dup_mm, which only
 * lose the reference (the array is reordered). Never sleeps; the caller may hold
 * page_table_lock (it then takes zone_lock below it).
 */
bool page_anon_exclusive(struct page *page)
{
	return __atomic_load_n(&page->refcount, __ATOMIC_ACQUIRE) == 1;
}

bool put_anon_page_shared(struct page *page)
{
	int32_t r = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);

	/* A compare-and-exchange: two address spaces unmapping their copies at once must not
	   both see 2 and both leave the page (it would never be freed), nor both free it. */
	while (r > 1)
		if (__atomic_compare_exchange_n(&page->refcount, &r, r - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

void put_user_pages(struct page **pages, unsigned int n)
{
	unsigned int kept = 0, cached = 0, shared = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (pages[i] == zero_page) /* nobody's to free */
			continue;
		if (page_is_file_mapped(pages[i])) {
			/* A page-cache page: the cache owns it, and keeps its PG_dirty. Only the
			   entry's hold goes. */
			page_remove_file_rmap(pages[i]);
			put_page(pages[i]);
			cached++;
			continue;
		}
		if (put_anon_page_shared(pages[i])) { /* another mm still maps it (dup_mm) */
			shared++;
			continue;
		}
		pages[kept++] = pages[i];
	}
	count_user_page(-(int)(kept + cached + shared));
	void (*hook)(struct page **, unsigned int) = READ_ONCE(free_user_pages_hook);

	if (unlikely(hook))
		hook(pages, kept);
	else
		free_pages_bulk(pages, kept);
}

/*
 * free_user_pgtable - free a page table of an address space once no walker can reach it: the
 * mmu_gather calls it after the flush and a grace period. Never sleeps.
 */
void free_user_pgtable(phys_addr_t table)
{
	void (*hook)(phys_addr_t) = READ_ONCE(free_user_pgtable_hook);

	if (unlikely(hook))
		hook(table);
	else
		pgtable_free(table);
}
