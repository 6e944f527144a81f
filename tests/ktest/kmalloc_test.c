/*
 * KTAP suite "kmalloc": size classes, alignment, poisoning of freed objects, leak counters,
 * custom caches, and failure (injected and real) returning NULL.
 */
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/preempt.h"
#include "mm/slab.h"
#include "mm/page_alloc.h"
#include "mm/fault_inject.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"


static bool all_bytes(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static const size_t sizes[] = {1,    7,	   8,	 9,    16,   24,   31,	  32,	 33,	64,
			       100,  128,  200,	 256,  300,  512,  513,	  1000,	 1024,	2000,
			       2048, 3000, 4095, 4096, 4097, 8192, 10000, 65536, 100000};

/* Every size gets at least that many usable bytes; all live blocks are distinct. */
static void test_sizes(struct ktest *t)
{
	uint64_t in_use = slab_objects_in_use();
	uint8_t *p[ARRAY_SIZE(sizes)];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		if (!EXPECT_NOT_NULL(t, p[i]))
			return;
		EXPECT_GE(t, ksize(p[i]), sizes[i]);
		memset(p[i], i, sizes[i]);
	}
	EXPECT_EQ(t, slab_objects_in_use(), in_use + ARRAY_SIZE(sizes));
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!all_bytes(p[i], i, sizes[i]))
			bad++;
		kfree(p[i]);
	}
	EXPECT_EQ(t, bad, 0U);
	EXPECT_EQ(t, slab_objects_in_use(), in_use);
	EXPECT_NULL(t, kmalloc(0));
	kfree(NULL);
}

/* Objects of class c are aligned to c; large allocations to a page. */
static void test_alignment(struct ktest *t)
{
	enum { N = 20 };
	void *p[N];

	for (size_t c = KMALLOC_MIN_SIZE; c <= PAGE_SIZE; c *= 2) {
		struct kmem_cache *cache = kmalloc_cache(c);

		EXPECT_EQ(t, cache->slot_size, c);
		for (unsigned int i = 0; i < N; i++) {
			p[i] = kmalloc(c / 2 + 1);
			if (EXPECT_NOT_NULL(t, p[i]))
				EXPECT_EQ(t, (uint64_t)p[i] % c, 0U);
		}
		for (unsigned int i = 0; i < N; i++)
			kfree(p[i]);
	}
	p[0] = kmalloc(3 * PAGE_SIZE);
	ASSERT_NOT_NULL(t, p[0]);
	EXPECT_EQ(t, (uint64_t)p[0] % PAGE_SIZE, 0U);
	EXPECT_EQ(t, ksize(p[0]), 4 * PAGE_SIZE);
	kfree(p[0]);
}

/* A freed object reads back as poison until it is handed out again. */
static void test_poison(struct ktest *t)
{
	for (size_t c = KMALLOC_MIN_SIZE; c <= PAGE_SIZE; c *= 2) {
		uint8_t *p = kmalloc(c);

		if (!EXPECT_NOT_NULL(t, p))
			continue;
		memset(p, 0, c);
		kfree(p);
		/* Reading freed memory on purpose: the slab page stays mapped and the cache's. */
		EXPECT_TRUE(t, all_bytes(p, SLAB_POISON, c));
	}
}

/* A write after free is found: by kmem_cache_check now, by the next allocation otherwise. */
static void test_use_after_free_detected(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test_uaf", 40, 0);
	uint8_t *keep, *p;

	ASSERT_NOT_NULL(t, c);
	keep = kmem_cache_alloc(c); /* keeps the slab alive after p is freed */
	p = kmem_cache_alloc(c);
	ASSERT_NOT_NULL(t, keep);
	ASSERT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	EXPECT_EQ(t, kmem_cache_check(c), 0U);
	p[17] = 0; /* the bug */
	EXPECT_EQ(t, kmem_cache_check(c), 1U);
	p[17] = SLAB_POISON; /* repaired, so the next allocation does not panic */
	EXPECT_EQ(t, kmem_cache_check(c), 0U);
	kmem_cache_free(c, keep);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void test_leak_counters(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache(64);
	uint64_t in_use = c->in_use, allocs = c->allocs, frees = c->frees;
	void *p[100];

	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = kmalloc(50);
		ASSERT_NOT_NULL(t, p[i]);
	}
	EXPECT_EQ(t, c->in_use, in_use + 100);
	EXPECT_EQ(t, c->allocs, allocs + 100);
	EXPECT_GE(t, c->slabs, 100 / c->objs_per_slab);
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		kfree(p[i]);
	EXPECT_EQ(t, c->in_use, in_use);
	EXPECT_EQ(t, c->frees, frees + 100);
}

