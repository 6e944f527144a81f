/*
 * Allocation failure on demand, for tests of the paths that handle it. One allocation is one
 * call of alloc_pages/alloc_page/alloc_page_zeroed, kmalloc/kzalloc or kmem_cache_alloc. The
 * pages slab and kmalloc take from the buddy allocator internally do not count again; the page
 * tables map_page allocates and the pages of a vmap stack do (they come from alloc_page).
 *
 *	alloc_fail_inject(1);		the next allocation returns NULL
 *	alloc_fail_inject_n(3, 2);	the 3rd and 4th allocations from now return NULL
 *	alloc_fail_cancel();		stop failing
 *
 * The count is global and atomic: allocations on other CPUs count too, so a test arms it right
 * before the call it means to fail, and cannot tell which CPU's allocation will fail while
 * others allocate.
 */
#ifndef MM_FAULT_INJECT_H
#define MM_FAULT_INJECT_H

#include <stdbool.h>

#define ALLOC_FAIL_FOREVER 0xffffffffu /* count for alloc_fail_inject_n: until cancelled */

void alloc_fail_inject(unsigned int nth);
void alloc_fail_inject_n(unsigned int nth, unsigned int count);
void alloc_fail_cancel(void);

/* Failures injected since boot. */
unsigned long alloc_fail_injected(void);

/* Called by the allocators once per allocation: true if this one must fail. */
bool alloc_should_fail(void);

#endif
