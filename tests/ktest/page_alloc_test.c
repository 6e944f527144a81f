/*
 * KTAP suite "page_alloc": the buddy allocator on the kernel's real memory. The free lists of a
 * given set of free frames are always the same once every possible merge is done, so "after
 * freeing everything, every per-order count is back to what it was" proves full coalescing.
 */
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/preempt.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/fault_inject.h"
#include "mm/scrub.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/list.h"

struct order_counts {
	uint64_t n[MAX_ORDER + 1];
};

/*
 * The buddy's free blocks by order. Single pages freed since the last drain_all_pages() wait on
 * the CPUs' lists, not in these counts: the cases drain before they compare.
 */
static struct order_counts snapshot(void)
{
	struct order_counts c;

	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		c.n[o] = nr_free_blocks(o);
	return c;
}

/* The free lists hold the same number of blocks of each order as they did in *before. */
static bool counts_unchanged(const struct order_counts *before)
{
	struct order_counts now = snapshot();

	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		if (now.n[o] != before->n[o])
			return false;
	return true;
}

/*
 * Takes every free page one at a time (linking them through their own struct page), writes
 * each page's frame number into it, then checks and frees them all.
 */
static void test_all_memory(struct ktest *t)
{
	struct order_counts before = (drain_all_pages(), snapshot());
	uint64_t free_before = nr_free_pages(), failures = page_alloc_stats.failures;
	uint64_t n = 0, above_4g = 0, bad = 0;
	struct page *p, *tmp;
	LIST_HEAD(taken);

	while ((p = alloc_page())) {
		*(uint64_t *)page_address(p) = page_to_pfn(p);
		list_add(&p->list, &taken);
		n++;
	}
	EXPECT_EQ(t, n, free_before);
	EXPECT_EQ(t, nr_free_pages(), 0U);
	EXPECT_EQ(t, page_alloc_stats.failures, failures + 1);
	/* Exhaustion: every order fails, and fails cleanly. */
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		EXPECT_NULL(t, alloc_pages(o));

	list_for_each_entry_safe(p, tmp, &taken, list) {
		if (*(uint64_t *)page_address(p) != page_to_pfn(p))
			bad++;
		if (page_to_phys(p) >= (4UL << 30))
			above_4g++;
		list_del(&p->list);
		free_page(p);
	}
	EXPECT_EQ(t, bad, 0U);
	EXPECT_EQ(t, nr_free_pages(), free_before);
	drain_all_pages();
	EXPECT_TRUE(t, counts_unchanged(&before));
	EXPECT_EQ(t, page_alloc_check(), 0);
	ktest_log(t, "%llu pages allocated and freed, %llu of them above 4 GiB",
		  (unsigned long long)n, (unsigned long long)above_4g);
	if (max_pfn > (4UL << 30) / PAGE_SIZE)
		EXPECT_GT(t, above_4g, 0U);
}

/* The order of the free block that contains page p, or -1 when p is not free. */
static int free_block_order(const struct page *p)
{
	uint64_t pfn = page_to_pfn(p);

	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		const struct page *head = pfn_to_page(pfn & ~((1UL << o) - 1));

		if ((head->flags & PG_buddy) && head->order == o)
			return o;
	}
	return -1;
}

/*
 * Two buddies freed one by one join again into the block they came from, once they leave this
 * CPU's list of single pages (drain_all_pages); until then neither is in the buddy at all.
 */
static void test_coalescing(struct ktest *t)
{
	struct order_counts before = (drain_all_pages(), snapshot());
	struct page *p = alloc_pages(1);

	ASSERT_NOT_NULL(t, p);
	EXPECT_EQ(t, page_to_pfn(p) % 2, 0U);
	EXPECT_EQ(t, free_block_order(p), -1);
	free_page(p);
	EXPECT_TRUE(t, p->flags & PG_pcp);
	EXPECT_EQ(t, free_block_order(p), -1);
	drain_all_pages();
	EXPECT_EQ(t, free_block_order(p), 0); /* its buddy p + 1 is still allocated */
	EXPECT_EQ(t, free_block_order(p + 1), -1);
	free_page(p + 1);
	drain_all_pages();
	EXPECT_GE(t, free_block_order(p), 1); /* merged, perhaps further up */
	EXPECT_FALSE(t, p[1].flags & PG_buddy);
	EXPECT_TRUE(t, counts_unchanged(&before));
	EXPECT_EQ(t, page_alloc_check(), 0);
}