/* A cache with an odd size and a large alignment; destroy refuses while objects are out. */
static void test_custom_cache(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test_odd", 52, 64);
	void *p[200];

	ASSERT_NOT_NULL(t, c);
	EXPECT_EQ(t, c->slot_size, 64U);
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = kmem_cache_zalloc(c);
		if (!EXPECT_NOT_NULL(t, p[i]))
			return;
		EXPECT_EQ(t, (uint64_t)p[i] % 64, 0U);
		EXPECT_TRUE(t, all_bytes(p[i], 0, 52));
		memset(p[i], 0xee, 52);
	}
	EXPECT_EQ(t, c->in_use, ARRAY_SIZE(p));
	EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		kmem_cache_free(c, p[i]);
	EXPECT_EQ(t, c->slabs, 1U); /* empty slabs went back, but for one */
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	EXPECT_NULL(t, kmem_cache_create("too_big", PAGE_SIZE + 1, 0));
	EXPECT_NULL(t, kmem_cache_create("bad_align", 16, 24));
	EXPECT_EQ(t, kmem_cache_destroy(kmalloc_cache(32)), -EINVAL);
}

static void test_kzalloc(struct ktest *t)
{
	uint8_t *p = kmalloc(300);

	ASSERT_NOT_NULL(t, p);
	memset(p, 0xff, 300);
	kfree(p);
	p = kzalloc(300); /* likely the same slot, now poisoned: it must come back zeroed */
	ASSERT_NOT_NULL(t, p);
	EXPECT_TRUE(t, all_bytes(p, 0, 300));
	kfree(p);
}

static void test_failure(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache(32);
	uint64_t failures = c->failures, in_use = slab_objects_in_use();
	void *p;

	alloc_fail_inject(1);
	EXPECT_NULL(t, kmalloc(32));
	EXPECT_EQ(t, c->failures, failures + 1);
	alloc_fail_inject(1);
	EXPECT_NULL(t, kmalloc(5 * PAGE_SIZE));
	p = kmalloc(32);
	EXPECT_NOT_NULL(t, p);
	kfree(p);
	/* Bigger than the largest buddy block: a real failure, not a panic. */
	EXPECT_NULL(t, kmalloc((PAGE_SIZE << MAX_ORDER) + 1));
	EXPECT_EQ(t, slab_objects_in_use(), in_use);
}

/*
 * All CPUs at once (on_each_cpu: each runs this by IPI, interrupts off) kmalloc and kfree
 * mixed sizes, small and whole-page, keeping up to STRESS_HELD objects at a time. Each object's
 * first bytes (up to 512) get words naming the CPU, the slot and the round, checked before the
 * kfree: two CPUs handed the same object would overwrite each other's words. A missing lock
 * also shows as a poison panic (an object handed out twice, written, then freed) or a double
 * free. The CPUs wait for each other before they start, so that their rounds overlap; the
 * round count is kept low for the reason given in page_alloc_test.c (lock convoys under TCG).
 */
#define STRESS_ROUNDS 500
#define STRESS_HELD   8

static const size_t stress_sizes[] = {8, 24, 64, 100, 200, 512, 1000, 2048, 4096, 5000, 16384};
static atomic_t stress_bad, stress_failed;
static int stress_arrived;

