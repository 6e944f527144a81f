/*
 * Preemption control. Each CPU counts the reasons it must not switch threads (held spinlocks,
 * explicit preempt_disable, RCU read-side sections). The scheduler only preempts a thread on
 * return from an interrupt when the count is 0. The count is per CPU and only changed by the
 * CPU itself, so a plain increment through %gs is enough: an interrupt that changes it also
 * restores it before returning.
 *
 * A thread switch never changes the count: every switch happens inside the scheduler at the
 * same depth, so the thread switched in finds the count the switched-out thread left.
 *
 * preempt_enable() that brings the count back to 0 switches threads at once if this CPU's
 * need_resched was set meanwhile (by the tick or a wakeup) and interrupts are on.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include "kernel/percpu.h"
#include "lib/compiler.h"

static inline int preempt_count(void)
{
	int n;
	__gs_read(preempt_count, n);
	return n;
}

static inline bool need_resched(void)
{
	bool r;
	__asm__ __volatile__("movb %%gs:%c1, %0"
			     : "=r"(r)
			     : "i"(offsetof(struct cpu, need_resched))
			     : "memory");
	return r;
}

static inline void preempt_disable(void)
{
	__asm__ __volatile__("incl %%gs:%c0" ::"i"(offsetof(struct cpu, preempt_count)) : "memory");
}

/* Drops the count without looking at need_resched (the scheduler's own exits). */
static inline void preempt_enable_no_resched(void)
{
	__asm__ __volatile__("decl %%gs:%c0" ::"i"(offsetof(struct cpu, preempt_count)) : "memory");
}

/* kernel/sched.c: switches threads if interrupts are on; else the next interrupt will. */
void preempt_schedule(void);

static inline void preempt_enable(void)
{
	preempt_enable_no_resched();
	if (unlikely(need_resched()) && preempt_count() == 0)
		preempt_schedule();
}

#endif
