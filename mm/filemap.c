/*
 * The page cache (see filemap.h): each mapping keeps its pages in a radix tree of 64-way nodes.
 * A tree of height h holds indices below 64^h; index bits (h-1)*6 .. h*6-1 choose the slot in
 * the root, the next 6 bits the slot one level down, and so on to the page. The tree grows a
 * level at the top when an index does not fit, and a node is freed when its last slot empties.
 *
 * A new page is filled (zeroed, or read by the filesystem) before it enters the tree, outside
 * the lock; if another thread inserted the same index meanwhile, its page wins and ours is
 * freed. So nobody ever finds a page that is not up to date, and no page lock is needed.
 *
 * Locking: m->lock over the tree; put_page may free a page under it (the page allocator's lock
 * is always innermost).
 */
#include "mm/filemap.h"
#include "mm/writeback.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "kernel/panic.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RADIX_SHIFT 6
#define RADIX_SLOTS (1U << RADIX_SHIFT)
#define RADIX_MAX_HEIGHT 6 /* 2^36 pages: 256 TiB, far beyond any file here */

struct radix_node {
	void *slots[RADIX_SLOTS];
	unsigned int count; /* slots in use */
};

static atomic64_t pagecache_pages;

void mapping_init(struct address_space *m, const struct address_space_operations *ops, void *host)
{
	spin_lock_init(&m->lock, "mapping");
	m->root = NULL;
	m->height = 0;
	m->nrpages = 0;
	m->a_ops = ops;
	m->host = host;
	m->bdi = NULL;
	m->nr_dirty = 0;
	m->dirtied_when = 0;
	mutex_init(&m->i_mmap_lock, "i_mmap");
	INIT_LIST_HEAD(&m->i_mmap);
}

static uint64_t max_index(unsigned int height)
{
	return height == 0 ? 0 : (1ULL << (height * RADIX_SHIFT)) - 1;
}

static unsigned int slot_of(uint64_t index, unsigned int level)
{
	return (index >> ((level - 1) * RADIX_SHIFT)) & (RADIX_SLOTS - 1);
}

/* m->lock held. */
static struct page *tree_lookup(struct address_space *m, uint64_t index)
{
	void *node = m->root;

	if (!node || index > max_index(m->height))
		return NULL;
	for (unsigned int level = m->height; level > 0 && node; level--)
		node = ((struct radix_node *)node)->slots[slot_of(index, level)];
	return node;
}

/* m->lock held. Adds levels on top until index fits; false when a node cannot be had. */
static bool tree_grow(struct address_space *m, uint64_t index)
{
	while (m->height == 0 || index > max_index(m->height)) {
		struct radix_node *n;

		if (m->height == RADIX_MAX_HEIGHT)
			return false;
		n = kzalloc(sizeof(*n));
		if (!n)
			return false;
		if (m->root) {
			n->slots[0] = m->root;
			n->count = 1;
		}
		m->root = n;
		m->height++;
	}
	return true;
}

/* m->lock held, the slot empty. */
static bool tree_insert(struct address_space *m, uint64_t index, struct page *page)
{
	struct radix_node *node;

	if (!tree_grow(m, index))
		return false;
	node = m->root;
	for (unsigned int level = m->height; level > 1; level--) {
		void **slot = &node->slots[slot_of(index, level)];

		if (!*slot) {
			if (!(*slot = kzalloc(sizeof(*node))))
				return false; /* the empty path left behind is reused or freed later */
			node->count++;
		}
		node = *slot;
	}
	node->slots[slot_of(index, 1)] = page;
	node->count++;
	m->nrpages++;
	return true;
}

/* The page at index with a reference taken, or NULL. */
struct page *find_get_page(struct address_space *m, uint64_t index)
{
	struct page *page;

	spin_lock(&m->lock);
	page = tree_lookup(m, index);
	if (page)
		get_page(page);
	spin_unlock(&m->lock);
	return page;
}

/* A page holding the data at index, not yet in the cache; 0 or a negative errno. */
static int new_cache_page(struct address_space *m, uint64_t index, struct page **out)
{
	struct page *page = alloc_page_zeroed();
	int err;

	if (!page)
		return -ENOMEM;
	page->mapping = m;
	page->index = index;
	if (m->a_ops && m->a_ops->readpage && (err = m->a_ops->readpage(m, page))) {
		page->mapping = NULL;
		free_page(page);
		return err;
	}
	page->flags |= PG_uptodate;
	*out = page;
	return 0;
}