/*
 * A block taken from a larger one leaves one free block at each order between the two. The
 * buddy is tested with 2-page blocks (single pages come from the CPUs' lists, which take the
 * buddy's pages PCP_BATCH at a time); the free blocks of orders 1..3 are taken out of the way
 * first, so the split is certain.
 */
static void test_split(struct ktest *t)
{
	struct list_head drained[4];
	struct order_counts before, mid;
	unsigned int from = 1;
	struct page *p, *tmp;

	drain_all_pages();
	for (unsigned int o = 1; o < 4; o++) {
		INIT_LIST_HEAD(&drained[o]);
		while (nr_free_blocks(o) && (p = alloc_pages(o)))
			list_add(&p->list, &drained[o]);
	}
	before = snapshot();
	while (from <= MAX_ORDER && !before.n[from])
		from++;
	EXPECT_GE(t, from, 4U);
	p = alloc_pages(1);
	if (EXPECT_NOT_NULL(t, p) && EXPECT_LE(t, from, (unsigned int)MAX_ORDER)) {
		mid = snapshot();
		EXPECT_EQ(t, mid.n[from], before.n[from] - 1);
		for (unsigned int o = 1; o < from; o++)
			EXPECT_EQ(t, mid.n[o], 1U);
		free_pages(p, 1);
		EXPECT_TRUE(t, counts_unchanged(&before));
	}
	for (unsigned int o = 1; o < 4; o++) {
		list_for_each_entry_safe(p, tmp, &drained[o], list) {
			list_del(&p->list);
			free_pages(p, o);
		}
	}
	EXPECT_EQ(t, page_alloc_check(), 0);
}

/*
 * The CPUs' lists of single pages: a page freed here is the next one allocated here (hot in
 * this CPU's cache); pages left on other CPUs' lists count as free and are found when the buddy
 * runs dry (test_all_memory takes them all); drain_all_pages empties every list.
 */
static void alloc_free_some(void *arg)
{
	struct page *pages[8];

	(void)arg;
	for (unsigned int i = 0; i < 8; i++)
		pages[i] = alloc_page();
	for (unsigned int i = 0; i < 8; i++)
		free_page(pages[i]);
}

static void test_per_cpu_lists(struct ktest *t)
{
	struct page *p = alloc_page(), *q;
	uint64_t free_before;

	ASSERT_NOT_NULL(t, p);
	preempt_disable(); /* the same CPU's list for both calls */
	free_page(p);
	q = alloc_page();
	preempt_enable();
	EXPECT_EQ(t, (uintptr_t)q, (uintptr_t)p);
	free_page(q);
	on_each_cpu(alloc_free_some, NULL, true);
	free_before = nr_free_pages();
	EXPECT_GT(t, page_alloc_counts().pcp_pages, 0U);
	drain_all_pages();
	EXPECT_EQ(t, page_alloc_counts().pcp_pages, 0U);
	EXPECT_EQ(t, nr_free_pages(), free_before); /* they were counted free on the lists too */
	EXPECT_EQ(t, page_alloc_check(), 0);
}

/* Each order gives an aligned, usable block. */
static void test_orders(struct ktest *t)
{
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		struct page *p = alloc_pages(o);
		uint8_t *va;

		if (!EXPECT_NOT_NULL(t, p))
			continue;
		EXPECT_EQ(t, page_to_pfn(p) & ((1UL << o) - 1), 0U);
		EXPECT_EQ(t, p->refcount, 1);
		va = page_address(p);
		va[0] = 0x5a;
		va[(PAGE_SIZE << o) - 1] = 0xa5;
		EXPECT_EQ(t, va[0] + va[(PAGE_SIZE << o) - 1], 0xff);
		EXPECT_EQ(t, virt_to_page(va), p);
		EXPECT_EQ(t, phys_to_page(page_to_phys(p)), p);
		free_pages(p, o);
	}
	EXPECT_NULL(t, alloc_pages(MAX_ORDER + 1));
}

/* Blocks handed out at once never overlap. */
static void test_no_overlap(struct ktest *t)
{
	enum { N = 64 };
	struct page *p[N];
	unsigned int order[N], bad = 0;

	for (unsigned int i = 0; i < N; i++) {
		order[i] = i % 4;
		p[i] = alloc_pages(order[i]);
		if (!EXPECT_NOT_NULL(t, p[i]))
			return;
		for (uint64_t k = 0; k < (1UL << order[i]); k++)
			*(uint64_t *)page_address(p[i] + k) = i;
	}
	for (unsigned int i = 0; i < N; i++) {
		for (uint64_t k = 0; k < (1UL << order[i]); k++)
			if (*(uint64_t *)page_address(p[i] + k) != i)
				bad++;
		free_pages(p[i], order[i]);
	}
	EXPECT_EQ(t, bad, 0U);
}

