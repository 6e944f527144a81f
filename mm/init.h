/* Bringing up memory management: called once from kmain, before anything allocates. */
#ifndef MM_INIT_H
#define MM_INIT_H

/*
 * Reads the memory map, loads the kernel page tables (no identity map from here on), builds
 * mem_map and the buddy allocator, then the kmalloc caches. Prints a summary.
 */
void mm_init(void);

#endif
