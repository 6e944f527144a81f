/*
 * Preemption control. Each CPU counts the reasons it must not switch threads (held spinlocks,
 * explicit preempt_disable, RCU read-side sections). The scheduler only preempts a thread on
 * return from an interrupt when the count is 0. The count is per CPU and only changed by the
 * CPU itself, so a plain increment through %gs is enough: an interrupt that changes it also
 * restores it before returning.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include "kernel/percpu.h"

static inline int preempt_count(void)
{
	int n;
	__gs_read(preempt_count, n);
	return n;
}

static inline void preempt_disable(void)
{
	__asm__ __volatile__("incl %%gs:%c0" ::"i"(offsetof(struct cpu, preempt_count)) : "memory");
}

static inline void preempt_enable(void)
{
	__asm__ __volatile__("decl %%gs:%c0" ::"i"(offsetof(struct cpu, preempt_count)) : "memory");
}

#endif
