/*
 * A snapshot of one process for /proc/PID/stat and /proc/PID/status (fs/proc/array.c), and the
 * walk over pids that readdir of /proc makes. Linux's fs/proc reads task_struct directly under
 * RCU; here fs/ asks kernel/ for a copy taken under tasklist_lock, so it never holds a process.
 */
#include "kernel/process.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Fills s from p and its threads; tasklist_lock held. */
static void snapshot_locked(struct process *p, struct process_snapshot *s)
{
	struct thread *t;

	s->pid = p->pid;
	s->ppid = p->parent ? p->parent->pid : 0;
	strlcpy(s->comm, p->comm, sizeof(s->comm));
	s->zombie = p->state == PROCESS_ZOMBIE;
	s->running = false;
	s->nr_threads = p->nr_threads;
	s->start_ns = p->start_ns;
	s->runtime_ns = p->exited_runtime_ns;
	s->min_flt = p->exited_min_flt;
	list_for_each_entry(t, &p->threads, proc_node) {
		s->runtime_ns += thread_runtime_ns(t);
		s->min_flt += READ_ONCE(t->min_flt);
		if (READ_ONCE(t->state) == THREAD_RUNNING)
			s->running = true;
	}
}

/*
 * Copies what /proc shows of the process with pid into *s: 0, or -ESRCH when there is none.
 * pid 0 means the caller's own process; a kernel thread, which has none, is shown as a process
 * of one thread (its tid, its name), so the shell's `cat /proc/self/stat` answers. Takes
 * tasklist_lock; does not sleep.
 */
int process_snapshot(int pid, struct process_snapshot *s)
{
	struct process *p;
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (pid == 0 && !current->proc) {
		s->pid = current->tid;
		strlcpy(s->comm, current->name, sizeof(s->comm));
		s->running = true;
		s->nr_threads = 1;
		s->runtime_ns = thread_runtime_ns(current);
		s->min_flt = current->min_flt;
		return 0;
	}
	spin_lock(&tasklist_lock);
	p = pid == 0 ? current->proc : find_process(pid);
	if (p)
		snapshot_locked(p, s);
	else
		err = -ESRCH;
	spin_unlock(&tasklist_lock);
	return err;
}

/* The smallest pid of a process (alive or zombie) that is >= from, or -1 when none is: readdir
   of /proc resumes from any pid this way. Takes tasklist_lock. */
int next_process_pid(int from)
{
	struct process *p;
	int best = -1;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &process_list, all_node)
		if (p->pid >= from && (best < 0 || p->pid < best))
			best = p->pid;
	spin_unlock(&tasklist_lock);
	return best;
}
