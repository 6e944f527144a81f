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

pte_t *mm_pte(struct mm *mm, uint64_t va, bool alloc);

/* Clears the entries of [start, end) inside vma, giving their pages to tlb (mm/mmu_gather.h).
   Takes and drops page_table_lock; flushes through tlb whenever the gather fills. */
void zap_page_range(struct mmu_gather *tlb, struct vm_area *vma, uint64_t start, uint64_t end);
/* For the tests (tests/ktest/mmu_gather_test.c): called by the zap after it cleared the entries
   of a page table, page_table_lock still held. NULL but while a test runs. */
extern void (*zap_table_hook)(struct mm *mm);

/* dup_mm's copy of src_vma's entries into dst_vma (mm/memory.c): 0 or -ENOMEM. */
int copy_page_range(struct vm_area *dst_vma, struct vm_area *src_vma);

void free_pgtables(struct mmu_gather *tlb, struct mm *mm, uint64_t start, uint64_t end);

#endif
