/*
 * The vmap area (VMAP_BASE, one PML4 slot): kernel virtual addresses backed by pages that need
 * not be contiguous, with holes that fault. Its layout:
 *
 *	VMAP_BASE          + 0 .. 256 MiB  kernel stacks: 4096 slots of 64 KiB
 *	VMAP_SCRATCH_BASE  (last 1 GiB)    free for tests to map and unmap by hand
 *
 * A stack slot is laid out as [guard page][stack pages][unused]: the guard page is never
 * mapped, so running off the bottom of a stack faults at once instead of corrupting the
 * memory below it.
 */
#ifndef MM_VMAP_H
#define MM_VMAP_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/memlayout.h"

#define VMAP_STACK_SLOT_SIZE (64UL << 10)
#define VMAP_STACK_SLOTS     4096
#define VMAP_STACK_MAX_PAGES (VMAP_STACK_SLOT_SIZE / PAGE_SIZE - 1)
#define VMAP_SCRATCH_BASE    (VMAP_BASE + VMAP_SIZE - (1UL << 30))
#define VMAP_SCRATCH_SIZE    (1UL << 30)

/*
 * A kernel stack of pages pages (1..VMAP_STACK_MAX_PAGES) with an unmapped guard page below.
 * Returns its top (the first byte above it: the initial stack pointer), or NULL when out of
 * memory or slots, or when pages is out of range.
 */
void *vmap_stack_alloc(unsigned int pages);

/*
 * Unmaps and frees a stack vmap_stack_alloc returned, after flushing it from every CPU's TLB.
 * Panics on any other address. Once other CPUs are online it waits for them (by IPI), so it
 * must be called with interrupts on (it panics otherwise) and no spinlock held.
 */
void vmap_stack_free(void *top);

/* Stacks allocated and not yet freed. */
unsigned int vmap_stacks_in_use(void);
/* True when addr is in the guard page of a stack now in use (for the double-fault report). */
bool vmap_is_guard_page(uint64_t addr);

#endif
