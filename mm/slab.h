/*
 * Object caches and kmalloc. A kmem_cache hands out objects of one size from slabs: single
 * pages cut into equal slots. kmalloc picks a cache by size class (8, 16, ... 4096 bytes, each
 * a power of two, each object aligned to its class size); bigger requests get whole pages from
 * the buddy allocator. kfree tells the two apart by the page's flags.
 *
 *	struct kmem_cache *c = kmem_cache_create("inode", sizeof(struct inode), 64);
 *	struct inode *i = kmem_cache_alloc(c);	   NULL when out of memory
 *	kmem_cache_free(c, i);
 *	char *buf = kmalloc(100);		   from kmalloc-128, 128-byte aligned
 *	kfree(buf);				   kfree(NULL) does nothing
 *
 * Debugging is always on: a freed object is filled with SLAB_POISON, and the allocator checks
 * the pattern when it hands the object out again, so a write after free panics with "slab: use
 * after free in cache X at P". A double free, or a kfree of an address no allocator handed
 * out, panics too. Each cache counts objects in use, allocations, frees, slabs and failures
 * (the `mem` shell command shows them): a test reads in_use before and after to catch leaks.
 *
 * Locking: callable on any CPU, with interrupts on or off. Each cache has its own spinlock over
 * its slabs and counters; slab_caches_lock guards the list of caches (hold it to walk
 * slab_caches). Counters read without a lock are snapshots. mm/slab.c states the lock order.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "lib/list.h"
#include "kernel/locking/spinlock.h"

#define SLAB_POISON	   0x6b /* every byte of a free object */
#define KMALLOC_MIN_SIZE   8
#define KMALLOC_NR_CLASSES 10 /* 8 .. 4096 bytes */

/* Read-only outside mm/slab.c. */
struct kmem_cache {
	char name[24];
	spinlock_t lock;    /* the lists, the counters, and the free maps of the slabs */
	uint32_t size;	    /* object size asked for */
	uint32_t align;	    /* object alignment, at least 8 */
	uint32_t slot_size; /* distance between objects: size rounded up to align */
	uint32_t objs_per_slab;
	uint32_t first_offset;	  /* where object 0 starts in a slab page */
	bool freemap_in_page;	  /* the free map fits struct page (<= 64 objects) */
	struct list_head partial; /* slabs with at least one free object */
	struct list_head full;	  /* slabs with none */
	struct list_head list;	  /* in slab_caches */
	uint64_t in_use;	  /* objects handed out and not freed */
	uint64_t allocs, frees, failures;
	uint64_t slabs; /* pages the cache holds */
	int cpu_slot;	/* its per-CPU arrays (kmem_cache_create_percpu), or -1 */
};

/* Whole-page kmalloc allocations (above 4096 bytes). */
struct kmalloc_large_stats {
	uint64_t in_use, pages, allocs, frees, failures;
};

extern struct list_head slab_caches;
extern spinlock_t slab_caches_lock; /* taken with spin_lock_irqsave; before any cache's lock */
extern struct kmalloc_large_stats kmalloc_large_stats;

/* Sets up the kmalloc caches. Needs the page allocator. */
void slab_init(void);

/*
 * A cache of objects of size bytes (1..PAGE_SIZE) aligned to align (0 for 8, else a power of
 * two up to PAGE_SIZE). The name is copied. NULL for bad arguments or out of memory.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
/*
 * The same, with a few free objects kept per CPU so that allocating and freeing on one CPU
 * takes no shared lock (see mm/slab.c). For objects allocated and freed at a high rate on many
 * CPUs (struct file). Works as a plain cache when the per-CPU slots have run out.
 */
struct kmem_cache *kmem_cache_create_percpu(const char *name, size_t size, size_t align);
/* Free objects waiting on the per-CPU arrays (counted in in_use). */
uint64_t kmem_cache_cpu_cached(struct kmem_cache *c);
/*
 * Objects handed out, over every cache (the free ones waiting on per-CPU arrays left out), plus
 * the large kmallocs: the number a leak check compares before and after. A snapshot.
 */
uint64_t slab_objects_in_use(void);
/* Pages held by the caches and by whole-page kmalloc. */
uint64_t slab_pages(void);
/* Frees the cache and its slabs. -EBUSY while objects are in use, -EINVAL for a kmalloc one. */
int kmem_cache_destroy(struct kmem_cache *c);
void *kmem_cache_alloc(struct kmem_cache *c);
void *kmem_cache_zalloc(struct kmem_cache *c);
void kmem_cache_free(struct kmem_cache *c, void *obj);
/* Free objects whose poison was overwritten (a write after free not yet caught). */
unsigned int kmem_cache_check(struct kmem_cache *c);

/* NULL for size 0 or when out of memory. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(const void *p);
/* The usable size of a kmalloc allocation (its class size, or its pages). */
size_t ksize(const void *p);
/* The kmalloc cache that serves size (1..PAGE_SIZE), or NULL. */
struct kmem_cache *kmalloc_cache(size_t size);

#endif
