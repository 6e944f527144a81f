#include "kernel/sched/idle.h"
#include "kernel/sched/sched.h"
#include "kernel/rcu/rcu.h"
#include "kernel/percpu.h"
#include "arch/x86_64/cpu.h"

/*
 * What a CPU does when it has nothing to run (the idle thread, kernel/sched/core.c): halts with
 * interrupts on until the next interrupt, and counts the time spent halted (the cpus command shows
 * it as the idle share). Call with interrupts off, after checking there is no work; returns after
 * the interrupt that woke the CPU, with interrupts on.
 */
void cpu_idle_halt(void)
{
	uint64_t t0 = rdtsc();

	/* STI takes effect only after the next instruction, so no interrupt can slip in between
	   the caller's check for work and the HLT and leave this CPU halted with work pending. */
	__asm__ __volatile__("sti; hlt" ::: "memory");
	this_cpu()->idle_tsc += rdtsc() - t0;
}

/*
 * The idle thread's loop, where every CPU ends up: a quiescent state for RCU, then schedule() when
 * there is work, else halt until an interrupt. Never returns.
 */
__noreturn void sched_idle_loop(void)
{
	for (;;) {
		local_irq_disable();
		rcu_note_context_switch(); /* an idle CPU is in a quiescent state */
		if (need_resched()) {
			local_irq_enable();
			schedule();
			continue;
		}
		cpu_idle_halt(); /* sti; hlt: wakes with interrupts on */
	}
}
