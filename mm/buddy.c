/*
 * The buddy allocator's core (see buddy.h). Allocation takes the smallest free block that is
 * big enough and splits it in halves, putting each upper half back on the list one order down,
 * until the block has the order asked for. Freeing does the reverse: while the block's buddy is
 * a free block of the same order, the two are taken off the lists and joined into a block of the
 * next order. So free memory always sits in the largest blocks its layout allows, and the free
 * lists of a given set of free frames are always the same, whatever the history.
 */
#include "mm/buddy.h"
#include "lib/errno.h"

void buddy_init(struct buddy_zone *z, struct page *pages, uint64_t nr_pages)
{
	z->pages = pages;
	z->nr_pages = nr_pages;
	z->free_pages = 0;
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		INIT_LIST_HEAD(&z->free_list[o]);
		z->nr_free[o] = 0;
	}
}

static void add_free_block(struct buddy_zone *z, struct page *head, unsigned int order)
{
	head->flags |= PG_buddy;
	head->order = order;
	list_add(&head->list, &z->free_list[order]);
	z->nr_free[order]++;
}

static void del_free_block(struct buddy_zone *z, struct page *head, unsigned int order)
{
	list_del(&head->list);
	head->flags &= ~PG_buddy;
	head->order = 0;
	z->nr_free[order]--;
}

struct page *buddy_alloc(struct buddy_zone *z, unsigned int order)
{
	unsigned int o = order;
	struct page *head;

	if (order > MAX_ORDER)
		return NULL;
	while (o <= MAX_ORDER && list_empty(&z->free_list[o]))
		o++;
	if (o > MAX_ORDER)
		return NULL;

	head = list_first_entry(&z->free_list[o], struct page, list);
	del_free_block(z, head, o);
	/* Split: keep the lower half, free the upper half, until the block is small enough. */
	while (o > order) {
		o--;
		add_free_block(z, head + (1UL << o), o);
	}
	z->free_pages -= 1UL << order;
	return head;
}

int buddy_free(struct buddy_zone *z, struct page *page, unsigned int order)
{
	uint64_t pfn;

	if (order > MAX_ORDER || page < z->pages || page >= z->pages + z->nr_pages)
		return -EINVAL;
	pfn = buddy_pfn(z, page);
	if ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > z->nr_pages ||
	    (page->flags & (PG_buddy | PG_reserved)))
		return -EINVAL;

	z->free_pages += 1UL << order;
	while (order < MAX_ORDER) {
		uint64_t buddy = pfn ^ (1UL << order);
		struct page *b = &z->pages[buddy];

		if (buddy + (1UL << order) > z->nr_pages || !(b->flags & PG_buddy) ||
		    b->order != order)
			break;
		del_free_block(z, b, order);
		pfn &= ~(1UL << order); /* the joined block starts at the lower of the two */
		order++;
	}
	add_free_block(z, &z->pages[pfn], order);
	return 0;
}

void buddy_free_range(struct buddy_zone *z, uint64_t start_pfn, uint64_t end_pfn)
{
	while (start_pfn < end_pfn) {
		unsigned int order = MAX_ORDER;

		/* The largest block that starts aligned here and ends inside the range. */
		while ((start_pfn & ((1UL << order) - 1)) || start_pfn + (1UL << order) > end_pfn)
			order--;
		buddy_free(z, &z->pages[start_pfn], order);
		start_pfn += 1UL << order;
	}
}

/* One free list: its blocks are well-formed and none has a free buddy of the same order. */
static int check_list(const struct buddy_zone *z, unsigned int order, uint64_t *pages)
{
	const struct list_head *pos;
	uint64_t n = 0;

	list_for_each(pos, &z->free_list[order]) {
		const struct page *p = list_entry(pos, struct page, list);
		uint64_t pfn = buddy_pfn(z, p), buddy = pfn ^ (1UL << order);

		if (pfn >= z->nr_pages || !(p->flags & PG_buddy) || p->order != order ||
		    (pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > z->nr_pages)
			return -EUCLEAN;
		if (order < MAX_ORDER && buddy + (1UL << order) <= z->nr_pages &&
		    (z->pages[buddy].flags & PG_buddy) && z->pages[buddy].order == order)
			return -EUCLEAN;
		n++;
	}
	if (n != z->nr_free[order])
		return -EUCLEAN;
	*pages += n << order;
	return 0;
}

int buddy_check(const struct buddy_zone *z)
{
	uint64_t pages = 0;

	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		if (check_list(z, o, &pages))
			return -EUCLEAN;
	return pages == z->free_pages ? 0 : -EUCLEAN;
}