static void test_fault_injection(struct ktest *t)
{
	uint64_t failures = page_alloc_stats.failures;
	unsigned long injected = alloc_fail_injected();
	struct page *a, *b, *c;

	alloc_fail_inject(2);
	a = alloc_page();
	b = alloc_page();
	c = alloc_page();
	EXPECT_NOT_NULL(t, a);
	EXPECT_NULL(t, b);
	EXPECT_NOT_NULL(t, c);
	free_page(a);
	free_page(c);
	EXPECT_EQ(t, page_alloc_stats.failures, failures + 1);
	EXPECT_EQ(t, alloc_fail_injected(), injected + 1);

	alloc_fail_inject_n(1, ALLOC_FAIL_FOREVER);
	EXPECT_NULL(t, alloc_page());
	EXPECT_NULL(t, alloc_pages(3));
	alloc_fail_cancel();
	a = alloc_page();
	EXPECT_NOT_NULL(t, a);
	free_page(a);
}

static void test_counters(struct ktest *t)
{
	struct page_alloc_counts before = page_alloc_counts();
	uint64_t free_before = nr_free_pages();
	struct page *p = alloc_pages(2);

	ASSERT_NOT_NULL(t, p);
	EXPECT_EQ(t, nr_free_pages(), free_before - 4);
	EXPECT_EQ(t, page_alloc_counts().allocs, before.allocs + 1);
	free_pages(p, 2);
	EXPECT_EQ(t, page_alloc_counts().frees, before.frees + 1);
	EXPECT_EQ(t, nr_free_pages(), free_before);
	EXPECT_LE(t, nr_free_pages(), page_alloc_stats.managed_pages);
	EXPECT_TRUE(t, pfn_to_page(0)->flags & PG_reserved); /* the first 1 MiB is never managed */
}

/*
 * mm/scrub.c: a frame still marked PG_unscrubbed is zeroed when it is handed out, a frame
 * without the mark keeps what its last owner wrote (pages are not zeroed on every allocation),
 * and no page of a block ever reaches its owner with the mark.
 */
static bool page_filled_with(const struct page *page, uint64_t pattern)
{
	const uint64_t *p = page_address(page);

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		if (p[i] != pattern)
			return false;
	return true;
}

static void fill_page(struct page *page, uint64_t pattern)
{
	uint64_t *p = page_address(page);

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = pattern;
}

static void test_scrub_on_first_allocation(struct ktest *t)
{
	const uint64_t pattern = 0x5c7ab5c7ab5c7ab5ULL;
	struct page *block = alloc_pages(1);
	unsigned int marked = 0;
	uint64_t scrubbed;

	ASSERT_NOT_NULL(t, block);
	EXPECT_FALSE(t, (block[0].flags | block[1].flags) & PG_unscrubbed);
	fill_page(&block[0], pattern);
	fill_page(&block[1], pattern);
	block[1].flags |= PG_unscrubbed; /* as if page 1 had never been allocated */
	scrubbed = nr_scrubbed_pages();
	scrub_new_block(block, 1);
	EXPECT_TRUE(t, page_filled_with(&block[0], pattern));
	EXPECT_TRUE(t, page_filled_with(&block[1], 0));
	EXPECT_FALSE(t, block[1].flags & PG_unscrubbed);
	EXPECT_EQ(t, nr_scrubbed_pages(), scrubbed + 1);
	free_pages(block, 1); /* would panic if a flag were left */

	/* A 4 MiB block: whatever mix of new and used frames it holds, none is still marked. */
	block = alloc_pages(MAX_ORDER);
	ASSERT_NOT_NULL(t, block);
	for (unsigned int i = 0; i < (1U << MAX_ORDER); i++)
		marked += !!(block[i].flags & PG_unscrubbed);
	EXPECT_EQ(t, marked, 0U);
	free_pages(block, MAX_ORDER);
	EXPECT_LE(t, nr_scrubbed_pages(), page_alloc_stats.managed_pages);
}

