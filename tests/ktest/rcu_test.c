/*
 * KTAP suite "rcu": a grace period waits for the readers that were there when it began; call_rcu
 * callbacks run after a grace period, never before; rcu_barrier waits for every callback;
 * read-side sections nest; the expedited form gives the same guarantee.
 */
#include "kernel/ktest.h"
#include "kernel/rcu.h"
#include "kernel/kthread.h"
#include "kernel/sleep.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

#define READER_NS 50000000ULL /* how long the reader stays inside: 50 ms */

struct reader {
	volatile bool inside, left;
};

/* Enters a read-side section, stays a while (busy: it may not sleep there), leaves. */
static int long_reader(void *arg)
{
	struct reader *r = arg;
	uint64_t end;

	rcu_read_lock();
	r->inside = true;
	end = ktime_ns() + READER_NS;
	while (ktime_ns() < end)
		cpu_relax();
	smp_store_release(&r->left, true);
	rcu_read_unlock();
	return 0;
}

static struct thread *start_reader(struct ktest *t, struct reader *r)
{
	struct thread *th = kthread_create(long_reader, r, "ktest-reader");

	if (!th)
		return NULL;
	kthread_bind(th, nr_cpu_ids - 1);
	wake_up_new_thread(th);
	while (!READ_ONCE(r->inside))
		msleep(1);
	(void)t;
	return th;
}

static void grace_period_waits(struct ktest *t, void (*sync)(void))
{
	struct reader r = { 0 };
	struct thread *th;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs (a reader on one CPU cannot overlap a waiter there)");
	th = start_reader(t, &r);
	ASSERT_NOT_NULL(t, th);
	sync();
	EXPECT_TRUE(t, smp_load_acquire(&r.left)); /* the reader was there first: waited for */
	kthread_join(th);
}

static void test_synchronize_waits_for_reader(struct ktest *t)
{
	grace_period_waits(t, synchronize_rcu);
}

static void test_expedited_waits_for_reader(struct ktest *t)
{
	grace_period_waits(t, synchronize_rcu_expedited);
}

struct cb_probe {
	struct rcu_head rcu;
	struct reader *r;
	volatile bool ran;
	volatile bool reader_had_left;
};

static void probe_cb(struct rcu_head *h)
{
	struct cb_probe *p = container_of(h, struct cb_probe, rcu);

	p->reader_had_left = smp_load_acquire(&p->r->left);
	smp_store_release(&p->ran, true);
}

static void test_call_rcu_runs_after_readers(struct ktest *t)
{
	struct reader r = { 0 };
	struct cb_probe p = { .r = &r };
	struct thread *th;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	th = start_reader(t, &r);
	ASSERT_NOT_NULL(t, th);
	call_rcu(&p.rcu, probe_cb);
	rcu_barrier();
	EXPECT_TRUE(t, p.ran);
	EXPECT_TRUE(t, p.reader_had_left);
	kthread_join(th);
}

static atomic_t counted;

static void count_cb(struct rcu_head *h)
{
	(void)h;
	atomic_inc(&counted);
}

static void test_barrier_waits_for_all(struct ktest *t)
{
	static struct rcu_head heads[1000];

	atomic_set(&counted, 0);
	for (int i = 0; i < 1000; i++)
		call_rcu(&heads[i], count_cb);
	rcu_barrier();
	EXPECT_EQ(t, atomic_read(&counted), 1000);
}

static void test_nesting(struct ktest *t)
{
	EXPECT_FALSE(t, rcu_read_lock_held());
	rcu_read_lock();
	rcu_read_lock();
	EXPECT_TRUE(t, rcu_read_lock_held());
	rcu_read_unlock();
	EXPECT_TRUE(t, rcu_read_lock_held());
	rcu_read_unlock();
	EXPECT_FALSE(t, rcu_read_lock_held());
}

static void test_grace_periods_advance(struct ktest *t)
{
	struct rcu_stats before = rcu_get_stats(), after;

	synchronize_rcu();
	synchronize_rcu();
	after = rcu_get_stats();
	if (nr_cpu_ids == 1)
		return; /* one CPU: a thread that may sleep is already past a grace period */
	EXPECT_GE(t, after.gp_completed, before.gp_completed + 1);
	EXPECT_EQ(t, after.gp_seq % 2 == 0 || after.gp_seq > before.gp_seq, true);
}

KTEST_SUITE(rcu, KTEST_CASE(test_synchronize_waits_for_reader),
	    KTEST_CASE(test_expedited_waits_for_reader), KTEST_CASE(test_call_rcu_runs_after_readers),
	    KTEST_CASE(test_barrier_waits_for_all), KTEST_CASE(test_nesting),
	    KTEST_CASE(test_grace_periods_advance));
