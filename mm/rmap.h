/*
 * The reverse map of file pages: from a page-cache page to the page-table entries that map it.
 * Each mapping (address_space) keeps the list of VMAs that map its file, i_mmap, under its
 * i_mmap_lock; a page at index i is mapped by a VMA at start + (i - pgoff) pages when pgoff <=
 * i < pgoff + its length. page->mapcount counts the entries.
 *
 * page_mkclean(page) is what writeback needs ("mm: tracking shared dirty pages", Linux 2.6.19): it
 * write-protects and cleans every entry of a shared mapping that maps the page, then shoots down
 * the TLBs of those mms, so that the next write through any of them faults and dirties the page
 * again.
 *
 * Lock order: at the top of mm/rmap.c, for all of mm and fs.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/page.h"

struct address_space;
struct page;
struct vm_area;

/* vma (with its file set) joins / leaves its file's i_mmap. */
void vma_link_file(struct vm_area *vma);
void vma_unlink_file(struct vm_area *vma);
/* vma is cut at high->start: vma shrinks and high joins i_mmap, in one step for walkers. */
void vma_split_file(struct vm_area *vma, struct vm_area *high);

bool vma_wants_writenotify(const struct vm_area *vma);
/* Write notification for the mappings made from now on (1, the default) or not (0: shared
   mappings as before Linux 2.6.19, dirtiness found only in the entries' dirty bits; the
   VMA remembers it in no_writenotify). */
extern bool dirty_writenotify;

/* An entry now maps / no longer maps the page-cache page. Inline, like the three below: the
   fault and the unmap of every page use them. The add is a full barrier: the fault reads
   PG_dirty after it (see map_cache_page in mm/filemap_fault.c). */
static inline void page_add_file_rmap(struct page *page)
{
	__atomic_add_fetch(&page->mapcount, 1, __ATOMIC_SEQ_CST);
}

static inline void page_remove_file_rmap(struct page *page)
{
	__atomic_sub_fetch(&page->mapcount, 1, __ATOMIC_RELAXED);
}

/* True for a page-cache page mapped into some mm (as opposed to an anonymous page). */
static inline bool page_is_file_mapped(const struct page *page)
{
	return __atomic_load_n(&page->mapcount, __ATOMIC_RELAXED) > 0;
}

/*
 * Broken on purpose, for the self-check of `torture writeback` (fs/torture/writeback_torture.c):
 * each takes out one piece that keeps a write from being lost between the write fault and the disk.
 * DIRTY_SOUND always, but while that self-check runs.
 *   DIRTY_BROKEN_MKCLEAN_KEEPS_WRITE  page_mkclean clears the dirty bit and leaves the entry
 *                                     writable: later writes never fault, the page stays clean
 *   DIRTY_BROKEN_ZAP_FLUSH_UNLOCKED   the zap of a writable shared file entry flushes only after
 *                                     page_table_lock is dropped (Linux before 2022)
 *   DIRTY_BROKEN_PROTNONE_UNSEEN      mprotect(PROT_NONE) drops the dirty bit of the entry it
 *                                     hides, so page_mkclean passes over it before mprotect's
 *                                     flush
 */
enum dirty_broken {
	DIRTY_SOUND,
	DIRTY_BROKEN_MKCLEAN_KEEPS_WRITE,
	DIRTY_BROKEN_ZAP_FLUSH_UNLOCKED,
	DIRTY_BROKEN_PROTNONE_UNSEEN,
};
extern enum dirty_broken dirty_broken;

/* Write-protects and cleans every shared entry mapping page; returns how many it changed. */
int page_mkclean(struct page *page);
/* The same, setting *dirty when an entry it cleaned was dirty. */
int page_mkclean_dirty(struct page *page, bool *dirty);
/* In mm/memory.c, as in Linux; declared here for the filesystems that truncate. */
void unmap_mapping_pages(struct address_space *m, uint64_t first);

#endif
