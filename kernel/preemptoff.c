/* The preempt-off tracer (kernel/preemptoff.h). Each CPU times its own stretches only. */
#include "kernel/preemptoff.h"
#include "kernel/preempt.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

struct preemptoff_cpu {
	uint64_t off_tsc;  /* when the current stretch began */
	uint64_t lock_tsc; /* when the marked lock was taken */
	uint64_t off_max, lock_max, stretches;
};
static DEFINE_PER_CPU(struct preemptoff_cpu, preemptoff);

/* The count just went from 0 to 1. */
void trace_preempt_off(void)
{
	if (preempt_count() == 1)
		this_cpu_ptr(&preemptoff)->off_tsc = rdtsc();
}

/* The count is about to go from 1 to 0. */
void trace_preempt_on(void)
{
	struct preemptoff_cpu *p = this_cpu_ptr(&preemptoff);
	uint64_t d;

	if (preempt_count() != 1 || !p->off_tsc)
		return;
	d = rdtsc() - p->off_tsc;
	if (d > p->off_max)
		p->off_max = d;
	p->stretches++;
}

void __trace_lock_acquired(void)
{
	this_cpu_ptr(&preemptoff)->lock_tsc = rdtsc();
}

void __trace_lock_released(void)
{
	struct preemptoff_cpu *p = this_cpu_ptr(&preemptoff);
	uint64_t d = rdtsc() - p->lock_tsc;

	if (p->lock_tsc && d > p->lock_max)
		p->lock_max = d;
}

/*
 * preemptoff_trace_begin - start timing this CPU's preempt-off stretches, from zero. The
 * caller is bound to the CPU (kthread_bind) and has preemption on: no stretch is open.
 */
void preemptoff_trace_begin(void)
{
	struct preemptoff_cpu *p = this_cpu_ptr(&preemptoff);

	*p = (struct preemptoff_cpu){0};
	barrier();
	this_cpu()->preempt_trace = true;
}

/* preemptoff_trace_end - stop, and return the maxima since preemptoff_trace_begin(). */
struct preemptoff_max preemptoff_trace_end(void)
{
	struct preemptoff_cpu *p = this_cpu_ptr(&preemptoff);

	this_cpu()->preempt_trace = false;
	barrier();
	return (struct preemptoff_max){.preempt_off_ns = tsc_to_ns(p->off_max),
				       .lock_hold_ns = tsc_to_ns(p->lock_max),
				       .stretches = p->stretches};
}
