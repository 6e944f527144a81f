/*
 * KTAP suite "completion" (kernel/sched/completion.c): complete() wakes one waiter once,
 * wait_for_completion_timeout times out when nobody completes, and complete_all releases every
 * waiter and stays done.
 */
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/sched/completion.h"
#include "kernel/sched/sleep.h"

static int wait_done(void *arg)
{
	wait_for_completion(arg);
	return 5;
}

static void test_timeout_when_nobody_completes(struct ktest *t)
{
	struct completion c;

	init_completion(&c);
	EXPECT_EQ(t, wait_for_completion_timeout(&c, 2), 0);
	EXPECT_FALSE(t, completion_done(&c));
}

static void test_complete_wakes_one_waiter_once(struct ktest *t)
{
	struct completion c;
	struct thread *waiter;

	init_completion(&c);
	waiter = kthread_run(wait_done, &c, "ktest-compl");
	ASSERT_NOT_NULL(t, waiter);
	msleep(10); /* most likely asleep in wait_for_completion by now */
	complete(&c);
	EXPECT_EQ(t, kthread_join(waiter), 5);
	EXPECT_FALSE(t, completion_done(&c)); /* the waiter took the one event */
}

static void test_complete_all_releases_everyone(struct ktest *t)
{
	struct completion c;
	struct thread *waiters[3];
	int started;

	init_completion(&c);
	/* The waiters that started are released and joined even if one did not start: c lives
	   on this stack. */
	for (started = 0; started < 3; started++) {
		waiters[started] = kthread_run(wait_done, &c, "ktest-compl/%d", started);
		if (!EXPECT_NOT_NULL(t, waiters[started]))
			break;
	}
	complete_all(&c);
	for (int i = 0; i < started; i++)
		EXPECT_EQ(t, kthread_join(waiters[i]), 5);
	EXPECT_GT(t, wait_for_completion_timeout(&c, 1), 0); /* complete_all stays done */
}

KTEST_SUITE(completion, KTEST_CASE(test_timeout_when_nobody_completes),
	    KTEST_CASE(test_complete_wakes_one_waiter_once),
	    KTEST_CASE(test_complete_all_releases_everyone));
