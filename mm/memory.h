/*
 * The page tables of an address space: finding an entry, removing the mappings of a range
 * (zap) and freeing the tables a range no longer needs. Callers hold mmap_lock; the entries
 * change under mm->page_table_lock.
 */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/pgtable.h"
#include "arch/x86_64/memlayout.h"

struct mm;
struct page;
struct vm_area;
struct mmu_gather;

/* Pages mapped into address spaces right now (the zero page not counted). */
uint64_t nr_user_pages(void);
void count_user_page(int delta);

/* The one page of zeros that every untouched private page maps, read-only, until written. */
extern struct page *zero_page;

/* The costlier checks of page-table invariants (free_pgtables reads whole tables), like Linux's
   CONFIG_DEBUG_VM: on with debug_vm on the command line, and in every ktest boot. */
extern bool debug_vm;

/* The level-1 entry (4 KiB page) for va, creating the tables above it when alloc is set.
   NULL when a table is missing (and not alloc) or out of memory. Holds page_table_lock. */
pte_t *mm_pte(struct mm *mm, uint64_t va, bool alloc);

/* Clears the entries of [start, end) inside vma, giving their pages to tlb (mm/mmu_gather.h).
   Takes and drops page_table_lock; flushes through tlb whenever the gather fills. */
void zap_page_range(struct mmu_gather *tlb, struct vm_area *vma, uint64_t start, uint64_t end);

/* Unlinks and hands to tlb every page table that overlaps [start, end) and whose range no VMA
   uses any more. Takes page_table_lock. */
void free_pgtables(struct mmu_gather *tlb, struct mm *mm, uint64_t start, uint64_t end);

/* Drops the mappings' hold on n pages: frees them together, except the zero page and
   page-cache pages, which only lose the entry's reference and mapcount (the array is
   reordered). */
void put_user_pages(struct page **pages, unsigned int n);

/*
 * For the tests of the seed's invariant (no page freed while a TLB can still reach it): while a
 * quarantine is open, put_user_pages() fills each page with a poison pattern and keeps it
 * instead of freeing it. Closing it checks that every kept page still holds the poison (a
 * write through a stale TLB entry would have changed it), frees them, and returns how many had
 * been written; *kept says how many there were.
 */
#define USER_PAGE_POISON 0x6b6b6b6b6b6b6b6bULL
void user_page_quarantine_open(void);
unsigned int user_page_quarantine_close(unsigned int *kept);

/* Frees a page table of an address space once no walker can reach it (the mmu_gather calls
   it after the grace period), or keeps it in the table quarantine below while that is open. */
void free_user_pgtable(phys_addr_t table);

/*
 * The same for page tables, for the torture's self-check (mm/mmu_gather.h, enum tlb_broken):
 * while it is open, free_user_pgtable() takes PG_pgtable off the table, as a free does, so a
 * lockless walker still inside sees it is no table any more; fills it with a poison that reads
 * as non-present entries, so a walker that follows it goes nowhere; and keeps it. Closing it
 * waits for a grace period (a broken gather frees tables a walker may still be reading), then
 * checks the poison, frees the tables and returns how many had been written.
 */
#define USER_PGTABLE_POISON 0x6c6c6c6c6c6c6c6cULL
void user_pgtable_quarantine_open(void);
unsigned int user_pgtable_quarantine_close(unsigned int *kept);

#endif
