/* Who am I: the ids of the calling thread and process (Linux's kernel/sys.c has these). */
#include "kernel/process.h"
#include "kernel/syscall.h"

SYSCALL_DEFINE0(getpid)
{
	return current->proc ? current->proc->pid : current->tid;
}

SYSCALL_DEFINE0(gettid)
{
	return current->tid;
}

/* The parent's pid; 0 for a process the kernel started or whose parent ended (Linux would say
   1, init's pid: there is no init here). */
SYSCALL_DEFINE0(getppid)
{
	struct process *p = current->proc;
	int ppid = 0;

	if (!p)
		return 0;
	spin_lock(&tasklist_lock);
	if (p->parent)
		ppid = p->parent->pid;
	spin_unlock(&tasklist_lock);
	return ppid;
}
