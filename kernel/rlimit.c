/*
 * Resource limits (kernel/rlimit.h): getrlimit, setrlimit, prlimit64. Linux: kernel/sys.c
 * (do_prlimit).
 *
 * A thread starts with the defaults: RLIMIT_STACK 8 MiB (hard: unlimited), RLIMIT_NOFILE the
 * size of the descriptor table (soft and hard), every other limit unlimited. The first
 * setrlimit copies them into the thread (thread.rlim_own) and changes its copy. A limit may be
 * lowered, and the soft one raised up to the hard one; raising a hard limit is -EPERM: the
 * caller is uid 0, but we give it no CAP_SYS_RESOURCE.
 */
#include "kernel/rlimit.h"
#include "kernel/syscall.h"
#include "kernel/sched/sched.h"
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

/* rlimit: the calling thread's limit of resource, a copy (resource < RLIM_NLIMITS). */
struct rlimit64 rlimit(unsigned int resource)
{
	return current->rlim_own ? current->rlim[resource] : rlimit_default(resource);
}

/*
 * Sets t's limit of resource to *new, after the checks: -EINVAL when the soft limit is above
 * the hard one, -EPERM when the hard limit would rise. Only the thread itself calls this, so
 * its limits need no lock.
 */
static int set_rlimit(struct thread *t, unsigned int resource, const struct rlimit64 *new)
{
	if (new->rlim_cur > new->rlim_max)
		return -EINVAL;
	if (new->rlim_max > rlimit(resource).rlim_max)
		return -EPERM;
	if (!t->rlim_own) {
		for (unsigned int i = 0; i < RLIM_NLIMITS; i++)
			t->rlim[i] = rlimit_default(i);
		t->rlim_own = true;
	}
	t->rlim[resource] = *new;
	return 0;
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
	if (pid != 0 && pid != current->tid)
		return -ESRCH;
	if (new &&copy_from_user(&n, new, sizeof(n)))
		return -EFAULT;
	o = rlimit(resource);
	if (new) {
		int err = set_rlimit(current, resource, &n);

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
	return set_rlimit(current, resource, &r);
}
