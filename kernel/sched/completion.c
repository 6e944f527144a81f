/*
 * Completions (kernel/sched/completion.h). The count is protected by the wait queue's lock.
 *
 * Lock order: c->wait.lock, then a run queue lock (add_done wakes the waiters holding it).
 */
#include "kernel/sched/completion.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"

/* Makes c not done, with no waiter. */
void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wait, "completion");
}

static void add_done(struct completion *c, unsigned int n)
{
	unsigned long flags;
	struct wait_queue_entry *w;

	spin_lock_irqsave(&c->wait.lock, flags);
	if (c->done != COMPLETION_ALL)
		c->done = n == COMPLETION_ALL ? n : c->done + n;
	list_for_each_entry(w, &c->wait.waiters, node)
		wake_up_process(w->thread);
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

/* Counts one event and wakes the waiters (one of them takes it). Any context; never sleeps. */
void complete(struct completion *c)
{
	add_done(c, 1);
}

/* Lets every waiter, now and later, pass. Any context; never sleeps. */
void complete_all(struct completion *c)
{
	add_done(c, COMPLETION_ALL);
}

/* Takes one event if there is one. Caller holds the lock. */
static bool take_done(struct completion *c)
{
	if (!c->done)
		return false;
	if (c->done != COMPLETION_ALL)
		c->done--;
	return true;
}

/*
 * Sleeps until an event can be taken (and takes it), or ticks have passed. Thread context, no
 * spinlock held (may sleep). Returns the ticks left (at least 1) when it took an event, 0 on
 * timeout. The count is read and changed under c->wait.lock, as complete() changes it, so no
 * barrier beyond the lock is needed.
 */
long wait_for_completion_timeout(struct completion *c, long ticks)
{
	struct wait_queue_entry w;
	unsigned long flags;
	long left = ticks;

	might_sleep();
	init_wait_entry(&w);
	spin_lock_irqsave(&c->wait.lock, flags);
	while (!take_done(c)) {
		if (left <= 0) {
			list_del_init(&w.node);
			spin_unlock_irqrestore(&c->wait.lock, flags);
			return 0;
		}
		if (list_empty(&w.node))
			list_add_tail(&w.node, &c->wait.waiters);
		set_current_state(THREAD_SLEEPING);
		spin_unlock_irqrestore(&c->wait.lock, flags);
		left = schedule_timeout(left);
		spin_lock_irqsave(&c->wait.lock, flags);
	}
	list_del_init(&w.node);
	spin_unlock_irqrestore(&c->wait.lock, flags);
	__set_current_state(THREAD_RUNNING);
	return left > 0 ? left : 1;
}

/* Sleeps until an event can be taken, and takes it. Thread context, no spinlock held. */
void wait_for_completion(struct completion *c)
{
	wait_for_completion_timeout(c, MAX_SCHEDULE_TIMEOUT);
}

/* True when an event is waiting to be taken: a hint, read without the lock. */
bool completion_done(struct completion *c)
{
	return READ_ONCE(c->done) != 0;
}
