#include "kernel/sched/idle.h"
#include "kernel/percpu.h"
#include "arch/x86_64/cpu.h"

void cpu_idle_halt(void)
{
	uint64_t t0 = rdtsc();

	/* STI takes effect only after the next instruction, so no interrupt can slip in between
	   the caller's check for work and the HLT and leave this CPU halted with work pending. */
	__asm__ __volatile__("sti; hlt" ::: "memory");
	this_cpu()->idle_tsc += rdtsc() - t0;
}
