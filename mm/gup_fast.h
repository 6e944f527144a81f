/*
 * A lockless page-table walk, like Linux's get_user_pages_fast(): it finds the page mapped at
 * an address of an mm without mmap_lock or page_table_lock, so it may run while another CPU
 * unmaps the range and frees the page tables. It is safe because:
 *   - it runs with interrupts off and inside rcu_read_lock(), and the mmu_gather frees page
 *     tables only a grace period after unlinking them (or, when it has no memory for that,
 *     after an IPI to every CPU, which cannot be taken while interrupts are off);
 *   - it reads each entry once, and a table is linked only after it was zeroed.
 * The walk checks what it relies on: every table it steps into must still be a page table
 * (PG_pgtable). A walk that reaches a freed one is counted, and the tests fail on it.
 */
#ifndef MM_GUP_FAST_H
#define MM_GUP_FAST_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/memlayout.h"

struct mm;

/* The physical address va maps to (and the leaf entry), or false when nothing is mapped. */
bool gup_fast_walk(struct mm *mm, uint64_t va, phys_addr_t *pa, uint64_t *entry);

uint64_t gup_fast_freed_tables(void);

#endif