/* A cache with per-CPU arrays: a freed object comes back first on its CPU, poisoned. */
static void test_percpu_cache(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create_percpu("test_pcpu", 100, 0);
	void *p, *q, *many[20];

	ASSERT_NOT_NULL(t, c);
	EXPECT_GE(t, c->cpu_slot, 0);
	preempt_disable(); /* one CPU's array throughout */
	p = kmem_cache_alloc(c);
	kmem_cache_free(c, p);
	EXPECT_TRUE(t, all_bytes(p, SLAB_POISON, 100));
	EXPECT_EQ(t, kmem_cache_cpu_cached(c), 1U);
	q = kmem_cache_alloc(c);
	preempt_enable();
	EXPECT_TRUE(t, p == q);
	EXPECT_EQ(t, kmem_cache_cpu_cached(c), 0U);
	EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	kmem_cache_free(c, q);
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		ASSERT_NOT_NULL(t, many[i] = kmem_cache_alloc(c));
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		kmem_cache_free(c, many[i]);
	EXPECT_LE(t, kmem_cache_cpu_cached(c), 8U); /* the rest went back to the slabs */
	EXPECT_EQ(t, c->in_use, kmem_cache_cpu_cached(c));
	EXPECT_EQ(t, kmem_cache_destroy(c), 0); /* drains the arrays */
}

static size_t stress_words(size_t size)
{
	return MIN(size, 512) / 8;
}

static void stress_check_free(uint64_t *p, size_t size, uint64_t tag)
{
	for (size_t i = 0; i < stress_words(size); i++)
		if (p[i] != (tag | i)) {
			atomic_inc(&stress_bad);
			break;
		}
	kfree(p);
}

static void kmalloc_stress(void *arg)
{
	unsigned int cpu = smp_processor_id();
	uint64_t *held[STRESS_HELD] = {0}, tag[STRESS_HELD];
	uint64_t x = 0x9e3779b97f4a7c15ULL * (cpu + 1);
	size_t size[STRESS_HELD];

	(void)arg;
	ktest_wait_for_all_cpus(&stress_arrived);
	for (unsigned int i = 0; i < STRESS_ROUNDS; i++) {
		unsigned int slot;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		slot = x % STRESS_HELD;
		if (held[slot])
			stress_check_free(held[slot], size[slot], tag[slot]);
		size[slot] = stress_sizes[(x >> 8) % ARRAY_SIZE(stress_sizes)];
		tag[slot] = (uint64_t)cpu << 56 | (uint64_t)slot << 48 | (uint64_t)i << 16;
		held[slot] = kmalloc(size[slot]);
		if (!held[slot]) {
			atomic_inc(&stress_failed);
			continue;
		}
		for (size_t w = 0; w < stress_words(size[slot]); w++)
			held[slot][w] = tag[slot] | w;
	}
	for (unsigned int slot = 0; slot < STRESS_HELD; slot++)
		if (held[slot])
			stress_check_free(held[slot], size[slot], tag[slot]);
}

/*
 * Ends with every object freed, every free object's poison intact, and as many free pages as
 * before: each cache used gets a slab first, so that afterwards it keeps exactly the slabs it
 * had (an emptied slab goes back unless it is the cache's only one).
 */
static void test_smp_stress(struct ktest *t)
{
	uint64_t in_use, free_before, t0 = ktime_ns();
	unsigned int damaged = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(stress_sizes); i++)
		kfree(kmalloc(stress_sizes[i]));
	in_use = slab_objects_in_use();
	free_before = nr_free_pages();
	atomic_set(&stress_bad, 0);
	atomic_set(&stress_failed, 0);
	stress_arrived = 0;
	on_each_cpu(kmalloc_stress, NULL, true);
	EXPECT_EQ(t, atomic_read(&stress_bad), 0);
	EXPECT_EQ(t, atomic_read(&stress_failed), 0);
	EXPECT_EQ(t, slab_objects_in_use(), in_use);
	EXPECT_EQ(t, nr_free_pages(), free_before);
	for (size_t c = KMALLOC_MIN_SIZE; c <= PAGE_SIZE; c *= 2)
		damaged += kmem_cache_check(kmalloc_cache(c));
	EXPECT_EQ(t, damaged, 0U);
	ktest_log(t, "%u rounds on %u CPUs in %llu ms", STRESS_ROUNDS * num_online_cpus(),
		  num_online_cpus(), (unsigned long long)((ktime_ns() - t0) / 1000000));
}

KTEST_SUITE(kmalloc, KTEST_CASE(test_sizes), KTEST_CASE(test_alignment), KTEST_CASE(test_poison),
	    KTEST_CASE(test_use_after_free_detected), KTEST_CASE(test_leak_counters),
	    KTEST_CASE(test_custom_cache), KTEST_CASE(test_percpu_cache), KTEST_CASE(test_kzalloc), KTEST_CASE(test_failure),
	    KTEST_CASE(test_smp_stress));
