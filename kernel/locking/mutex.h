/*
 * Sleeping mutexes: one owner at a time; a thread that finds the mutex taken sleeps instead of
 * spinning, so the holder may sleep too (allocate, wait for I/O). Only for thread context with
 * preemption enabled (might_sleep checks). Unlock hands the mutex straight to the longest
 * waiter, so waiters get it in order and nobody starves.
 *
 * Debugging: the owner is recorded; locking a mutex the caller already owns, or unlocking one
 * it does not own, panics and names both threads.
 */
#ifndef KERNEL_LOCKING_MUTEX_H
#define KERNEL_LOCKING_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/locking/spinlock.h"
#include "lib/list.h"

struct thread;

struct mutex {
	spinlock_t wait_lock; /* protects owner and waiters */
	struct thread *owner;
	struct list_head waiters;
	const char *name;
	uint64_t contended; /* times a locker had to sleep */
};

#define MUTEX_INIT(m, n) \
	{ .wait_lock = SPINLOCK_INIT(n), .owner = NULL, .waiters = LIST_HEAD_INIT((m).waiters), .name = n }
#define DEFINE_MUTEX(m) struct mutex m = MUTEX_INIT(m, #m)

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
