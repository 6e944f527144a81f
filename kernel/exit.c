/*
 * How threads and processes end, and how their parents learn of it (kernel/process.h), as
 * Linux's kernel/exit.c: exit, exit_group, wait4, and the kernel's own wait for the programs
 * it started.
 *
 * A thread ends in do_exit: it wakes a pthread_join (CLONE_CHILD_CLEARTID), leaves the address
 * space and drops its references on the file table and working directory, then leaves its
 * process's thread list. The last thread out makes the process a zombie and tells the parent.
 * The struct thread and its kernel stack cannot be freed by the thread itself (it is running
 * on that stack): the reaper kernel thread frees them once the thread is off its CPU for good.
 *
 * This file sits above the layers it calls into (docs/layers.md, exception 5).
 *
 * Lock order: tasklist_lock, then reaper_lock (taken alone elsewhere).
 */
#include "kernel/process.h"
#include "kernel/futex.h"
#include "kernel/kthread.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/syscall.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/cpu.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "lib/errno.h"

#define WNOHANG	    1
#define WUNTRACED   2
#define __WALL	    0x40000000
#define __WCLONE    0x80000000
#define RUSAGE_SIZE 144 /* struct rusage on x86_64 */

/* The broken variant of `torture syscalls` (fs/torture/syscall_torture.c): an ending thread
   forgets its file table, so its open files leak. */
bool exit_broken_keep_files;

/* Ended threads waiting to be freed, and the thread that frees them. */
static LIST_HEAD(reaper_list);
static DEFINE_SPINLOCK(reaper_lock);
static DEFINE_WAIT_QUEUE_HEAD(reaper_wq);
/* The kernel's processes (process_spawn) are waited for here. */
static DEFINE_WAIT_QUEUE_HEAD(kernel_child_exit);

static int reaper(void *arg)
{
	(void)arg;
	for (;;) {
		struct thread *t = NULL;

		wait_event(reaper_wq, !list_empty(&reaper_list));
		spin_lock(&reaper_lock);
		if (!list_empty(&reaper_list)) {
			t = list_first_entry(&reaper_list, struct thread, proc_node);
			list_del(&t->proc_node);
		}
		spin_unlock(&reaper_lock);
		if (t) {
			struct fpu *fpu = t->fpu;

			/* The switch away from t saves its SSE registers into t->fpu: free that
			   only once t is off its CPU for good, which kthread_join waits for. */
			kthread_join(t);
			kfree(fpu);
		}
	}
	return 0;
}

void process_init(void)
{
	futex_init();
	if (!kthread_run(reaper, NULL, "reaper"))
		panic("process_init: no memory for the reaper thread");
}

/* Hands an ending thread to the reaper; the thread must not be on any other list. */
static void give_to_reaper(struct thread *t)
{
	spin_lock(&reaper_lock);
	list_add_tail(&t->proc_node, &reaper_list);
	spin_unlock(&reaper_lock);
	wake_up(&reaper_wq);
}

/* The parent of a CLONE_VFORK child p goes on (the child execs or ends). */
void vfork_release(struct process *p)
{
	struct completion *done;

	spin_lock(&tasklist_lock);
	done = p->vfork_done;
	p->vfork_done = NULL;
	spin_unlock(&tasklist_lock);
	if (done)
		complete(done);
}

/* p's children belong to nobody now; zombies among them that nobody will wait for are freed.
   tasklist_lock held; the freed ones are put on *dead. */
static void forget_children(struct process *p, struct list_head *dead)
{
	struct process *c, *tmp;

	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		list_del_init(&c->sibling);
		c->parent = NULL;
		if (c->state == PROCESS_ZOMBIE) {
			list_del(&c->all_node);
			list_add(&c->sibling, dead);
		}
	}
}

/*
 * The last thread of p is gone: p becomes a zombie with its status and its parent hears of it.
 * tasklist_lock held. Returns true when nobody will wait for p (it is to be freed now).
 */
static bool process_ended(struct process *p, int status, struct list_head *dead)
{
	if (!p->exiting)
		p->exit_status = status;
	p->state = PROCESS_ZOMBIE;
	forget_children(p, dead);
	if (p->parent) {
		p->parent->child_events++;
		wake_up(&p->parent->child_exit);
		return false;
	}
	if (p->kernel_child) {
		wake_up(&kernel_child_exit);
		return false;
	}
	list_del(&p->all_node); /* an orphan: nobody waits */
	return true;
}

