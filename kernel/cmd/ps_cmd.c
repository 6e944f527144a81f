/* The `ps` shell command: one line per thread, kernel and user, then one per process. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/kthread.h"
#include "kernel/process.h"
#include "kernel/smp.h"
#include "arch/x86_64/tsc.h"
#include "lib/printf.h"

/* Lock order: tasklist_lock, then thread_list_lock. */
static void print_threads(void)
{
	struct thread *t;

	kprintf("  tid    pid  name              cpu  bound  state       run ms  switches  "
		"moves\n");
	spin_lock(&tasklist_lock);
	spin_lock(&thread_list_lock);
	list_for_each_entry(t, &thread_list, all_node) {
		char bound[8] = "-", pid[8] = "-";

		if (t->bound_cpu >= 0)
			snprintf(bound, sizeof(bound), "%d", t->bound_cpu);
		if (t->proc)
			snprintf(pid, sizeof(pid), "%d", t->proc->pid);
		kprintf("%5d  %5s  %-16s %4u  %5s  %-9s %8llu %9llu %6llu\n", t->tid, pid, t->name,
			t->cpu, bound, thread_state_name(t),
			(unsigned long long)(thread_runtime_ns(t) / 1000000),
			(unsigned long long)t->nr_switches, (unsigned long long)t->nr_migrations);
	}
	spin_unlock(&thread_list_lock);
	spin_unlock(&tasklist_lock);
}

static void print_processes(void)
{
	struct process *p;
	uint64_t now = ktime_ns();

	kprintf("  pid   ppid  threads  state    age ms  name\n");
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &process_list, all_node)
		kprintf("%5d  %5d  %7u  %-7s %7llu  %s%s\n", p->pid, p->parent ? p->parent->pid : 0,
			p->nr_threads,
			p->state == PROCESS_ZOMBIE ? "zombie"
			: p->exiting		   ? "exiting"
						   : "alive",
			(unsigned long long)((now - p->start_ns) / 1000000), p->comm,
			p->kernel_child ? " (started by the kernel)" : "");
	spin_unlock(&tasklist_lock);
}

static int cmd_ps(int argc, char **argv)
{
	unsigned int cpu;

	if (argc != 1)
		return shell_usage(argv[0]);
	print_threads();
	if (nr_processes())
		print_processes();
	kprintf("cpu  running  switches  preemptions  pulled\n");
	for_each_cpu(cpu, &cpu_online_mask) {
		struct sched_stats s = sched_stats(cpu);
		kprintf("%3u  %7u  %8llu  %11llu  %6llu\n", cpu, s.nr_running,
			(unsigned long long)s.nr_switches, (unsigned long long)s.nr_preemptions,
			(unsigned long long)s.nr_pulled);
	}
	return 0;
}
SHELL_COMMAND("ps", "",
	      "threads (tid, their process's pid, CPU, state, run time), processes, per-CPU "
	      "switch counts",
	      cmd_ps);
