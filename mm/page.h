/*
 * struct page: one per physical 4 KiB frame, from frame 0 to the last frame of RAM, in the
 * array mem_map (mm/page_alloc.h). Frames that are not RAM (holes, firmware areas) and frames
 * the kernel took at boot (its image, mem_map itself, the boot page tables) are PG_reserved and
 * never reach an allocator.
 *
 * The struct is kept at 48 bytes, so mem_map costs 1.2% of RAM (84 MiB for the 7 GiB of
 * physical address space a 6 GiB guest spans). Fields mean different things depending on who owns the page; the unions say
 * which owner uses which word. This header depends on lib/ only: the buddy core and its host
 * tests use it too.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <stdint.h>
#include "lib/compiler.h"
#include "lib/list.h"
#include "mm/page_alloc.h"

struct kmem_cache;

/* Page flags (page->flags). */
#define PG_reserved	 (1UL << 0) /* not RAM, or taken at boot: never allocated or freed */
#define PG_buddy	 (1UL << 1) /* heads a free block on a buddy free list (order = size) */
#define PG_slab		 (1UL << 2) /* a slab of a kmem_cache (slab_* fields are valid) */
#define PG_large_kmalloc (1UL << 3) /* heads a kmalloc allocation of whole pages (order) */
#define PG_pgtable	 (1UL << 4) /* a page table */
#define PG_unscrubbed	 (1UL << 5) /* free since boot, never written: zeroed at first alloc */
#define PG_pcp		 (1UL << 6) /* free, on a CPU's list of single pages (mm/page_alloc.c) */

struct page {
	uint64_t flags;	  /* PG_* */
	int32_t refcount; /* 1 while allocated, 0 while free */
	union {
		int32_t mapcount;    /* page-table entries that map this page */
		uint32_t slab_inuse; /* PG_slab: objects handed out from this slab */
	};
	struct list_head list; /* PG_buddy, PG_pcp: a free list; PG_slab: the cache's slab list */
	union {
		void *mapping;		       /* the object a page-cache page belongs to */
		struct kmem_cache *slab_cache; /* PG_slab: the cache that owns this slab */
	};
	union {
		uint64_t index;	       /* page-cache page: its offset in mapping, in pages */
		uint64_t slab_freemap; /* PG_slab, at most 64 objects: bit i set = object i free */
		uint32_t order;	       /* PG_buddy, PG_large_kmalloc: the block has 2^order pages */
	};
};

/* mm/page_alloc.h does its page <-> pfn arithmetic with this size. */
BUILD_BUG_ON(sizeof(struct page) != STRUCT_PAGE_SIZE);

#endif
