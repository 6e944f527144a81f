/*
 * Timeouts (kernel/sched/sleep.h).
 *
 * Lock order: timeout_lock, then a run queue lock (sleep_tick wakes threads holding it).
 */
#include "kernel/sched/sleep.h"
#include "kernel/sched/sched.h"
#include "kernel/locking/spinlock.h"
#include "kernel/tick.h"

static DEFINE_SPINLOCK(timeout_lock);
static LIST_HEAD(timeouts); /* struct thread.timeout_node, earliest wake_jiffies first */

/* ms in ticks, rounded up. */
long msecs_to_jiffies(unsigned int ms)
{
	return ((long)ms * HZ + 999) / 1000;
}

static void arm(struct thread *t, uint64_t when)
{
	struct thread *pos;
	unsigned long flags;

	spin_lock_irqsave(&timeout_lock, flags);
	t->wake_jiffies = when;
	list_for_each_entry(pos, &timeouts, timeout_node)
		if (pos->wake_jiffies > when)
			break;
	list_add_tail(&t->timeout_node, &pos->timeout_node); /* before pos */
	t->timeout_armed = true;
	spin_unlock_irqrestore(&timeout_lock, flags);
}

static void disarm(struct thread *t)
{
	unsigned long flags;

	spin_lock_irqsave(&timeout_lock, flags);
	if (t->timeout_armed) {
		list_del_init(&t->timeout_node);
		t->timeout_armed = false;
	}
	spin_unlock_irqrestore(&timeout_lock, flags);
}

/*
 * Sleeps in the state the caller set (set_current_state(THREAD_SLEEPING) first) until
 * wake_up_process() or until ticks have passed; MAX_SCHEDULE_TIMEOUT: no timeout. Thread
 * context, no spinlock held (may sleep). Returns the ticks left: 0 when the time ran out.
 */
long schedule_timeout(long ticks)
{
	struct thread *t = current;
	uint64_t when;
	long left;

	if (ticks == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return ticks;
	}
	if (ticks <= 0) {
		__set_current_state(THREAD_RUNNING);
		return 0;
	}
	when = jiffies_now() + (uint64_t)ticks;
	arm(t, when);
	schedule();
	disarm(t);
	left = (long)(when - jiffies);
	return left > 0 ? left : 0;
}

/* Sleeps at least ms milliseconds (to the next tick past them: 10 ms resolution). Thread
   context, no spinlock held. A wakeup meanwhile does not cut it short. */
void msleep(unsigned int ms)
{
	long left = msecs_to_jiffies(ms) + 1; /* +1: the current tick is partly over */

	might_sleep();
	while (left > 0) {
		set_current_state(THREAD_SLEEPING);
		left = schedule_timeout(left);
	}
}

/* CPU 0's timer tick: wakes the threads whose timeout has passed. Interrupts off. */
void sleep_tick(void)
{
	struct thread *t;

	spin_lock(&timeout_lock);
	while (!list_empty(&timeouts)) {
		t = list_first_entry(&timeouts, struct thread, timeout_node);
		if (t->wake_jiffies > jiffies)
			break;
		list_del_init(&t->timeout_node);
		t->timeout_armed = false;
		wake_up_process(t);
	}
	spin_unlock(&timeout_lock);
}
