/* Sorted, merged sets of address ranges (see range.h). */
#include "mm/range.h"
#include "lib/compiler.h"
#include "lib/errno.h"

static void remove_at(struct range_set *s, unsigned int i)
{
	for (; i + 1 < s->n; i++)
		s->r[i] = s->r[i + 1];
	s->n--;
}

static int insert_at(struct range_set *s, unsigned int i, uint64_t start, uint64_t end)
{
	if (s->n == RANGE_SET_MAX)
		return -ENOSPC;
	for (unsigned int j = s->n; j > i; j--)
		s->r[j] = s->r[j - 1];
	s->r[i] = (struct mem_range){start, end};
	s->n++;
	return 0;
}

int range_add(struct range_set *s, uint64_t start, uint64_t end)
{
	unsigned int i = 0;

	if (start >= end)
		return 0;
	/* Skip the ranges that end before this one starts (touching counts as overlap). */
	while (i < s->n && s->r[i].end < start)
		i++;
	/* Swallow every range that overlaps or touches [start, end). */
	while (i < s->n && s->r[i].start <= end) {
		start = MIN(start, s->r[i].start);
		end = MAX(end, s->r[i].end);
		remove_at(s, i);
	}
	return insert_at(s, i, start, end);
}

int range_remove(struct range_set *s, uint64_t start, uint64_t end)
{
	unsigned int i = 0;

	while (i < s->n && start < end) {
		struct mem_range *r = &s->r[i];

		if (r->end <= start || r->start >= end) {
			i++;
		} else if (r->start < start && r->end > end) {
			/* The hole is inside this range: split it (or change nothing if full). */
			int err = insert_at(s, i + 1, end, r->end);

			if (!err)
				s->r[i].end = start;
			return err;
		} else if (r->start >= start && r->end <= end) {
			remove_at(s, i); /* covered: the next range moves into slot i */
		} else {
			if (r->start < start)
				r->end = start;
			else
				r->start = end;
			i++;
		}
	}
	return 0;
}

uint64_t range_total(const struct range_set *s)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < s->n; i++)
		total += s->r[i].end - s->r[i].start;
	return total;
}
