/*
 * Releasing unmapped pages and page tables, after the TLB flush (mm/swap.c).
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include "arch/x86_64/memlayout.h"

struct page;

void put_user_pages(struct page **pages, unsigned int n);
void free_user_pgtable(phys_addr_t table);

/* Test-only: while set, they take the pages and tables the two above would free
   (mm/torture/free_quarantine.c). NULL in normal runs. */
extern void (*free_user_pages_hook)(struct page **pages, unsigned int n);
extern void (*free_user_pgtable_hook)(phys_addr_t table);

#endif
