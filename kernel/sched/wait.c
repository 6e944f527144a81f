/*
 * Wait queues (kernel/sched/wait.h).
 *
 * Lock order: wq->lock, then a run queue lock (wake_up_process() inside wake_up()).
 */
#include "kernel/sched/wait.h"
#include "kernel/sched/sched.h"

/* Makes wq empty; name labels its lock. */
void init_waitqueue_head(struct wait_queue_head *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	INIT_LIST_HEAD(&wq->waiters);
}

/* Makes w the calling thread's entry, on no queue yet. */
void init_wait_entry(struct wait_queue_entry *w)
{
	w->thread = current;
	INIT_LIST_HEAD(&w->node);
}

/* Queues w on wq (once) and marks the caller THREAD_SLEEPING; the caller then checks its
   condition and calls schedule() if it is still false. Any thread context; never sleeps. */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (list_empty(&w->node))
		list_add_tail(&w->node, &wq->waiters);
	/* Under the lock: a waker that takes it after us sees the entry and the state. The
	   smp_mb() in set_current_state() pairs with the lock wake_up() takes (and the run queue
	   lock in wake_up_process()): our condition check comes after the state store. */
	set_current_state(THREAD_SLEEPING);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Marks the caller THREAD_RUNNING and takes w off wq (it may already be off). */
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	__set_current_state(THREAD_RUNNING);
	spin_lock_irqsave(&wq->lock, flags);
	list_del_init(&w->node);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Wakes every thread on wq; they stay queued and check their conditions again. Call it after
   making the condition true. Any context, interrupt handlers included. Returns how many were
   asleep. */
int wake_up(struct wait_queue_head *wq)
{
	struct wait_queue_entry *w;
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(w, &wq->waiters, node)
		n += wake_up_process(w->thread);
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

/* True when somebody waits on wq: read without the lock, so a waker that skips wake_up() on
   false needs a full barrier between its condition store and this read. */
bool waitqueue_active(struct wait_queue_head *wq)
{
	return !list_empty(&wq->waiters);
}