/* Wakes a pthread_join waiting on this thread's tid word (CLONE_CHILD_CLEARTID). */
static void clear_child_tid(struct thread *t)
{
	if (!t->clear_child_tid || !t->mm)
		return;
	if (!put_user_u32(t->clear_child_tid, 0))
		futex_wake_address(t->mm, t->clear_child_tid, 1);
	t->clear_child_tid = 0;
}

__noreturn void do_exit(int status)
{
	struct thread *t = current;
	struct process *p = t->proc, *c, *tmp;
	struct completion *vfork_done = NULL;
	LIST_HEAD(dead);
	bool last, orphan = false;

	if (!p)
		panic("do_exit: kernel thread %s is not a process's thread", t->name);
	exit_robust_list(t);
	clear_child_tid(t);
	if (unlikely(READ_ONCE(exit_broken_keep_files)))
		t->files = NULL;
	exit_files();
	exit_fs();
	spin_lock(&tasklist_lock);
	last = --p->nr_threads == 0;
	list_del_init(&t->proc_node);
	p->exited_runtime_ns += thread_runtime_ns(t);
	p->exited_min_flt += t->min_flt;
	t->proc = NULL; /* under the lock: `ps` reads t->proc holding it */
	if (last) {
		vfork_done = p->vfork_done; /* a vfork child that never exec'd */
		p->vfork_done = NULL;
		orphan = process_ended(p, status, &dead);
	} else if (p->exec_thread) {
		wake_up(&p->thread_exit);
	}
	spin_unlock(&tasklist_lock);
	/* p may be freed from here on by whoever waits for it (unless orphan). */
	if (vfork_done)
		complete(vfork_done);
	if (t->mm)
		kthread_unuse_mm(t->mm); /* the last user unmaps everything */
	list_for_each_entry_safe(c, tmp, &dead, sibling)
		free_process(c);
	if (orphan)
		free_process(p);
	give_to_reaper(t);
	sched_exit();
}

/* The process is being killed (or another thread is exec'ing): end with its status. */
__noreturn void do_exit_killed(void)
{
	do_exit(current->proc->exit_status);
}

/* Wakes t if it sleeps where a fatal signal may wake it; a thread running in ring 3 notices
   at its next entry into the kernel (its next tick at the latest). tasklist_lock held. */
static void signal_wake_up(struct thread *t)
{
	/* Pairs with the smp_mb() of set_current_state() in the killable sleeper: either it sees
	   exiting after it marked itself sleeping, or we see killable and wake it. */
	smp_mb();
	if (READ_ONCE(t->killable))
		wake_up_process(t);
}

void __process_kill(struct process *p, int status)
{
	struct thread *t;

	if (!p->exiting && p->state == PROCESS_ALIVE) {
		p->exit_status = status;
		WRITE_ONCE(p->exiting, true);
	}
	list_for_each_entry(t, &p->threads, proc_node)
		signal_wake_up(t);
}

void process_kill(struct process *p, int status)
{
	spin_lock(&tasklist_lock);
	__process_kill(p, status);
	spin_unlock(&tasklist_lock);
}

/*
 * execve's first step in a process with several threads: every other thread ends (it sees
 * fatal_signal_pending, since exec_thread is not itself), and the caller waits for them.
 * 0, or -EINTR when the process is killed meanwhile or another thread is already exec'ing.
 */
int de_thread(void)
{
	struct process *p = current->proc;
	struct thread *t;
	int err = 0;

	spin_lock(&tasklist_lock);
	if (p->exiting || p->exec_thread) {
		spin_unlock(&tasklist_lock);
		return -EINTR;
	}
	if (p->nr_threads == 1) {
		spin_unlock(&tasklist_lock);
		return 0;
	}
	WRITE_ONCE(p->exec_thread, current);
	list_for_each_entry(t, &p->threads, proc_node)
		if (t != current)
			signal_wake_up(t);
	spin_unlock(&tasklist_lock);
	current->killable = true;
	wait_event(p->thread_exit, READ_ONCE(p->nr_threads) == 1 || READ_ONCE(p->exiting));
	current->killable = false;
	spin_lock(&tasklist_lock);
	if (p->exiting)
		err = -EINTR;
	WRITE_ONCE(p->exec_thread, NULL);
	spin_unlock(&tasklist_lock);
	return err;
}

