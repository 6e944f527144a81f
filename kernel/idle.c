#include "kernel/idle.h"
#include "kernel/percpu.h"
#include "arch/x86_64/cpu.h"

void cpu_idle_loop(void)
{
	for (;;) {
		uint64_t t0 = rdtsc();
		/* STI takes effect after the next instruction, so no interrupt can slip in between
		   and leave us halted with work pending. */
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
		this_cpu()->idle_tsc += rdtsc() - t0;
	}
}
