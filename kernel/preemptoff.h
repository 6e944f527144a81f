/*
 * The preempt-off tracer: on one CPU, for as long as a measurement asks, the longest stretch
 * with preemption off (from the preempt count leaving 0 to its coming back), and the longest
 * hold of the locks its callers mark. It answers "how long can a thread woken on this CPU wait
 * for it", which is what the mmu_gather rework (Linux 2.6.39) set out to shorten: Linux's
 * preemptoff tracer (kernel/trace/trace_irqsoff.c) measures the same.
 *
 *	preemptoff_trace_begin();        on the CPU to watch, bound to it, preemption on
 *	... the work ...
 *	struct preemptoff_max m = preemptoff_trace_end();
 *
 * preempt_disable(), preempt_enable() and rcu_read_lock()/unlock() (kernel/preempt.h,
 * kernel/rcu/rcu.h) test one per-CPU byte, struct cpu's preempt_trace, and call in here only
 * while it is set; the transitions between 0 and 1 are all that is timed. Interrupt handlers
 * that run while the count is 0 and take locks open stretches of their own, and are counted:
 * the CPU is just as unable to switch then.
 */
#ifndef KERNEL_PREEMPTOFF_H
#define KERNEL_PREEMPTOFF_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/percpu.h"

struct preemptoff_max {
	uint64_t preempt_off_ns; /* the longest stretch with preemption off */
	uint64_t lock_hold_ns;	 /* the longest hold of a marked lock (trace_lock_acquired) */
	uint64_t stretches;	 /* stretches timed */
};

void preemptoff_trace_begin(void);
struct preemptoff_max preemptoff_trace_end(void);

static inline bool preempt_tracing(void)
{
	bool on;

	__gs_read(preempt_trace, on);
	return on;
}

/* Called by the inline preempt and RCU functions (kernel/preempt.h) while tracing. */
void trace_preempt_off(void);
void trace_preempt_on(void);

/* A caller marks a lock hold it wants timed: right after taking it, right before dropping it. */
void __trace_lock_acquired(void);
void __trace_lock_released(void);

static inline void trace_lock_acquired(void)
{
	if (unlikely(preempt_tracing()))
		__trace_lock_acquired();
}

static inline void trace_lock_released(void)
{
	if (unlikely(preempt_tracing()))
		__trace_lock_released();
}

#endif
