/*
 * The page cache: the pages of a file's data, kept in memory and found by their index (offset
 * in the file / PAGE_SIZE). Each inode has one struct address_space; a filesystem reads and
 * writes file data through it, and tmpfs keeps its files nowhere else.
 *
 *	struct page *p = find_or_create_page(mapping, index);	referenced, or NULL (no memory)
 *	memcpy(page_address(p) + off, buf, n);
 *	put_page(p);
 *
 * References: the cache holds one reference on every page in it; find_get_page and
 * find_or_create_page give the caller another, which put_page drops. A page leaves the cache
 * only through truncate_inode_pages (or delete_from_page_cache); it is freed when its last
 * reference goes.
 *
 * Locking: each mapping has a spinlock over its tree and counters (taken with interrupts on;
 * no interrupt handler touches the page cache). Callers serialise changes to a file's
 * contents themselves (the inode's lock); the mapping lock only keeps the tree consistent.
 */
#ifndef MM_FILEMAP_H
#define MM_FILEMAP_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/locking/spinlock.h"
#include "kernel/locking/mutex.h"
#include "lib/list.h"
#include "mm/page.h"

struct address_space;
struct backing_dev_info;

/* Page-cache page flags (page->flags; mm/page.h has the allocator's). */
#define PG_uptodate (1UL << 8) /* the page holds the file's data (read in, or zero-filled) */
#define PG_dirty    (1UL << 9) /* changed since last written to the backing store */
#define PG_writeback (1UL << 10) /* being written: also the lock that makes writers of one page
				    take turns (mm/writeback.c) */
#define PG_mappedtodisk (1UL << 11) /* every block under the page is allocated (no hole): a
				       write fault needs nothing from the filesystem */

/*
 * What a filesystem provides; tmpfs provides nothing (its pages have no backing store).
 * A disk filesystem (ext2) reads a page when it enters the cache, and writes it back when it is
 * PG_dirty: a write into the cache, or the first write through a shared mapping, sets PG_dirty
 * (set_page_dirty), and sync, fsync, msync, umount and the flusher write each dirty page after
 * taking the flag (mm/writeback.h).
 */
struct address_space_operations {
	/* Fills a new page from the backing store; 0 or a negative errno. */
	int (*readpage)(struct address_space *mapping, struct page *page);
	/* Writes an up-to-date page to the backing store; 0 or a negative errno. */
	int (*writepage)(struct address_space *mapping, struct page *page);
	/* Optional: writes pages[0..n) (ascending index, each up to date, write-protected and
	   under PG_writeback), neighbours on the disk in one request where it can; 0 or a
	   negative errno (then all n count as unwritten). Without it, writepage for each. */
	int (*writepages)(struct address_space *mapping, struct page **pages, unsigned int n);
	/* A page of the mapping went from clean to dirty (set_page_dirty, mm/writeback.h): the
	   filesystem notes the file for its next sync. Must not sleep (page_table_lock held). */
	void (*mark_dirty)(struct address_space *mapping);
};

struct address_space {
	spinlock_t lock;   /* root, height, nrpages */
	void *root;	   /* the radix tree: a node, or NULL when empty */
	unsigned int height;	/* levels of nodes; 0 when empty */
	uint64_t nrpages;	/* pages in the cache */
	const struct address_space_operations *a_ops;
	void *host;		/* the inode this mapping belongs to */
	/* The device that accounts this mapping's dirty pages (mm/backing-dev.h); NULL: none
	   (tmpfs), whose pages are never counted dirty nor written back. */
	struct backing_dev_info *bdi;
	uint64_t nr_dirty;	/* PG_dirty pages in it; lock */
	uint64_t dirtied_when;	/* jiffies when nr_dirty went from 0 to 1; lock */
	/* The reverse map (mm/rmap.c): the VMAs that map this file, under i_mmap_lock, a
	   sleeping lock (Linux's i_mmap_mutex since 2.6.39, i_mmap_rwsem today). */
	struct mutex i_mmap_lock;
	struct list_head i_mmap;
};

void mapping_init(struct address_space *m, const struct address_space_operations *ops,
		  void *host);

/* The page at index with a reference taken, or NULL. */
struct page *find_get_page(struct address_space *m, uint64_t index);
struct page *find_or_create_page(struct address_space *m, uint64_t index);
/* The same, saying why it failed: 0 and *out, -ENOMEM, or readpage's error (-EIO...). */
int filemap_get_page(struct address_space *m, uint64_t index, struct page **out);
/* Drops every page at index >= start; with start 0, empties the mapping. */
void truncate_inode_pages(struct address_space *m, uint64_t start);

unsigned int find_get_pages(struct address_space *m, uint64_t start, unsigned int n,
			    struct page **pages, uint64_t *next);

/* Page flags of page-cache pages change on several CPUs at once (a fault sets PG_dirty while
   writeback clears it): these are the atomic forms. Each returns whether the flag was set. */
static inline bool test_set_page_flag(struct page *page, uint64_t flag);
static inline bool test_clear_page_flag(struct page *page, uint64_t flag);

void get_page(struct page *page);
/* Drops a reference; the last one frees the page. */
void put_page(struct page *page);

/* Pages in all page caches (for `mem` and the leak checks of tests). */
uint64_t nr_pagecache_pages(void);

static inline bool test_set_page_flag(struct page *page, uint64_t flag)
{
	return __atomic_fetch_or(&page->flags, flag, __ATOMIC_ACQ_REL) & flag;
}

static inline bool test_clear_page_flag(struct page *page, uint64_t flag)
{
	return __atomic_fetch_and(&page->flags, ~flag, __ATOMIC_ACQ_REL) & flag;
}

#endif