/*
 * All CPUs at once (on_each_cpu: each runs this by IPI, interrupts off) allocate and free
 * blocks of orders 0..3, keeping up to STRESS_HELD at a time. Each page of a block gets a word
 * naming the CPU, the slot and the round, at both ends, checked just before the free: if two
 * CPUs were ever handed the same frames, the later one's words overwrite the earlier's. The
 * CPUs wait for each other before they start (the IPIs arrive at different times), so that
 * their rounds overlap.
 *
 * Without zone_lock, 19 boots of 20 at -smp 4 panicked here: the free lists break first (a
 * fault in the list code, or free_pages' own checks). The round count is low because the lock
 * convoys under TCG with more vCPUs than host cores (docs/smp.md): 500 rounds per CPU take
 * 30-600 ms at -smp 4 with two boots sharing 2 host cores, over 2 s on a busier host; 1,500
 * rounds took up to 7 s.
 */
#define STRESS_ROUNDS 500
#define STRESS_HELD   8

static atomic_t stress_bad, stress_failed;
static int stress_arrived;

static uint64_t stress_tag(unsigned int cpu, unsigned int slot, unsigned int round, uint64_t k)
{
	return (uint64_t)cpu << 56 | (uint64_t)slot << 48 | (uint64_t)round << 16 | k;
}

static void stress_fill(struct page *p, unsigned int order, uint64_t tag)
{
	for (uint64_t k = 0; k < (1UL << order); k++) {
		uint64_t *w = page_address(p + k);

		w[0] = tag | k;
		w[PAGE_SIZE / 8 - 1] = ~(tag | k);
	}
}

static void stress_check_free(struct page *p, unsigned int order, uint64_t tag)
{
	for (uint64_t k = 0; k < (1UL << order); k++) {
		uint64_t *w = page_address(p + k);

		if (w[0] != (tag | k) || w[PAGE_SIZE / 8 - 1] != ~(tag | k))
			atomic_inc(&stress_bad);
	}
	free_pages(p, order);
}

static void alloc_stress(void *arg)
{
	unsigned int cpu = smp_processor_id(), order[STRESS_HELD];
	struct page *held[STRESS_HELD] = {0};
	uint64_t tag[STRESS_HELD], x = 0x9e3779b97f4a7c15ULL * (cpu + 1);

	(void)arg;
	ktest_wait_for_all_cpus(&stress_arrived);
	for (unsigned int i = 0; i < STRESS_ROUNDS; i++) {
		unsigned int slot;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		slot = x % STRESS_HELD;
		if (held[slot])
			stress_check_free(held[slot], order[slot], tag[slot]);
		order[slot] = (x >> 8) % 4;
		tag[slot] = stress_tag(cpu, slot, i, 0);
		held[slot] = alloc_pages(order[slot]);
		if (held[slot])
			stress_fill(held[slot], order[slot], tag[slot]);
		else
			atomic_inc(&stress_failed);
	}
	for (unsigned int slot = 0; slot < STRESS_HELD; slot++)
		if (held[slot])
			stress_check_free(held[slot], order[slot], tag[slot]);
}

static void test_smp_stress(struct ktest *t)
{
	struct order_counts before = (drain_all_pages(), snapshot());
	uint64_t free_before = nr_free_pages(), t0 = ktime_ns();

	atomic_set(&stress_bad, 0);
	atomic_set(&stress_failed, 0);
	stress_arrived = 0;
	on_each_cpu(alloc_stress, NULL, true);
	EXPECT_EQ(t, atomic_read(&stress_bad), 0);
	EXPECT_EQ(t, atomic_read(&stress_failed), 0);
	EXPECT_EQ(t, nr_free_pages(), free_before);
	drain_all_pages();
	EXPECT_TRUE(t, counts_unchanged(&before));
	EXPECT_EQ(t, page_alloc_check(), 0);
	ktest_log(t, "%u rounds on %u CPUs in %llu ms", STRESS_ROUNDS * num_online_cpus(),
		  num_online_cpus(), (unsigned long long)((ktime_ns() - t0) / 1000000));
}

KTEST_SUITE(page_alloc, KTEST_CASE(test_orders), KTEST_CASE(test_coalescing),
	    KTEST_CASE(test_split), KTEST_CASE(test_no_overlap), KTEST_CASE(test_counters),
	    KTEST_CASE(test_scrub_on_first_allocation), KTEST_CASE(test_fault_injection),
	    KTEST_CASE(test_all_memory), KTEST_CASE(test_per_cpu_lists), KTEST_CASE(test_smp_stress));
