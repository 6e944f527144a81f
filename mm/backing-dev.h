/*
 * A backing device, as the dirty-page accounting sees it: something that file pages are
 * written back to (an ext2 superblock on a disk). A mapping points at its device
 * (address_space->bdi); a mapping without one (tmpfs) has no backing store, so its pages are
 * never counted dirty and never written back, and shared mappings of it need no write
 * notification (mm/rmap.h: vma_wants_writenotify).
 *
 * The filesystem fills in the struct and registers it at mount; the flusher (mm/writeback.c)
 * calls its writeback() when the device's pages have been dirty too long or when too many
 * pages are dirty. mm/ never looks at what owner is.
 */
#ifndef MM_BACKING_DEV_H
#define MM_BACKING_DEV_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/atomic.h"
#include "lib/list.h"

struct backing_dev_info {
	char name[16];
	bool cap_account_dirty; /* its pages are counted dirty and written back */
	/* Writes every dirty page of the device (and what the filesystem needs with them);
	   0 or a negative errno. Called by the flusher thread, which may sleep. */
	int (*writeback)(struct backing_dev_info *bdi);
	void *owner; /* the filesystem's (ext2: the super_block) */

	atomic64_t nr_dirty;	 /* PG_dirty pages of its mappings */
	atomic64_t nr_writeback; /* pages being written right now */
	atomic64_t nr_written;	 /* pages written since mount */
	uint64_t dirtied_when;	 /* jiffies when nr_dirty last went from 0 to 1 */
	uint64_t flusher_runs;	 /* writeback() calls by the flusher */
	struct list_head list;	 /* on bdi_list (mm/writeback.c) */
};

/* Makes the device known to the flusher and the `dirty` command. */
void bdi_register(struct backing_dev_info *bdi, const char *name, void *owner,
		  int (*writeback)(struct backing_dev_info *bdi));
/* Takes it off again; waits for a flusher run in progress. Sleeps. */
void bdi_unregister(struct backing_dev_info *bdi);
/* Calls fn for each registered device (bdi_mutex held: fn may sleep, must not register). */
void bdi_for_each(void (*fn)(struct backing_dev_info *bdi, void *arg), void *arg);

#endif
