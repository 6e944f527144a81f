/*
 * Host unit tests for the buddy allocator's core, mm/buddy.c, built with ASan and UBSan. The
 * zone is an array of struct page from calloc, with reserved holes like real memory. A model
 * (one byte per frame: free, allocated, reserved) checks every allocation against what the
 * allocator should know: no block overlaps another or a hole, the free count is exact, and
 * after everything is freed the free lists are exactly what they were at the start (which
 * only holds if every possible merge happened).
 */
#include "mm/buddy.c"
#include "lib/string.h"
#include "tests/host/tap.h"

#include <stdlib.h>

enum { M_FREE, M_ALLOC, M_RESERVED };

struct block {
	struct page *page;
	unsigned int order;
};

struct world {
	struct buddy_zone z;
	struct page *pages;
	unsigned char *model;
	uint64_t nr_pages, model_free;
};

/* A zone of nr_pages frames; the ranges in holes[] (pairs of start, end) stay reserved. */
static void world_init(struct world *w, uint64_t nr_pages, const uint64_t *holes,
		       unsigned int nholes)
{
	uint64_t start = 0;

	w->nr_pages = nr_pages;
	w->pages = calloc(nr_pages, sizeof(struct page));
	w->model = calloc(nr_pages, 1);
	w->model_free = 0;
	buddy_init(&w->z, w->pages, nr_pages);
	for (unsigned int i = 0; i <= nholes; i++) {
		uint64_t end = i < nholes ? holes[2 * i] : nr_pages;
		uint64_t next = i < nholes ? holes[2 * i + 1] : nr_pages;

		for (uint64_t p = end; p < next; p++) {
			w->pages[p].flags = PG_reserved;
			w->model[p] = M_RESERVED;
		}
		buddy_free_range(&w->z, start, end);
		w->model_free += end - start;
		start = next;
	}
}

static void world_free(struct world *w)
{
	free(w->pages);
	free(w->model);
}

static void counts(const struct buddy_zone *z, uint64_t *out)
{
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		out[o] = z->nr_free[o];
}

/* Takes a block and checks it against the model; returns false on any disagreement. */
static bool take(struct world *w, unsigned int order, struct block *b)
{
	struct page *p = buddy_alloc(&w->z, order);
	uint64_t pfn;

	if (!p) {
		/* NULL is right only if no free block of this order or larger exists. */
		for (unsigned int o = order; o <= MAX_ORDER; o++)
			if (w->z.nr_free[o])
				return false;
		b->page = NULL;
		return true;
	}
	pfn = buddy_pfn(&w->z, p);
	if (pfn % (1UL << order) || pfn + (1UL << order) > w->nr_pages)
		return false;
	for (uint64_t i = pfn; i < pfn + (1UL << order); i++) {
		if (w->model[i] != M_FREE || (w->pages[i].flags & PG_buddy))
			return false;
		w->model[i] = M_ALLOC;
	}
	w->model_free -= 1UL << order;
	*b = (struct block){p, order};
	return true;
}

static bool give_back(struct world *w, const struct block *b)
{
	uint64_t pfn = buddy_pfn(&w->z, b->page);

	for (uint64_t i = pfn; i < pfn + (1UL << b->order); i++)
		w->model[i] = M_FREE;
	w->model_free += 1UL << b->order;
	return buddy_free(&w->z, b->page, b->order) == 0;
}

static void test_init_and_ranges(void)
{
	struct world w;
	const uint64_t holes[] = {0, 256, 1000, 1003, 4096, 4097};

	world_init(&w, 9000, holes, 3);
	TAP_EXPECT_EQ(w.z.free_pages, w.model_free,
		      "free_range: free count matches the frames given");
	TAP_EXPECT_EQ(buddy_check(&w.z), 0, "free_range: the zone is consistent");
	TAP_EXPECT_TRUE(w.pages[256].flags & PG_buddy && w.pages[256].order == 8,
			"free_range: 256 (aligned to 256) heads an order-8 block");
	TAP_EXPECT_TRUE(w.pages[1024].flags & PG_buddy && w.pages[1024].order == MAX_ORDER,
			"free_range: 1024 heads a block of MAX_ORDER");
	TAP_EXPECT_TRUE(!(w.pages[1000].flags & PG_buddy), "free_range: holes are not free");
	world_free(&w);
}