/* The same, saying why it failed: 0 and *out, -ENOMEM, or readpage's error (-EIO...). */
int filemap_get_page(struct address_space *m, uint64_t index, struct page **out)
{
	struct page *page = find_get_page(m, index), *found;
	int err;

	if (page) {
		*out = page;
		return 0;
	}
	if ((err = new_cache_page(m, index, &page)))
		return err;
	spin_lock(&m->lock);
	found = tree_lookup(m, index);
	if (found) {
		get_page(found);
	} else if (tree_insert(m, index, page)) {
		get_page(page); /* the cache's reference, then the caller's */
		atomic64_inc(&pagecache_pages);
		spin_unlock(&m->lock);
		*out = page;
		return 0;
	}
	spin_unlock(&m->lock);
	put_page(page); /* lost the race, or no tree node */
	*out = found;
	return found ? 0 : -ENOMEM;
}

/*
 * The page at index, created (zero-filled, or read through a_ops->readpage) when absent, with
 * a reference taken. NULL when a page or a tree node cannot be allocated.
 */
struct page *find_or_create_page(struct address_space *m, uint64_t index)
{
	struct page *page;

	return filemap_get_page(m, index, &page) ? NULL : page;
}

/*
 * m->lock held. Removes the pages at index >= start below node (which covers indices from
 * base, at this level), dropping the cache's reference. Returns the slots still used.
 */
static unsigned int truncate_node(struct address_space *m, struct radix_node *node,
				  unsigned int level, uint64_t base, uint64_t start)
{
	uint64_t span = 1ULL << ((level - 1) * RADIX_SHIFT);

	for (unsigned int i = 0; i < RADIX_SLOTS; i++) {
		uint64_t first = base + i * span;
		void *child = node->slots[i];

		if (!child || first + span - 1 < start)
			continue;
		if (level > 1 && truncate_node(m, child, level - 1, first, start)) {
			continue;
		} else if (level > 1) {
			kfree(child);
		} else {
			struct page *page = child;

			__cancel_dirty_page(m, page); /* the data is gone: nothing to write */
			test_clear_page_flag(page, PG_uptodate | PG_mappedtodisk);
			page->mapping = NULL;
			put_page(page);
			m->nrpages--;
			atomic64_add_return(-1, &pagecache_pages);
		}
		node->slots[i] = NULL;
		node->count--;
	}
	return node->count;
}

/* Drops every page at index >= start; with start 0, empties the mapping. */
void truncate_inode_pages(struct address_space *m, uint64_t start)
{
	spin_lock(&m->lock);
	if (m->root && start <= max_index(m->height) &&
	    !truncate_node(m, m->root, m->height, 0, start)) {
		kfree(m->root);
		m->root = NULL;
		m->height = 0;
	}
	spin_unlock(&m->lock);
}

/* m->lock held. Collects pages at indices >= start below node (covering base at level). */
static void gather_node(void *node, unsigned int level, uint64_t base, uint64_t start,
			unsigned int n, struct page **pages, unsigned int *got)
{
	uint64_t span = 1ULL << ((level - 1) * RADIX_SHIFT);

	for (unsigned int i = 0; i < RADIX_SLOTS && *got < n; i++) {
		void *child = ((struct radix_node *)node)->slots[i];
		uint64_t first = base + i * span;

		if (!child || first + span - 1 < start)
			continue;
		if (level > 1) {
			gather_node(child, level - 1, first, start, n, pages, got);
		} else {
			get_page(child);
			pages[(*got)++] = child;
		}
	}
}

/* Up to n pages at indices >= start, each with a reference, in index order; returns how many.
   *next is set past the last one returned. */
unsigned int find_get_pages(struct address_space *m, uint64_t start, unsigned int n,
			    struct page **pages, uint64_t *next)
{
	unsigned int got = 0;

	spin_lock(&m->lock);
	if (m->root && start <= max_index(m->height))
		gather_node(m->root, m->height, 0, start, n, pages, &got);
	spin_unlock(&m->lock);
	*next = got ? pages[got - 1]->index + 1 : start;
	return got;
}

void get_page(struct page *page)
{
	__atomic_add_fetch(&page->refcount, 1, __ATOMIC_RELAXED);
}

/* Drops a reference; the last one frees the page. */
void put_page(struct page *page)
{
	int left = __atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);

	if (left < 0)
		panic("put_page: pfn %#llx has refcount %d", (unsigned long long)page_to_pfn(page),
		      left);
	if (left == 0) {
		page->flags &= ~(PG_uptodate | PG_dirty | PG_writeback | PG_mappedtodisk);
		page->mapping = NULL;
		page->mapcount = 0;
		free_page(page);
	}
}

/* Pages in all page caches (for `mem` and the leak checks of tests). */
uint64_t nr_pagecache_pages(void)
{
	return (uint64_t)atomic64_read(&pagecache_pages);
}
