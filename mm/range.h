/*
 * Sets of physical address ranges, kept sorted and merged: the memory map after rounding, and
 * the RAM left for the allocators once the boot-time reservations are cut out of it. Pure logic
 * on a fixed-size array (no allocation: it runs before any allocator), tested on the host.
 */
#ifndef MM_RANGE_H
#define MM_RANGE_H

#include <stdint.h>

#define RANGE_SET_MAX 64

struct mem_range {
	uint64_t start, end; /* [start, end) */
};

struct range_set {
	unsigned int n;
	struct mem_range r[RANGE_SET_MAX]; /* sorted, disjoint, not touching */
};

/* Adds [start, end), merging it with ranges it overlaps or touches. -ENOSPC when full. */
int range_add(struct range_set *s, uint64_t start, uint64_t end);

/* Removes [start, end) from the set (it may split a range in two). -ENOSPC when full. */
int range_remove(struct range_set *s, uint64_t start, uint64_t end);

/* Bytes covered by the set. */
uint64_t range_total(const struct range_set *s);

#endif