/* Eight pages: taking them one by one and freeing them in any order rebuilds one block. */
static void test_coalescing(void)
{
	const unsigned int orders[] = {5, 2, 7, 0, 3, 1, 6, 4};
	struct world w;
	struct block b[8];
	bool ok = true;

	world_init(&w, 8, NULL, 0);
	TAP_EXPECT_EQ(w.z.nr_free[3], 1, "coalesce: 8 aligned pages make one order-3 block");
	for (int i = 0; i < 8; i++)
		ok &= take(&w, 0, &b[i]) && b[i].page;
	tap_check(ok, "coalesce: eight order-0 allocations succeed and do not overlap");
	TAP_EXPECT_EQ(w.z.free_pages, 0, "coalesce: nothing left");
	for (int i = 0; i < 8; i++) {
		ok &= give_back(&w, &b[orders[i]]);
		ok &= buddy_check(&w.z) == 0;
	}
	tap_check(ok, "coalesce: frees in scrambled order keep the zone consistent");
	TAP_EXPECT_EQ(w.z.nr_free[3], 1, "coalesce: one order-3 block again");
	TAP_EXPECT_EQ(w.z.nr_free[0] + w.z.nr_free[1] + w.z.nr_free[2], 0,
		      "coalesce: no small blocks left over");
	world_free(&w);
}

static void test_bad_frees(void)
{
	struct world w;
	struct block b;

	world_init(&w, 64, (const uint64_t[]){0, 1}, 1);
	TAP_EXPECT_TRUE(take(&w, 1, &b) && b.page, "bad frees: an order-1 block");
	TAP_EXPECT_EQ(buddy_free(&w.z, b.page + 1, 1), -EINVAL, "bad frees: misaligned block");
	TAP_EXPECT_EQ(buddy_free(&w.z, b.page, MAX_ORDER + 1), -EINVAL, "bad frees: order too big");
	TAP_EXPECT_EQ(buddy_free(&w.z, &w.pages[0], 0), -EINVAL, "bad frees: reserved page");
	TAP_EXPECT_EQ(buddy_free(&w.z, &w.pages[32], 5), -EINVAL, "bad frees: already free");
	TAP_EXPECT_EQ(buddy_free(&w.z, &w.pages[32], 6), -EINVAL, "bad frees: past the zone");
	TAP_EXPECT_TRUE(give_back(&w, &b), "bad frees: the right free works");
	TAP_EXPECT_EQ(buddy_free(&w.z, b.page, 1), -EINVAL, "bad frees: double free");
	TAP_EXPECT_EQ(buddy_check(&w.z), 0, "bad frees: the zone is unharmed");
	TAP_EXPECT_TRUE(buddy_alloc(&w.z, MAX_ORDER + 1) == NULL,
			"bad frees: order too big to allocate");
	world_free(&w);
}

/* Every page allocated until NULL, then all freed: the lists come back the same. */
static void test_exhaustion(void)
{
	const uint64_t holes[] = {0, 3, 777, 800};
	uint64_t before[MAX_ORDER + 1], after[MAX_ORDER + 1], n = 0, free_before;
	struct block *b;
	struct world w;
	bool ok = true;

	world_init(&w, 5000, holes, 2);
	free_before = w.z.free_pages;
	counts(&w.z, before);
	b = calloc(free_before + 1, sizeof(*b));
	for (;;) {
		ok &= take(&w, 0, &b[n]);
		if (!b[n].page)
			break;
		n++;
	}
	tap_check(ok, "exhaustion: every order-0 allocation agrees with the model");
	TAP_EXPECT_EQ(n, free_before, "exhaustion: all free pages were handed out");
	TAP_EXPECT_TRUE(buddy_alloc(&w.z, 3) == NULL, "exhaustion: larger orders fail too");
	for (uint64_t i = 0; i < n; i++)
		ok &= give_back(&w, &b[(i * 7919) % n]); /* 7919 is prime, n is not a multiple */
	tap_check(ok, "exhaustion: all frees succeed");
	counts(&w.z, after);
	TAP_EXPECT_TRUE(memcmp(before, after, sizeof(before)) == 0,
			"exhaustion: the free lists are exactly as before (full coalescing)");
	TAP_EXPECT_EQ(buddy_check(&w.z), 0, "exhaustion: the zone is consistent");
	free(b);
	world_free(&w);
}

