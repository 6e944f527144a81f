/*
 * Sleeping reader-writer locks (kernel/rwsem.h). A thread that cannot get in sleeps on the one
 * wait queue and tries again when woken; every release that could let somebody in wakes them
 * all. Simple rather than fair among the sleepers.
 *
 * Locks: s->lock is taken alone; wake_up (the wait queue's lock, then a run queue lock) runs
 * after it is dropped.
 */
#include "kernel/rwsem.h"
#include "kernel/sched.h"
#include "kernel/panic.h"

void init_rwsem(struct rw_semaphore *s, const char *name)
{
	spin_lock_init(&s->lock, name);
	s->count = 0;
	s->writers_waiting = 0;
	s->writer = NULL;
	init_waitqueue_head(&s->wait, name);
	s->name = name;
}

static void check_not_writer(struct rw_semaphore *s)
{
	if (READ_ONCE(s->writer) == current)
		panic("rwsem %s: thread %s takes it again while it holds it for writing", s->name,
		      current->name);
}

static bool try_read(struct rw_semaphore *s)
{
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&s->lock, flags);
	if (s->count >= 0 && !s->writers_waiting) {
		s->count++;
		got = true;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return got;
}

void down_read(struct rw_semaphore *s)
{
	might_sleep();
	check_not_writer(s);
	while (!try_read(s))
		wait_event(s->wait, READ_ONCE(s->count) >= 0 && !READ_ONCE(s->writers_waiting));
}

void up_read(struct rw_semaphore *s)
{
	unsigned long flags;
	int left;

	spin_lock_irqsave(&s->lock, flags);
	if (s->count <= 0)
		panic("rwsem %s: up_read by %s, but no reader holds it", s->name, current->name);
	left = --s->count;
	spin_unlock_irqrestore(&s->lock, flags);
	if (left == 0)
		wake_up(&s->wait);
}

static bool try_write(struct rw_semaphore *s)
{
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&s->lock, flags);
	if (s->count == 0) {
		s->count = -1;
		s->writers_waiting--;
		s->writer = current;
		got = true;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return got;
}

void down_write(struct rw_semaphore *s)
{
	unsigned long flags;

	might_sleep();
	check_not_writer(s);
	spin_lock_irqsave(&s->lock, flags);
	s->writers_waiting++;
	spin_unlock_irqrestore(&s->lock, flags);
	while (!try_write(s))
		wait_event(s->wait, READ_ONCE(s->count) == 0);
}

void up_write(struct rw_semaphore *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (s->count != -1 || s->writer != current)
		panic("rwsem %s: up_write by %s, which does not hold it for writing", s->name,
		      current->name);
	s->count = 0;
	s->writer = NULL;
	spin_unlock_irqrestore(&s->lock, flags);
	wake_up(&s->wait);
}

bool rwsem_is_write_locked_by_me(struct rw_semaphore *s)
{
	return READ_ONCE(s->writer) == current;
}
