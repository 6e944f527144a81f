/*
 * Scrubbing on first use (mm/scrub.c): a frame is zeroed the first time the page allocator
 * hands it out, so every free frame has been written over once before anyone uses it.
 */
#ifndef MM_SCRUB_H
#define MM_SCRUB_H

#include <stdint.h>
#include "mm/page.h"

/* Zeroes the pages of a just-allocated block that still carry PG_unscrubbed, and clears the
   flag. Only the block's new owner may call it (it writes the pages' flags unlocked). */
void scrub_new_block(struct page *page, unsigned int order);

/* Pages zeroed so far; the rest of the free RAM still waits for its first allocation. */
uint64_t nr_scrubbed_pages(void);

#endif
