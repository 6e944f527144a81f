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
 * Frees them together, but for the zero page and page-cache pages, which only lose the
 * entry's reference and mapcount (the array is reordered). Never sleeps; the caller may hold
 * page_table_lock (it then takes zone_lock below it).
 */
void put_user_pages(struct page **pages, unsigned int n)
{
	unsigned int kept = 0, cached = 0;

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
		pages[kept++] = pages[i];
	}
	count_user_page(-(int)(kept + cached));
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
