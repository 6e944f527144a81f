/*
 * /proc/PID/stat and /proc/PID/status, as Linux's do_task_stat and proc_pid_status
 * (fs/proc/array.c). The numbers come from a snapshot of the process (kernel/process_info.c).
 *
 * stat is one line of Linux's 52 fields. Those teachos keeps: pid (1), comm (2, at most 15
 * bytes, in parentheses), state (3: R, S or Z), ppid (4), minflt (10), utime (14, all the
 * process's CPU time: kernel and user time are not told apart), priority 20 and nice 0 (18,
 * 19), num_threads (20), starttime (22), exit_signal SIGCHLD (38). tpgid is -1 (no terminal)
 * and rsslim unlimited, as Linux prints them for such a process; every other field is 0,
 * majflt (12) among them: no fault here is a major one (docs/procfs.md).
 */
#include "fs/proc/internal.h"
#include "kernel/process.h"

#define TASK_COMM_LEN 16  /* Linux's comm: 15 bytes and a NUL */
#define USER_HZ	      100 /* the clock ticks times are counted in (sysconf(_SC_CLK_TCK)) */
#define NS_PER_TICK   (1000000000ULL / USER_HZ)

static char state_char(const struct process_snapshot *ps)
{
	return ps->zombie ? 'Z' : ps->running ? 'R' : 'S';
}

static const char *state_name(const struct process_snapshot *ps)
{
	return ps->zombie ? "Z (zombie)" : ps->running ? "R (running)" : "S (sleeping)";
}

/* pid's snapshot; PROC_PID_SELF: the reader's. 0 or -ESRCH. */
static int snapshot(int pid, struct process_snapshot *ps)
{
	return process_snapshot(pid == PROC_PID_SELF ? 0 : pid, ps);
}

int proc_pid_stat_show(struct seq_buf *s, int pid)
{
	struct process_snapshot ps;
	int err = snapshot(pid, &ps);

	if (err)
		return err;
	/* 1-9: pid (comm) state ppid pgrp session tty_nr tpgid flags */
	seq_buf_printf(s, "%d (%.*s) %c %d 0 0 0 -1 0 ", ps.pid, TASK_COMM_LEN - 1, ps.comm,
		       state_char(&ps), ps.ppid);
	/* 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime */
	seq_buf_printf(s, "%llu 0 0 0 %llu 0 0 0 ", (unsigned long long)ps.min_flt,
		       (unsigned long long)(ps.runtime_ns / NS_PER_TICK));
	/* 18-25: priority nice num_threads itrealvalue starttime vsize rss rsslim */
	seq_buf_printf(s, "20 0 %u 0 %llu 0 0 18446744073709551615 ", ps.nr_threads,
		       (unsigned long long)(ps.start_ns / NS_PER_TICK));
	/* 26-37: startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch
	   wchan nswap cnswap; 38: exit_signal; 39-52: processor .. exit_code */
	seq_buf_printf(s, "0 0 0 0 0 0 0 0 0 0 0 0 %d 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", SIGCHLD);
	return 0;
}

int proc_pid_status_show(struct seq_buf *s, int pid)
{
	struct process_snapshot ps;
	int err = snapshot(pid, &ps);

	if (err)
		return err;
	seq_buf_printf(s, "Name:\t%.*s\n", TASK_COMM_LEN - 1, ps.comm);
	seq_buf_printf(s, "State:\t%s\n", state_name(&ps));
	seq_buf_printf(s, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n", ps.pid, ps.pid, ps.ppid);
	seq_buf_printf(s, "Threads:\t%u\n", ps.nr_threads);
	return 0;
}
