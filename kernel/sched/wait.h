/*
 * Wait queues: a list of threads sleeping until some condition becomes true. The waiter checks
 * the condition after putting itself on the queue and marking itself sleeping, and the waker
 * makes the condition true before waking the queue, so a wakeup between the check and the
 * sleep is never lost (kernel/sched/sched.h explains the pattern).
 *
 *	wait_event(wq, ring_count > 0);		   sleeper
 *	ring_count++; wake_up(&wq);		   waker (any context, interrupts included)
 */
#ifndef KERNEL_SCHED_WAIT_H
#define KERNEL_SCHED_WAIT_H

#include <stdbool.h>
#include "kernel/locking/spinlock.h"
#include "lib/list.h"

struct thread;

/* What the macros below call (kernel/sched/sched.h, kernel/sched/sleep.h). */
void schedule(void);
long schedule_timeout(long ticks);
void __might_sleep(const char *file, int line);

struct wait_queue_head {
	spinlock_t lock;
	struct list_head waiters;
};

struct wait_queue_entry {
	struct thread *thread;
	struct list_head node;
};

#define WAIT_QUEUE_HEAD_INIT(wq, n) \
	{ .lock = SPINLOCK_INIT(n), .waiters = LIST_HEAD_INIT((wq).waiters) }
#define DEFINE_WAIT_QUEUE_HEAD(wq) struct wait_queue_head wq = WAIT_QUEUE_HEAD_INIT(wq, #wq)

void init_waitqueue_head(struct wait_queue_head *wq, const char *name);
void init_wait_entry(struct wait_queue_entry *w);
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);
int wake_up(struct wait_queue_head *wq);
bool waitqueue_active(struct wait_queue_head *wq);

/*
 * Sleeps until cond is true, evaluating it again after every wakeup (without a lock: cond
 * must read what the waker writes before its wake_up()). Thread context, preemption enabled,
 * no spinlock held (may sleep). The order: prepare_to_wait() stores THREAD_SLEEPING with a
 * full barrier before cond is read, paired with wake_up()'s locks after the waker's store.
 */
#define wait_event(wq, cond)                                       \
	do {                                                       \
		struct wait_queue_entry __w;                       \
		__might_sleep(__FILE__, __LINE__);                 \
		if (cond)                                          \
			break;                                     \
		init_wait_entry(&__w);                             \
		for (;;) {                                         \
			prepare_to_wait(&(wq), &__w);              \
			if (cond)                                  \
				break;                             \
			schedule();                                \
		}                                                  \
		finish_wait(&(wq), &__w);                          \
	} while (0)

/* Like wait_event, but gives up after timeout ticks. Evaluates to the ticks left (at least 1)
   when cond became true, or 0 on timeout. */
#define wait_event_timeout(wq, cond, timeout)                            \
	({                                                               \
		struct wait_queue_entry __w;                             \
		long __left = (long)(timeout);                           \
		__might_sleep(__FILE__, __LINE__);                       \
		if (!(cond)) {                                           \
			init_wait_entry(&__w);                           \
			for (;;) {                                       \
				prepare_to_wait(&(wq), &__w);            \
				if (cond)                                \
					break;                           \
				if (__left <= 0)                         \
					break;                           \
				__left = schedule_timeout(__left);       \
			}                                                \
			finish_wait(&(wq), &__w);                        \
		}                                                        \
		(cond) ? (__left > 0 ? __left : 1) : 0;                  \
	})

#endif
