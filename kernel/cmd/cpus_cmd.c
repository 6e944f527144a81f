/* The `cpus` shell command: one line per CPU with what struct cpu counts. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/tick.h"
#include "kernel/irq.h"
#include "kernel/sched/sched.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

static int cmd_cpus(int argc, char **argv)
{
	uint64_t now = rdtsc();
	unsigned int cpu;

	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("%u of %u CPUs online, %s mode, HZ=%d, jiffies %llu, spurious interrupts %llu\n",
		num_online_cpus(), nr_cpu_ids, lapic_x2apic_mode() ? "x2APIC" : "xAPIC", HZ,
		(unsigned long long)jiffies, (unsigned long long)irq_spurious_count());
	kprintf("cpu  apic  online     ticks      ipis      irqs  idle  switches  running\n");
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct cpu *c = per_cpu_ptr(&cpu_info, cpu);
		uint64_t span = now - c->online_tsc;
		/* The TSCs of two vCPUs may differ a little: never show more than 100%. */
		unsigned idle = span ? (unsigned)MIN(c->idle_tsc * 100 / span, 100) : 0;
		struct thread *t = c->thread;

		kprintf("%3u  %4u  %-6s %9llu %9llu %9llu  %3u%% %9llu  %s\n", cpu, c->apic_id,
			c->online ? "yes" : "no", (unsigned long long)c->ticks,
			(unsigned long long)c->ipis, (unsigned long long)c->irqs, idle,
			(unsigned long long)sched_stats(cpu).nr_switches, t ? t->name : "-");
	}
	return 0;
}
SHELL_COMMAND("cpus", "", "each CPU: APIC id, online, ticks, IPIs, interrupts, idle share, switches, thread", cmd_cpus);
