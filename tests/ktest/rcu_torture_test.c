/*
 * KTAP suite "rcu_torture": a second of RCU torture finds no error while readers read and grace
 * periods pass, and the broken updater (frees without a grace period) is caught (with 2 or more
 * CPUs: on one CPU a reader, which cannot be preempted, never overlaps the writer).
 */
#include "kernel/ktest.h"
#include "kernel/torture/rcu_torture.h"
#include "kernel/smp.h"

#define RUN_MS	  1000
#define BROKEN_MS 500

static void log_result(struct ktest *t, enum rcu_torture_type type,
		       const struct rcu_torture_result *r)
{
	ktest_log(t,
		  "%s: %u readers, %llu reads, %llu updates, %llu grace periods, %llu errors, "
		  "pipe 0/1/2+: %llu/%llu/%llu",
		  rcu_torture_name(type), r->readers, (unsigned long long)r->reads,
		  (unsigned long long)r->updates, (unsigned long long)r->grace_periods,
		  (unsigned long long)r->errors, (unsigned long long)r->pipe[0],
		  (unsigned long long)r->pipe[1],
		  (unsigned long long)(r->reads - r->pipe[0] - r->pipe[1]));
}

static void test_rcu_no_errors(struct ktest *t)
{
	struct rcu_torture_result r;

	ASSERT_EQ(t, rcu_torture_run(RCU_TORTURE_RCU, RUN_MS, false, &r), 0);
	log_result(t, RCU_TORTURE_RCU, &r);
	EXPECT_EQ(t, r.errors, 0u);
	EXPECT_EQ(t, r.readers, num_online_cpus());
	EXPECT_GT(t, r.reads, 0u);
	EXPECT_GT(t, r.updates, 0u);
	EXPECT_GT(t, r.grace_periods, 0u);
	/* Only pipe counts 0 and 1 may be seen: the histogram agrees with the error count. */
	EXPECT_EQ(t, r.pipe[0] + r.pipe[1], r.reads);
}

static void test_broken_updater_is_caught(struct ktest *t)
{
	struct rcu_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, rcu_torture_run(RCU_TORTURE_BROKEN, BROKEN_MS, false, &r), 0);
	log_result(t, RCU_TORTURE_BROKEN, &r);
	EXPECT_GT(t, r.errors, 0u);
}

static void test_bad_type_rejected(struct ktest *t)
{
	struct rcu_torture_result r;

	EXPECT_LT(t, rcu_torture_run(RCU_TORTURE_NR_TYPES, 10, false, &r), 0);
}

KTEST_SUITE(rcu_torture, KTEST_CASE(test_rcu_no_errors), KTEST_CASE(test_broken_updater_is_caught),
	    KTEST_CASE(test_bad_type_rejected));
