/*
 * Mutexes (kernel/locking/mutex.h).
 *
 * Lock order: m->wait_lock, then a run queue lock (mutex_unlock wakes the next owner).
 */
#include "kernel/locking/mutex.h"
#include "kernel/sched/sched.h"
#include "kernel/panic.h"

struct mutex_waiter {
	struct thread *thread;
	struct list_head node;
};

/* Makes m unlocked with no waiters; name shows in the panics and lock statistics. */
void mutex_init(struct mutex *m, const char *name)
{
	spin_lock_init(&m->wait_lock, name);
	m->owner = NULL;
	INIT_LIST_HEAD(&m->waiters);
	m->name = name;
	m->contended = 0;
}

/*
 * Takes m, sleeping while another thread owns it; waiters get it in the order they came
 * (FIFO hand-off). Thread context only, preemption enabled, no spinlock held (may sleep).
 * Panics if the caller already owns m.
 */
void mutex_lock(struct mutex *m)
{
	struct mutex_waiter w = { .thread = current };
	unsigned long flags;

	might_sleep();
	spin_lock_irqsave(&m->wait_lock, flags);
	if (!m->owner) {
		m->owner = current;
		spin_unlock_irqrestore(&m->wait_lock, flags);
		return;
	}
	if (m->owner == current)
		panic("mutex %s: thread %s locks it again (self-deadlock)", m->name, current->name);
	m->contended++;
	list_add_tail(&w.node, &m->waiters);
	/* mutex_unlock() makes us the owner and takes us off the list before waking us. */
	for (;;) {
		set_current_state(THREAD_SLEEPING);
		if (m->owner == current)
			break;
		spin_unlock_irqrestore(&m->wait_lock, flags);
		schedule();
		spin_lock_irqsave(&m->wait_lock, flags);
	}
	__set_current_state(THREAD_RUNNING);
	spin_unlock_irqrestore(&m->wait_lock, flags);
}

/* Takes m only if nobody owns it: true, or false at once. Never sleeps, so any thread context
   may call it. */
bool mutex_trylock(struct mutex *m)
{
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&m->wait_lock, flags);
	if (!m->owner) {
		m->owner = current;
		got = true;
	}
	spin_unlock_irqrestore(&m->wait_lock, flags);
	return got;
}

/*
 * Releases m: the longest waiter becomes the owner before it wakes, so nobody can take m in
 * between. The caller must own m (it panics otherwise). Never sleeps.
 */
void mutex_unlock(struct mutex *m)
{
	struct mutex_waiter *w;
	unsigned long flags;

	spin_lock_irqsave(&m->wait_lock, flags);
	if (m->owner != current)
		panic("mutex %s: thread %s unlocks it but %s owns it", m->name, current->name,
		      m->owner ? m->owner->name : "nobody");
	if (list_empty(&m->waiters)) {
		m->owner = NULL;
	} else {
		w = list_first_entry(&m->waiters, struct mutex_waiter, node);
		list_del_init(&w->node);
		m->owner = w->thread;
		wake_up_process(w->thread);
	}
	spin_unlock_irqrestore(&m->wait_lock, flags);
}

/* True when some thread owns m: a hint for assertions, stale as soon as it returns. */
bool mutex_is_locked(struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
