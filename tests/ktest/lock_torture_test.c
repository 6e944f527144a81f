/*
 * KTAP suite "lock_torture": half a second of torture per lock type finds no error, and the
 * deliberately broken lock is caught (with 2 or more CPUs: on one CPU with preemption off it
 * cannot fail).
 */
#include "kernel/ktest.h"
#include "kernel/torture/lock_torture.h"
#include "kernel/smp.h"

#define RUN_MS 500

static void torture_clean(struct ktest *t, enum lock_torture_type type)
{
	struct lock_torture_result r;

	ASSERT_EQ(t, lock_torture_run(type, 0, RUN_MS, false, &r), 0);
	ktest_log(t, "%s: %u threads, %llu writes, %llu reads, %llu errors",
		  lock_torture_name(type), r.threads, (unsigned long long)r.write_acquisitions,
		  (unsigned long long)r.read_acquisitions, (unsigned long long)r.errors);
	EXPECT_EQ(t, r.errors, 0u);
	EXPECT_GT(t, r.write_acquisitions, 0u);
	if (type == LOCK_TORTURE_RWLOCK || type == LOCK_TORTURE_RWSEM)
		EXPECT_GT(t, r.read_acquisitions, 0u);
}

static void test_spinlock(struct ktest *t)
{
	torture_clean(t, LOCK_TORTURE_SPINLOCK);
}

static void test_rwlock(struct ktest *t)
{
	torture_clean(t, LOCK_TORTURE_RWLOCK);
}

static void test_mutex(struct ktest *t)
{
	torture_clean(t, LOCK_TORTURE_MUTEX);
}

static void test_rwsem(struct ktest *t)
{
	torture_clean(t, LOCK_TORTURE_RWSEM);
}

static void test_broken_lock_is_caught(struct ktest *t)
{
	struct lock_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, lock_torture_run(LOCK_TORTURE_BROKEN, 0, RUN_MS, false, &r), 0);
	ktest_log(t, "broken lock: %llu errors in %llu writes", (unsigned long long)r.errors,
		  (unsigned long long)r.write_acquisitions);
	EXPECT_GT(t, r.errors, 0u);
}

static void test_bad_type_rejected(struct ktest *t)
{
	struct lock_torture_result r;

	EXPECT_EQ(t, lock_torture_parse("nonsense"), -1);
	EXPECT_EQ(t, lock_torture_parse("mutex"), LOCK_TORTURE_MUTEX);
	EXPECT_LT(t, lock_torture_run(LOCK_TORTURE_NR_TYPES, 0, 10, false, &r), 0);
}

KTEST_SUITE(lock_torture, KTEST_CASE(test_spinlock), KTEST_CASE(test_rwlock),
	    KTEST_CASE(test_rwsem), KTEST_CASE(test_mutex), KTEST_CASE(test_broken_lock_is_caught),
	    KTEST_CASE(test_bad_type_rejected));
