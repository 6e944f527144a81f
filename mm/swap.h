/*
 * Releasing unmapped pages and page tables, after the TLB flush (mm/swap.c).
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include <stdbool.h>
#include "arch/x86_64/memlayout.h"

struct page;

void put_user_pages(struct page **pages, unsigned int n);

/*
 * Anonymous pages have no reverse map here (no anon_vma): after dup_mm an anonymous page is
 * mapped by several address spaces, one reference (page->refcount) per entry, and its
 * mapcount stays 0 (a non-zero mapcount is what marks a page-cache page, page_is_file_mapped).
 * page_anon_exclusive says the caller's entry is the only one: a write may reuse the page
 * instead of copying it (Linux's wp_can_reuse_anon_folio asks the same of the refcount). A
 * speculative reference (gup_fast) only makes the answer false, and a copy is never wrong.
 */
bool page_anon_exclusive(struct page *page);
/* Drops the reference of an entry of an anonymous page that was shared: true when others
   remain; false, with nothing done, when this was the last one (the caller frees). */
bool put_anon_page_shared(struct page *page);
void free_user_pgtable(phys_addr_t table);

/* Test-only: while set, they take the pages and tables the two above would free
   (mm/torture/free_quarantine.c). NULL in normal runs. */
extern void (*free_user_pages_hook)(struct page **pages, unsigned int n);
extern void (*free_user_pgtable_hook)(phys_addr_t table);

#endif
