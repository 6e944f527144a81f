/*
 * Stopping the other CPUs when one panics. The panicking CPU asks each other online CPU in turn
 * to stop, by NMI (an NMI is delivered even to a CPU spinning with interrupts disabled, which is
 * what a CPU stuck on a lock often is), and waits for it: the stopped CPU prints where it was,
 * with a backtrace, and halts for good. One CPU at a time keeps their reports from mixing.
 */
#include "kernel/smp.h"
#include "kernel/smp_stop.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

/* Generous: under TCG with more vCPUs than host cores a vCPU can wait a long time to run. */
#define STOP_WAIT_MS 2000

/* The CPUs asked to stop. A CPU that answers only after its wait ran out still stops. */
static struct cpumask stop_requested;
static int stopped[NR_CPUS]; /* set by each once it has printed */

bool smp_stop_nmi(const struct trap_frame *f)
{
	unsigned int cpu = smp_processor_id();

	if (!cpumask_test_cpu(cpu, &stop_requested))
		return false;
	pr_emerg("CPU %u stopped by the panic; it was at:\n", cpu);
	dump_backtrace_frame(f);
	/* Pairs with the smp_load_acquire() of stopped in smp_stop_other_cpus(): the backtrace
	   above is printed before the panicking CPU goes on. */
	smp_store_release(&stopped[cpu], 1);
	halt_forever();
}

void smp_stop_other_cpus(void)
{
	unsigned int me = smp_processor_id();

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		uint64_t end;
		if (cpu == me || !cpu_online(cpu))
			continue;
		/* A locked bit set, so a full barrier: the target's cpumask_test_cpu() in its NMI
		   handler, which the NMI orders after this store, sees the bit. */
		cpumask_set_cpu(cpu, &stop_requested);
		lapic_send_nmi(per_cpu(cpu_info, cpu).apic_id);
		end = ktime_ns() + STOP_WAIT_MS * 1000000ULL;
		/* Pairs with the smp_store_release() of stopped in the NMI handler above. */
		while (!smp_load_acquire(&stopped[cpu]) && ktime_ns() < end)
			cpu_relax();
		if (!READ_ONCE(stopped[cpu]))
			pr_emerg("CPU %u did not answer the stop NMI within %d ms\n", cpu,
				 STOP_WAIT_MS);
		cpumask_clear_cpu(cpu, &cpu_online_mask);
	}
}
