/*
 * KTAP suite "mutex": sleeping mutexes exclude each other even when the holder sleeps, hand the
 * lock to waiters in the order they came, and trylock never sleeps.
 */
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "lib/atomic.h"

#define ROUNDS 200

struct shared_counter {
	struct mutex lock;
	uint64_t value; /* updated in two steps with a possible sleep between: needs the mutex */
};

static int count_under_mutex(void *arg)
{
	struct shared_counter *c = arg;

	for (int i = 0; i < ROUNDS; i++) {
		mutex_lock(&c->lock);
		uint64_t v = c->value;
		if (i % 8 == 0)
			yield(); /* the holder gives up the CPU: others must still wait */
		c->value = v + 1;
		mutex_unlock(&c->lock);
	}
	return 0;
}

static void test_mutual_exclusion(struct ktest *t)
{
	struct shared_counter c = { .value = 0 };
	unsigned int n = 2 * num_online_cpus() > 8 ? 8 : 2 * num_online_cpus();
	struct thread *th[8];

	mutex_init(&c.lock, "ktest_counter");
	/* Held while the threads start, so that some of them surely wait and sleep. */
	mutex_lock(&c.lock);
	for (unsigned int i = 0; i < n; i++) {
		th[i] = kthread_run(count_under_mutex, &c, "ktest-mutex/%u", i);
		ASSERT_NOT_NULL(t, th[i]);
	}
	for (int tries = 0; tries < 1000 && c.lock.contended == 0; tries++)
		msleep(1);
	mutex_unlock(&c.lock);
	for (unsigned int i = 0; i < n; i++)
		kthread_join(th[i]);
	EXPECT_EQ(t, c.value, (uint64_t)n * ROUNDS);
	EXPECT_FALSE(t, mutex_is_locked(&c.lock));
	EXPECT_GT(t, c.lock.contended, 0u);
	ktest_log(t, "%u threads, %u rounds each, %llu waits", n, ROUNDS,
		  (unsigned long long)c.lock.contended);
}

static int try_once(void *arg)
{
	struct mutex *m = arg;

	if (!mutex_trylock(m))
		return 0;
	mutex_unlock(m);
	return 1;
}

static void test_trylock(struct ktest *t)
{
	DEFINE_MUTEX(m);
	struct thread *th;

	mutex_lock(&m);
	th = kthread_run(try_once, &m, "ktest-trylock");
	ASSERT_NOT_NULL(t, th);
	EXPECT_EQ(t, kthread_join(th), 0); /* held by this thread: trylock fails at once */
	mutex_unlock(&m);
	th = kthread_run(try_once, &m, "ktest-trylock");
	ASSERT_NOT_NULL(t, th);
	EXPECT_EQ(t, kthread_join(th), 1);
}

/* Waiters get the mutex in the order they started waiting. */
struct order {
	struct mutex lock;
	atomic_t next;
	int got[4];
};

struct waiter_arg {
	struct order *o;
	int id;
};

static int take_in_turn(void *arg)
{
	struct waiter_arg *w = arg;

	mutex_lock(&w->o->lock);
	w->o->got[atomic_add_return(1, &w->o->next) - 1] = w->id;
	mutex_unlock(&w->o->lock);
	return 0;
}

static void test_fifo_handoff(struct ktest *t)
{
	struct order o = { .next = ATOMIC_INIT(0) };
	struct waiter_arg args[4];
	struct thread *th[4];

	mutex_init(&o.lock, "ktest_order");
	mutex_lock(&o.lock);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct waiter_arg){ &o, i };
		th[i] = kthread_run(take_in_turn, &args[i], "ktest-fifo/%d", i);
		ASSERT_NOT_NULL(t, th[i]);
		/* Let it reach the mutex and queue before the next one starts. */
		for (int tries = 0; tries < 500 && o.lock.contended < (uint64_t)i + 1; tries++)
			msleep(1);
		ASSERT_EQ(t, o.lock.contended, (uint64_t)i + 1);
	}
	mutex_unlock(&o.lock);
	for (int i = 0; i < 4; i++)
		kthread_join(th[i]);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(t, o.got[i], i);
}

KTEST_SUITE(mutex, KTEST_CASE(test_mutual_exclusion), KTEST_CASE(test_trylock),
	    KTEST_CASE(test_fifo_handoff));
