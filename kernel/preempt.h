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
 * preempt_enable() that brings the count back to 0 switches threads at once if a switch is
 * pending and interrupts are on. To make that one instruction and one branch, the pending
 * switch is folded into the count's word, as Linux does on x86: bit 31, PREEMPT_NO_RESCHED, is
 * set while no switch is pending, so the decrement gives exactly 0 only when the count reached
 * 0 *and* a switch waits. struct cpu's need_resched stays the flag that everyone sets, other
 * CPUs included; this CPU folds it into the word on the way out of every interrupt
 * (sched_preempt_irq(); a CPU that asks another one to switch sends it an IPI), and the switch
 * sets the bit again when it clears need_resched.
 *
 * While a measurement traces this CPU (kernel/preemptoff.h), each of these also tests one
 * per-CPU byte and calls the tracer, which times the stretches from 0 to 0.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include "kernel/percpu.h"
#include "kernel/preemptoff.h"
#include "lib/compiler.h"

#define PREEMPT_NO_RESCHED 0x80000000u

static inline int preempt_count(void)
{
	unsigned int n;
	__gs_read(preempt_count, n);
	return (int)(n & ~PREEMPT_NO_RESCHED);
}

/* need_resched is set: let the next preempt_enable() to 0 see it. This CPU only. */
static inline void fold_need_resched(void)
{
	__asm__ __volatile__("andl %0, %%gs:%c1" ::"i"(~PREEMPT_NO_RESCHED),
			     "i"(offsetof(struct cpu, preempt_count))
			     : "memory", "cc");
}

/* The switch cleared need_resched. This CPU only. */
static inline void clear_folded_resched(void)
{
	__asm__ __volatile__("orl %0, %%gs:%c1" ::"i"(PREEMPT_NO_RESCHED),
			     "i"(offsetof(struct cpu, preempt_count))
			     : "memory", "cc");
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
	if (unlikely(preempt_tracing()))
		trace_preempt_off();
}

/* Drops the count without looking at need_resched (the scheduler's own exits). */
static inline void preempt_enable_no_resched(void)
{
	if (unlikely(preempt_tracing()))
		trace_preempt_on();
	__asm__ __volatile__("decl %%gs:%c0" ::"i"(offsetof(struct cpu, preempt_count)) : "memory");
}

/* kernel/sched/core.c: switches threads if interrupts are on; else the next interrupt will. */
void preempt_schedule(void);

static inline void preempt_enable(void)
{
	if (unlikely(preempt_tracing()))
		trace_preempt_on();
	__asm__ goto("decl %%gs:%c0\n\t"
		     "jz %l[resched]" ::"i"(offsetof(struct cpu, preempt_count))
		     : "memory", "cc"
		     : resched);
	return;
resched:
	preempt_schedule();
}

#endif