/* Random allocations and frees of mixed orders, checked against the model throughout. */
static void test_random(void)
{
	const uint64_t holes[] = {0, 100, 2048, 2049, 6000, 6100, 10000, 10240};
	enum { OPS = 200000, MAX_LIVE = 4096 };
	uint64_t before[MAX_ORDER + 1], after[MAX_ORDER + 1];
	struct block *live = calloc(MAX_LIVE, sizeof(*live));
	unsigned int nlive = 0, nulls = 0, bad_model = 0, bad_check = 0, bad_count = 0;
	struct world w;

	srand(12345);
	world_init(&w, 16000, holes, 4);
	counts(&w.z, before);
	for (int op = 0; op < OPS; op++) {
		bool alloc = nlive == 0 || (nlive < MAX_LIVE && rand() % 100 < 55);

		if (alloc) {
			/* Mostly small orders, sometimes up to MAX_ORDER. */
			unsigned int order = rand() % 4 ? rand() % 3 : rand() % (MAX_ORDER + 1);
			if (!take(&w, order, &live[nlive]))
				bad_model++;
			else if (live[nlive].page)
				nlive++;
			else
				nulls++;
		} else {
			unsigned int i = rand() % nlive;
			if (!give_back(&w, &live[i]))
				bad_model++;
			live[i] = live[--nlive];
		}
		if (w.z.free_pages != w.model_free)
			bad_count++;
		if (op % 1000 == 0 && buddy_check(&w.z))
			bad_check++;
	}
	TAP_EXPECT_EQ(bad_model, 0, "random: allocations never overlap and frees succeed");
	TAP_EXPECT_EQ(bad_count, 0, "random: the free count is exact after every operation");
	TAP_EXPECT_EQ(bad_check, 0, "random: the zone stays consistent");
	tap_diag("random: %d operations, %u NULL returns, %u blocks live at the end", OPS, nulls,
		 nlive);
	while (nlive)
		give_back(&w, &live[--nlive]);
	counts(&w.z, after);
	TAP_EXPECT_TRUE(memcmp(before, after, sizeof(before)) == 0,
			"random: after freeing all, the free lists are as at the start");
	TAP_EXPECT_EQ(w.z.free_pages, w.model_free, "random: every page is free again");
	free(live);
	world_free(&w);
}

/* The checker itself notices a broken zone (else the tests above prove little). */
static void test_check_detects(void)
{
	struct world w;
	struct block a, b;

	world_init(&w, 16, NULL, 0);
	take(&w, 0, &a);
	take(&w, 0, &b);
	w.z.free_pages++;
	TAP_EXPECT_EQ(buddy_check(&w.z), -EUCLEAN, "check: a wrong free count is found");
	w.z.free_pages--;
	/* Pages 0 and 1 are taken, 2-3 are a free order-1 block: fake its buddy as free. */
	w.pages[0].flags |= PG_buddy;
	w.pages[0].order = 1;
	TAP_EXPECT_EQ(buddy_check(&w.z), -EUCLEAN, "check: two unmerged free buddies are found");
	w.pages[0].flags &= ~PG_buddy;
	TAP_EXPECT_EQ(buddy_check(&w.z), 0, "check: the repaired zone passes");
	world_free(&w);
}

int main(void)
{
	test_init_and_ranges();
	test_coalescing();
	test_bad_frees();
	test_exhaustion();
	test_random();
	test_check_detects();
	return tap_done();
}
