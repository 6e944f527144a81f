/*
 * KTAP suite "aio_torture": torture aio's checker catches its broken variant free-at-once
 * (contexts freed without their grace period) within a bounded time, and finds nothing in
 * the real mechanism under the same load and delay points.
 */
#include "kernel/ktest.h"
#include "fs/aio.h"
#include "fs/torture/aio_torture.h"
#include "kernel/smp.h"

#define TORTURE_MS 500	/* the real torture case's run */
#define CATCH_MS   1000 /* the broken variant's first error comes by then */

static bool settle(void)
{
	return aio_wait_for_frees(2000);
}

static void expect_torture_cleaned_up(struct ktest *t, const struct aio_stats *start)
{
	struct aio_stats s = aio_get_stats();

	EXPECT_EQ(t, kioctx_quarantine_get_stats().held, 0u);
	EXPECT_EQ(t, s.allocated, start->allocated);
	EXPECT_EQ(t, s.contexts, start->contexts);
	EXPECT_EQ(t, s.aio_nr, start->aio_nr);
	EXPECT_EQ(t, kioctx_poison_damage(), 0u);
}

static void log_torture(struct ktest *t, const struct aio_torture_result *r)
{
	ktest_log(t,
		  "%llu ms: %llu destroys, %llu lookups (%llu rwlock), %llu delayed; %lld "
		  "errors (%llu walks on a freed context), the first after %llu ms",
		  (unsigned long long)r->ms, (unsigned long long)r->destroys,
		  (unsigned long long)r->lookups, (unsigned long long)r->rwlock_lookups,
		  (unsigned long long)r->delay_hits, r->errors, (unsigned long long)r->reached,
		  (unsigned long long)r->first_ms);
}

/*
 * The broken variant free-at-once frees a destroyed context without waiting for a grace
 * period: torture aio must see a lookup read a freed context within CATCH_MS (the run ends
 * soon after its first error; the first usually comes in tens of milliseconds). The rwlock
 * lookups stay clean, and the kernel is left as it was: the quarantine emptied into the slab.
 */
static void test_torture_catches_free_at_once(struct ktest *t)
{
	struct aio_torture_result r;
	struct aio_stats start;
	int err;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: on one, a lookup's read side keeps the updater out");
	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	err = aio_torture_run(AIO_TORTURE_FREE_AT_ONCE, CATCH_MS, 0, AIO_TORTURE_UNTIL_CAUGHT, &r);
	ASSERT_EQ(t, err, 0);
	log_torture(t, &r);
	EXPECT_GT(t, r.errors, 0);
	EXPECT_GT(t, r.reached, 0u);
	EXPECT_LE(t, r.first_ms, (uint64_t)CATCH_MS);
	EXPECT_EQ(t, r.rwlock_errors, 0);
	EXPECT_GT(t, r.delay_hits, 0u);
	expect_torture_cleaned_up(t, &start);
}

/* The real mechanism under the same load, with the same delay points on: no error at all. */
static void test_torture_real_clean_with_delay_points(struct ktest *t)
{
	struct aio_torture_result r;
	struct aio_stats start;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	ASSERT_EQ(t, aio_torture_run(AIO_TORTURE_REAL, TORTURE_MS, 0, 0, &r), 0);
	log_torture(t, &r);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_EQ(t, r.reached, 0u);
	EXPECT_GT(t, r.destroys, 0u);
	EXPECT_GT(t, r.rwlock_lookups, 0u);
	EXPECT_GT(t, r.delay_hits, 0u);
	expect_torture_cleaned_up(t, &start);
}

KTEST_SUITE(aio_torture, KTEST_CASE(test_torture_catches_free_at_once),
	    KTEST_CASE(test_torture_real_clean_with_delay_points));