SYSCALL_DEFINE1(exit, int, code)
{
	do_exit(W_EXITCODE(code, 0));
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	process_kill(current->proc, W_EXITCODE(code, 0));
	do_exit_killed();
}

/* A child of p that wait4(pid) may collect now (a zombie), tasklist_lock held; *any is set
   when p has any child pid matches at all. */
static struct process *find_zombie(struct process *p, int pid, bool *any)
{
	struct process *c;

	*any = false;
	list_for_each_entry(c, &p->children, sibling) {
		if (pid > 0 && c->pid != pid)
			continue;
		*any = true;
		if (c->state == PROCESS_ZOMBIE)
			return c;
	}
	return NULL;
}

/* Unlinks a zombie child that was waited for; tasklist_lock held. */
static void release_zombie(struct process *c)
{
	list_del(&c->sibling);
	list_del(&c->all_node);
}

/*
 * wait4 - waits for a child to end. pid > 0: that child; -1 (or 0, or < -1: no process groups
 * here, any child) any child. Stores the status word at wstatus and zeroes *rusage when given.
 * Returns the child's pid, 0 with WNOHANG when none has ended, -ECHILD when there is no such
 * child, -EINTR when the caller is being killed, -EFAULT, -EINVAL for unknown options.
 */
SYSCALL_DEFINE4(wait4, int, pid, int __user *, wstatus, int, options, void __user *, rusage)
{
	struct process *p = current->proc, *z;
	int status, zpid;
	bool any;

	if (options & ~(WNOHANG | WUNTRACED | __WALL | __WCLONE))
		return -EINVAL;
	if (pid <= 0)
		pid = -1;
	for (;;) {
		unsigned int seen;

		spin_lock(&tasklist_lock);
		seen = p->child_events;
		z = find_zombie(p, pid, &any);
		if (z)
			release_zombie(z);
		spin_unlock(&tasklist_lock);
		if (z || !any || (options & WNOHANG))
			break;
		if (wait_event_killable(p->child_exit, READ_ONCE(p->child_events) != seen))
			return -EINTR;
	}
	if (!z)
		return any ? 0 : -ECHILD;
	status = z->exit_status;
	zpid = z->pid;
	free_process(z);
	if (wstatus && copy_to_user(wstatus, &status, sizeof(status)))
		return -EFAULT;
	if (rusage && clear_user(rusage, RUSAGE_SIZE))
		return -EFAULT;
	return zpid;
}

void process_usage(uint64_t *runtime_ns, uint64_t *min_flt)
{
	struct process *p = current->proc;
	struct thread *t;

	if (!p) {
		*runtime_ns = thread_runtime_ns(current);
		*min_flt = current->min_flt;
		return;
	}
	spin_lock(&tasklist_lock);
	*runtime_ns = p->exited_runtime_ns;
	*min_flt = p->exited_min_flt;
	list_for_each_entry(t, &p->threads, proc_node) {
		*runtime_ns += thread_runtime_ns(t);
		*min_flt += READ_ONCE(t->min_flt);
	}
	spin_unlock(&tasklist_lock);
}

/* Ctrl-C and friends: how often kernel_wait looks at its interrupt callback. */
#define KERNEL_WAIT_POLL_MS 10

int kernel_wait(int pid, int (*interrupt)(void))
{
	struct process *p;
	int status;

	for (;;) {
		bool zombie;

		spin_lock(&tasklist_lock);
		p = find_process(pid);
		if (!p || !p->kernel_child) {
			spin_unlock(&tasklist_lock);
			return -ECHILD;
		}
		zombie = p->state == PROCESS_ZOMBIE;
		if (zombie)
			list_del(&p->all_node);
		spin_unlock(&tasklist_lock);
		if (zombie)
			break;
		wait_event_timeout(kernel_child_exit, READ_ONCE(p->state) == PROCESS_ZOMBIE,
				   msecs_to_jiffies(KERNEL_WAIT_POLL_MS));
		if (interrupt) {
			int sig = interrupt();

			if (sig)
				process_kill(p, W_EXITCODE(0, sig));
		}
	}
	status = p->exit_status;
	free_process(p);
	return status;
}
