/*
 * Wait queues (kernel/sched/wait.h).
 *
 * Lock order: wq->lock, then a run queue lock (wake_up_process() inside wake_up()).
 */
#include "kernel/sched/wait.h"
#include "kernel/sched/sched.h"

void init_waitqueue_head(struct wait_queue_head *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	INIT_LIST_HEAD(&wq->waiters);
}

void init_wait_entry(struct wait_queue_entry *w)
{
	w->thread = current;
	INIT_LIST_HEAD(&w->node);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (list_empty(&w->node))
		list_add_tail(&w->node, &wq->waiters);
	/* Under the lock: a waker that takes it after us sees the entry and the state. */
	set_current_state(THREAD_SLEEPING);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	__set_current_state(THREAD_RUNNING);
	spin_lock_irqsave(&wq->lock, flags);
	list_del_init(&w->node);
	spin_unlock_irqrestore(&wq->lock, flags);
}

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

bool waitqueue_active(struct wait_queue_head *wq)
{
	return !list_empty(&wq->waiters);
}
