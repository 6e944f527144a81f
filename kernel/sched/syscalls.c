/*
 * The scheduler's system calls: sched_yield, sched_setaffinity, sched_getaffinity, getcpu.
 * Linux: kernel/sched/syscalls.c (since 6.10; kernel/sched/core.c before), and getcpu in
 * kernel/sys.c.
 *
 * A thread here is either bound to one CPU (thread.bound_cpu) or free to run on any online
 * CPU: there is no affinity mask in between. So a mask that holds every online CPU frees the
 * thread, and any other mask binds it to the lowest online CPU in it. sched_getaffinity
 * reports what that left: the one CPU, or all online CPUs.
 *
 * Lock order: thread_list_lock, then a run queue's lock (inside sched_set_cpu).
 */
#include "kernel/syscall.h"
#include "kernel/cpumask.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "kernel/sched/sched.h"
#include "kernel/locking/spinlock.h"
#include "mm/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

/* sched_yield(2): gives the CPU to the next ready thread of this CPU, if any. Always 0. */
SYSCALL_DEFINE0(sched_yield)
{
	yield();
	return 0;
}

/* The mask a thread may run on now: its CPU when bound, else every online CPU. */
static void thread_affinity(const struct thread *t, struct cpumask *m)
{
	int cpu = READ_ONCE(t->bound_cpu);

	if (cpu < 0) {
		*m = cpu_online_mask;
		return;
	}
	cpumask_clear(m);
	cpumask_set_cpu((unsigned int)cpu, m);
}

/* Frees t when m holds every online CPU, else binds it to the lowest online CPU of m.
   0, or -EINVAL when m holds no online CPU. */
static int set_thread_affinity(struct thread *t, const struct cpumask *m)
{
	unsigned int cpu;
	int lowest = -1;
	bool all = true;

	for_each_cpu(cpu, &cpu_online_mask) {
		if (!cpumask_test_cpu(cpu, m))
			all = false;
		else if (lowest < 0)
			lowest = (int)cpu;
	}
	if (lowest < 0)
		return -EINVAL;
	if (!all)
		return sched_set_cpu(t, lowest);
	kthread_unbind(t);
	return 0;
}

/*
 * Runs fn(t, m) on the thread of tid pid (0: the caller). Another thread is found on the
 * thread list and used with thread_list_lock held, which keeps it from being freed (a thread
 * leaves the list before its struct goes): fn must not sleep for it. -ESRCH when no thread has
 * this tid.
 */
static int with_thread(int pid, int (*fn)(struct thread *t, struct cpumask *m), struct cpumask *m)
{
	struct thread *t;
	int err = -ESRCH;

	if (pid == 0 || pid == current->tid)
		return fn(current, m);
	if (pid < 0)
		return -ESRCH;
	spin_lock(&thread_list_lock);
	list_for_each_entry(t, &thread_list, all_node) {
		if (t->tid == pid && !t->is_idle && t->state != THREAD_DEAD) {
			err = fn(t, m);
			break;
		}
	}
	spin_unlock(&thread_list_lock);
	return err;
}

static int get_fn(struct thread *t, struct cpumask *m)
{
	thread_affinity(t, m);
	return 0;
}

static int set_fn(struct thread *t, struct cpumask *m)
{
	return set_thread_affinity(t, m);
}

/*
 * sched_setaffinity(2): len bytes of user_mask are the CPUs thread pid may run on (bits past
 * len are 0, bits past our CPUs are ignored, as Linux does). -EINVAL when no online CPU is in
 * the mask, -EFAULT, -ESRCH. See the top of the file for what a mask of several CPUs does.
 */
SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned int, len, const void __user *, user_mask)
{
	struct cpumask m;

	memset(&m, 0, sizeof(m));
	if (copy_from_user(&m, user_mask, MIN((size_t)len, sizeof(m))))
		return -EFAULT;
	return with_thread(pid, set_fn, &m);
}

/*
 * sched_getaffinity(2): writes the CPUs thread pid may run on and returns the bytes written,
 * min(len, sizeof(struct cpumask)), as Linux does. -EINVAL when len is not a multiple of 8 or
 * has fewer bits than there are CPUs, -EFAULT, -ESRCH.
 */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len, void __user *, user_mask)
{
	struct cpumask m;
	size_t n = MIN((size_t)len, sizeof(m));
	int err;

	if ((uint64_t)len * 8 < nr_cpu_ids || (len & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	err = with_thread(pid, get_fn, &m);
	if (err)
		return err;
	if (copy_to_user(user_mask, &m, n))
		return -EFAULT;
	return (long)n;
}

/*
 * getcpu(2): the CPU the caller runs on (it may have moved by the time it reads it) and its
 * NUMA node, always 0. Either pointer may be NULL; tcache is unused, as in Linux since 2.6.24.
 */
SYSCALL_DEFINE3(getcpu, unsigned int __user *, cpup, unsigned int __user *, nodep, void __user *,
		tcache)
{
	unsigned int cpu = smp_processor_id();

	(void)tcache;
	if (cpup && put_user(cpu, cpup))
		return -EFAULT;
	if (nodep && put_user(0, nodep))
		return -EFAULT;
	return 0;
}
