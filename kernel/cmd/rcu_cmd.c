/* The `rcu` shell command: the grace-period counters and the callbacks waiting on each CPU. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "lib/string.h"

/* ns as milliseconds with one decimal. */
static void print_ms(const char *what, uint64_t ns)
{
	kprintf("%s %llu.%llu ms", what, (unsigned long long)(ns / 1000000),
		(unsigned long long)(ns / 100000 % 10));
}

static void print_stats(void)
{
	struct rcu_stats s = rcu_get_stats();
	unsigned int cpu;

	kprintf("grace periods: %llu completed (%llu expedited, %llu at once on one CPU); gp_seq "
		"%llu, %s; asked for up to %llu\n",
		(unsigned long long)s.gp_completed, (unsigned long long)s.gp_expedited,
		(unsigned long long)s.gp_vacuous,
		(unsigned long long)s.gp_seq, s.gp_seq & 1 ? "one running" : "none running",
		(unsigned long long)s.gp_requested);
	print_ms("grace period length: last", s.last_gp_ns);
	print_ms(", longest", s.max_gp_ns);
	kprintf("\nstall warnings: %llu", (unsigned long long)s.stalls);
	if (s.stalls) {
		kprintf(" (the last named CPU");
		for_each_cpu(cpu, &s.stall_cpus)
			kprintf(" %u", cpu);
		kprintf(")");
	}
	kprintf("\ncallbacks: %llu invoked; %llu grace periods asked for by a tick for call_rcu\n",
		(unsigned long long)s.cbs_invoked, (unsigned long long)s.tick_requests);
	kprintf("cpu  pending\n");
	for_each_cpu(cpu, &cpu_online_mask)
		kprintf("%3u  %7llu\n", cpu, (unsigned long long)rcu_cbs_pending(cpu));
}

static int cmd_rcu(int argc, char **argv)
{
	unsigned long long ms;
	unsigned int old;

	if (argc == 1) {
		print_stats();
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "stall") != 0 || parse_u64(argv[2], &ms, 10, 0) ||
	    ms > 3600000)
		return shell_usage(argv[0]);
	old = rcu_set_stall_timeout_ms((unsigned int)ms);
	if (ms)
		kprintf("rcu: stall warning after %llu ms (was %u ms)\n", ms, old);
	else
		kprintf("rcu: stall warning after the default time (was %u ms)\n", old);
	return 0;
}
SHELL_COMMAND("rcu", "[stall MS]",
	      "grace periods, stalls, callbacks per CPU; stall MS sets the timeout", cmd_rcu);
