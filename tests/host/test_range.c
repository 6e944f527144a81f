/*
 * Host unit tests for mm/range.c, the sorted range sets that hold the memory map. Each case
 * builds a set and compares it with the expected list of [start, end) pairs.
 */
#include "mm/range.c"
#include "tests/host/tap.h"

static bool set_is(const struct range_set *s, const uint64_t *want, unsigned int n)
{
	if (s->n != n)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (s->r[i].start != want[2 * i] || s->r[i].end != want[2 * i + 1])
			return false;
	return true;
}

static void test_add(void)
{
	struct range_set s = {0};

	range_add(&s, 100, 200);
	range_add(&s, 0, 50);
	range_add(&s, 300, 400);
	tap_check(set_is(&s, (const uint64_t[]){0, 50, 100, 200, 300, 400}, 3),
		  "add: disjoint ranges are kept sorted");
	range_add(&s, 50, 100);
	tap_check(set_is(&s, (const uint64_t[]){0, 200, 300, 400}, 2),
		  "add: a range touching two neighbours joins them");
	range_add(&s, 150, 350);
	tap_check(set_is(&s, (const uint64_t[]){0, 400}, 1), "add: an overlapping range merges");
	range_add(&s, 10, 20);
	tap_check(set_is(&s, (const uint64_t[]){0, 400}, 1),
		  "add: a contained range changes nothing");
	range_add(&s, 500, 500);
	tap_check(set_is(&s, (const uint64_t[]){0, 400}, 1), "add: an empty range is ignored");
	TAP_EXPECT_EQ(range_total(&s), 400, "add: total");
}

static void test_remove(void)
{
	struct range_set s = {0};

	range_add(&s, 0, 1000);
	range_add(&s, 2000, 3000);
	range_remove(&s, 100, 200);
	tap_check(set_is(&s, (const uint64_t[]){0, 100, 200, 1000, 2000, 3000}, 3),
		  "remove: a hole splits a range");
	range_remove(&s, 900, 2100);
	tap_check(set_is(&s, (const uint64_t[]){0, 100, 200, 900, 2100, 3000}, 3),
		  "remove: across two ranges trims both");
	range_remove(&s, 0, 100);
	tap_check(set_is(&s, (const uint64_t[]){200, 900, 2100, 3000}, 2),
		  "remove: a whole range disappears");
	range_remove(&s, 150, 5000);
	tap_check(set_is(&s, NULL, 0), "remove: everything");
	range_remove(&s, 0, 10);
	tap_check(s.n == 0, "remove: from an empty set");
}

static void test_full(void)
{
	struct range_set s = {0};
	int err = 0;

	for (unsigned int i = 0; i < RANGE_SET_MAX; i++)
		err |= range_add(&s, i * 10, i * 10 + 5);
	TAP_EXPECT_EQ(err, 0, "full: RANGE_SET_MAX ranges fit");
	TAP_EXPECT_EQ(range_add(&s, 10000, 10001), -ENOSPC, "full: one more is refused");
	TAP_EXPECT_EQ(range_remove(&s, 11, 12), -ENOSPC, "full: a split is refused");
	tap_check(s.r[1].start == 10 && s.r[1].end == 15, "full: ... and leaves the range whole");
	TAP_EXPECT_EQ(range_add(&s, 5, 10), 0, "full: a merge still works");
	TAP_EXPECT_EQ(s.n, RANGE_SET_MAX - 1, "full: ... and frees a slot");
}

int main(void)
{
	test_add();
	test_remove();
	test_full();
	return tap_done();
}
