/*
 * Sleeping reader-writer locks (kernel/rwsem.h). A thread that cannot get in sleeps on the one
 * wait queue and tries again when woken; every release that could let somebody in wakes them
 * all. Simple rather than fair among the sleepers.
 *
 * A thread that fails to get in counts itself in sleepers under s->lock before it waits, so a
 * release that finds sleepers at zero (under the same lock) skips wake_up: the common case of
 * a page fault, whose up_read otherwise paid for the wait queue's lock every time. No wakeup
 * is lost: s->lock orders each failed attempt against each release. A release after the
 * attempt sees the count and wakes; an attempt after the release saw what the release left,
 * so it failed because of another holder, whose own release comes later and sees the count.
 *
 * Locks: s->lock is taken alone; wake_up (the wait queue's lock, then a run queue lock) runs
 * after it is dropped. s->lock leaves interrupts on: no interrupt handler takes an rwsem, and
 * under TCG the sti that ends an irqsave section costs a fault a noticeable share of its time.
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
	s->sleepers = 0;
	init_waitqueue_head(&s->wait, name);
	s->name = name;
}

static void check_not_writer(struct rw_semaphore *s)
{
	if (READ_ONCE(s->writer) == current)
		panic("rwsem %s: thread %s takes it again while it holds it for writing", s->name,
		      current->name);
}

/* A failed attempt counts the caller as a sleeper; it calls woke() when its wait ends. */
static bool try_read(struct rw_semaphore *s)
{
	bool got = false;

	spin_lock(&s->lock);
	if (s->count >= 0 && !s->writers_waiting) {
		s->count++;
		got = true;
	} else {
		s->sleepers++;
	}
	spin_unlock(&s->lock);
	return got;
}

static void woke(struct rw_semaphore *s)
{

	spin_lock(&s->lock);
	s->sleepers--;
	spin_unlock(&s->lock);
}

void down_read(struct rw_semaphore *s)
{
	might_sleep();
	check_not_writer(s);
	while (!try_read(s)) {
		wait_event(s->wait, READ_ONCE(s->count) >= 0 && !READ_ONCE(s->writers_waiting));
		woke(s);
	}
}

void up_read(struct rw_semaphore *s)
{
	unsigned int sleepers;
	int left;

	spin_lock(&s->lock);
	if (s->count <= 0)
		panic("rwsem %s: up_read by %s, but no reader holds it", s->name, current->name);
	left = --s->count;
	sleepers = s->sleepers;
	spin_unlock(&s->lock);
	if (left == 0 && sleepers)
		wake_up(&s->wait);
}

static bool try_write(struct rw_semaphore *s)
{
	bool got = false;

	spin_lock(&s->lock);
	if (s->count == 0) {
		s->count = -1;
		s->writers_waiting--;
		s->writer = current;
		got = true;
	} else {
		s->sleepers++;
	}
	spin_unlock(&s->lock);
	return got;
}

void down_write(struct rw_semaphore *s)
{

	might_sleep();
	check_not_writer(s);
	spin_lock(&s->lock);
	s->writers_waiting++;
	spin_unlock(&s->lock);
	while (!try_write(s)) {
		wait_event(s->wait, READ_ONCE(s->count) == 0);
		woke(s);
	}
}

void up_write(struct rw_semaphore *s)
{
	unsigned int sleepers;

	spin_lock(&s->lock);
	if (s->count != -1 || s->writer != current)
		panic("rwsem %s: up_write by %s, which does not hold it for writing", s->name,
		      current->name);
	s->count = 0;
	s->writer = NULL;
	sleepers = s->sleepers;
	spin_unlock(&s->lock);
	if (sleepers)
		wake_up(&s->wait);
}

bool rwsem_is_write_locked_by_me(struct rw_semaphore *s)
{
	return READ_ONCE(s->writer) == current;
}
