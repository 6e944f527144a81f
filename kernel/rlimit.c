/*
 * Resource limits (kernel/rlimit.h): getrlimit, setrlimit, prlimit64. Linux: kernel/sys.c
 * (do_prlimit).
 *
 * A process starts with its parent's limits, the first one with the defaults: RLIMIT_STACK
 * 8 MiB (hard: unlimited), RLIMIT_NOFILE the size of the descriptor table (soft and hard), every
 * other limit unlimited. The first setrlimit copies them into the process (rlim_own) and
 * changes its copy; the threads of a process share it, as Linux's signal_struct.rlim. A kernel
 * thread has the defaults and cannot change them. A limit may be
 * lowered, and the soft one raised up to the hard one; raising a hard limit is -EPERM: the
 * caller is uid 0, but we give it no CAP_SYS_RESOURCE.
 */
#include "kernel/rlimit.h"
#include "kernel/syscall.h"
#include "kernel/sched/sched.h"
#include "kernel/process.h"
#include "mm/uaccess.h"
#include "lib/errno.h"

/* A new thread's limit of resource. */
static struct rlimit64 rlimit_default(unsigned int resource)
{
	switch (resource) {
	case RLIMIT_STACK:
		return (struct rlimit64){RLIMIT_STACK_DEFAULT, RLIM_INFINITY};
	case RLIMIT_NOFILE:
		return (struct rlimit64){RLIMIT_NOFILE_DEFAULT, RLIMIT_NOFILE_DEFAULT};
	default:
		return (struct rlimit64){RLIM_INFINITY, RLIM_INFINITY};
	}
}

/* rlimit: the calling process's limit of resource, a copy (resource < RLIM_NLIMITS). */
struct rlimit64 rlimit(unsigned int resource)
{
	struct process *p = current->proc;
	struct rlimit64 r;

	if (!p)
		return rlimit_default(resource);
	spin_lock(&tasklist_lock);
	r = p->rlim_own ? p->rlim[resource] : rlimit_default(resource);
	spin_unlock(&tasklist_lock);
	return r;
}

/*
 * Sets p's limit of resource to *new, after the checks: -EINVAL when the soft limit is above
 * the hard one, -EPERM when the hard limit would rise. tasklist_lock: the threads of p may set
 * limits at once.
 */
static int set_rlimit(struct process *p, unsigned int resource, const struct rlimit64 *new)
{
	int err = 0;

	if (new->rlim_cur > new->rlim_max)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	if (!p->rlim_own) {
		for (unsigned int i = 0; i < RLIM_NLIMITS; i++)
			p->rlim[i] = rlimit_default(i);
		p->rlim_own = true;
	}
	if (new->rlim_max > p->rlim[resource].rlim_max)
		err = -EPERM;
	else
		p->rlim[resource] = *new;
	spin_unlock(&tasklist_lock);
	return err;
}

/*
 * prlimit64(2): stores thread pid's limit of resource in *old (unless NULL), then sets it to
 * *new (unless NULL). pid 0, or the caller's own tid: we keep no other thread's limits, so any
 * other pid is -ESRCH. -EINVAL for a resource >= RLIM_NLIMITS, -EFAULT, and set_rlimit's.
 */
SYSCALL_DEFINE4(prlimit64, int, pid, unsigned int, resource, const struct rlimit64 __user *, new,
		struct rlimit64 __user *, old)
{
	struct rlimit64 n, o;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (pid != 0 && pid != current->tid && !(current->proc && pid == current->proc->pid))
		return -ESRCH; /* another process's limits: not here */
	if (new &&copy_from_user(&n, new, sizeof(n)))
		return -EFAULT;
	o = rlimit(resource);
	if (new) {
		int err = current->proc ? set_rlimit(current->proc, resource, &n) : -EPERM;

		if (err)
			return err;
	}
	if (old && copy_to_user(old, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

/* getrlimit(2): the caller's limit of resource. -EINVAL, -EFAULT. */
SYSCALL_DEFINE2(getrlimit, unsigned int, resource, struct rlimit64 __user *, rlim)
{
	struct rlimit64 r;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	r = rlimit(resource);
	return copy_to_user(rlim, &r, sizeof(r)) ? -EFAULT : 0;
}

/* setrlimit(2): sets the caller's limit of resource. -EINVAL, -EPERM, -EFAULT. */
SYSCALL_DEFINE2(setrlimit, unsigned int, resource, const struct rlimit64 __user *, rlim)
{
	struct rlimit64 r;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r, rlim, sizeof(r)))
		return -EFAULT;
	return current->proc ? set_rlimit(current->proc, resource, &r) : -EPERM;
}
