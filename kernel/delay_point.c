/* Delay points (kernel/delay_point.h). */
#include "kernel/delay_point.h"
#include "kernel/preempt.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

extern struct delay_point __delay_points_start[], __delay_points_end[];

/* Busy-waits us microseconds, less if dp is turned off or its until point is passed. */
static void delay_while_on(struct delay_point *dp, unsigned int us)
{
	struct delay_point *until = READ_ONCE(dp->until);
	int64_t passes = until ? atomic64_read(&until->passes) : 0;
	uint64_t end = rdtsc() + (uint64_t)us * tsc_khz / 1000;

	while (rdtsc() < end && READ_ONCE(dp->us)) {
		if (until && atomic64_read(&until->passes) != passes)
			return;
		cpu_relax();
	}
}

/* A pass while a hold is armed: the held thread spins until released, others go on. */
static void hold_point(struct delay_point *dp)
{
	if (READ_ONCE(dp->hold_thread) != current)
		return;
	atomic64_inc(&dp->hits);
	/* pairs with the smp_load_acquire() in delay_point_held(): the caller's work before the
	   point is visible once the test sees the thread held. */
	smp_store_release(&dp->held, true);
	while (READ_ONCE(dp->hold_thread) == current)
		cpu_relax();
	WRITE_ONCE(dp->held, false);
}

void __delay_point(struct delay_point *dp)
{
	unsigned int every = READ_ONCE(dp->every);
	unsigned int us = READ_ONCE(dp->us);

	if (us == DELAY_POINT_HOLD) {
		hold_point(dp);
		return;
	}
	if (every > 1 && atomic64_add_return(1, &dp->passes) % every)
		return;
	if (every <= 1)
		atomic64_inc(&dp->passes);
	atomic64_inc(&dp->hits);
	if (dp->sleeps && !READ_ONCE(dp->until) && preempt_count() == 0 &&
	    (read_rflags() & RFLAGS_IF))
		msleep((us + 999) / 1000);
	else
		delay_while_on(dp, us);
}

struct delay_point *delay_point_next(struct delay_point *prev)
{
	struct delay_point *dp = prev ? prev + 1 : __delay_points_start;

	return dp < __delay_points_end ? dp : NULL;
}

struct delay_point *delay_point_find(const char *name)
{
	for (struct delay_point *dp = delay_point_next(NULL); dp; dp = delay_point_next(dp))
		if (!strcmp(dp->name, name))
			return dp;
	return NULL;
}

int delay_point_set(const char *name, unsigned int us, unsigned int every)
{
	struct delay_point *dp = delay_point_find(name);

	if (!dp)
		return -ENOENT;
	if (us) {
		atomic64_set(&dp->passes, 0);
		atomic64_set(&dp->hits, 0);
		WRITE_ONCE(dp->every, every);
	}
	WRITE_ONCE(dp->until, NULL);
	WRITE_ONCE(dp->us, us);
	return 0;
}

int delay_point_set_until(const char *name, unsigned int us, const char *until)
{
	struct delay_point *dp = delay_point_find(name), *u = delay_point_find(until);

	if (!dp || !u)
		return -ENOENT;
	WRITE_ONCE(dp->us, 0); /* the link before the point is on: no pass waits without it */
	atomic64_set(&dp->passes, 0);
	atomic64_set(&dp->hits, 0);
	WRITE_ONCE(dp->every, 1);
	WRITE_ONCE(dp->until, u);
	WRITE_ONCE(dp->us, us);
	return 0;
}

void delay_points_off(void)
{
	for (struct delay_point *dp = delay_point_next(NULL); dp; dp = delay_point_next(dp))
		delay_point_release(dp);
}

int delay_point_hold(struct delay_point *dp, const struct thread *t)
{
	if (READ_ONCE(dp->us))
		return -EBUSY;
	atomic64_set(&dp->hits, 0);
	WRITE_ONCE(dp->held, false);
	WRITE_ONCE(dp->hold_thread, t);
	WRITE_ONCE(dp->us, DELAY_POINT_HOLD);
	return 0;
}

bool delay_point_held(const struct delay_point *dp)
{
	return smp_load_acquire(&dp->held);
}

void delay_point_release(struct delay_point *dp)
{
	WRITE_ONCE(dp->us, 0);
	WRITE_ONCE(dp->hold_thread, NULL);
	WRITE_ONCE(dp->until, NULL);
}
