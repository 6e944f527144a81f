/*
 * fork, vfork and clone: new processes and new threads (kernel/process.h), as Linux's
 * kernel/fork.c, where copy_process does the work for every flavour.
 *
 * A new user thread is a struct thread whose kernel stack holds, at its top, a copy of the
 * caller's trap frame (its user registers, as the syscall entry saved them) with rax = 0: when
 * it first runs, ret_from_fork returns to ring 3 through that frame, so the child comes out of
 * the same system call as its parent, with 0 where the parent gets the child's tid.
 *
 * This file sits above the layers it calls into (mm's address spaces, fs's file tables), as
 * Linux's copy_process calls copy_mm and copy_files by name: docs/layers.md, exception 5.
 *
 * Lock order: tasklist_lock alone; nothing that sleeps is called under it.
 */
#include "kernel/process.h"
#include "kernel/entry.h"
#include "kernel/kthread.h"
#include "kernel/syscall.h"
#include "kernel/smp.h"
#include "kernel/sched/completion.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/tsc.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/vmap.h"
#include "mm/uaccess.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "lib/errno.h"
#include "lib/string.h"

DEFINE_SPINLOCK(tasklist_lock);
LIST_HEAD(process_list);
unsigned int nr_processes(void)
{
	struct process *p;
	unsigned int n = 0;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &process_list, all_node)
		n++;
	spin_unlock(&tasklist_lock);
	return n;
}

/* The process with pid (alive or zombie), or NULL. tasklist_lock held. */
struct process *find_process(int pid)
{
	struct process *p;

	list_for_each_entry(p, &process_list, all_node)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* A new thread's first steps on its own stack: the switch that started it ends, then it
   leaves for ring 3 through the frame at the top of its stack. */
static void user_thread_entry(struct thread *t)
{
	(void)t;
	sched_start_thread();
	ret_from_fork();
}

/*
 * The first return to ring 3 of a new thread (also of process_spawn's thread once execve has
 * built its frame). CLONE_CHILD_SETTID's store happens here, in the child's own address space.
 */
__noreturn void ret_from_fork(void)
{
	struct trap_frame *f = user_frame_of(current->stack_top);

	if (current->set_child_tid)
		put_user_u32(current->set_child_tid, (uint32_t)current->tid);
	exit_to_user_mode(f);
	ret_to_user(f);
}

/* Frees a thread that never ran and was never registered. */
static void free_unstarted_thread(struct thread *t)
{
	kfree(t->fpu);
	vmap_stack_free(t->stack_top);
	kfree(t);
}

/*
 * A new user thread, not running and not yet numbered: its kernel stack with the first switch
 * frame below the trap frame's place, its SSE state. NULL without memory.
 */
static struct thread *alloc_user_thread(const char *name)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->stack_top = kthread_alloc_stack();
	t->fpu = kmalloc(sizeof(struct fpu)); /* kmalloc-512: 512-byte aligned, as FXSAVE wants */
	if (!t->stack_top || !t->fpu) {
		if (t->stack_top)
			vmap_stack_free(t->stack_top);
		kfree(t->fpu);
		kfree(t);
		return NULL;
	}
	strlcpy(t->name, name, sizeof(t->name));
	t->state = THREAD_RUNNING;
	t->cpu = smp_processor_id();
	t->bound_cpu = -1;
	INIT_LIST_HEAD(&t->run_node);
	INIT_LIST_HEAD(&t->timeout_node);
	INIT_LIST_HEAD(&t->proc_node);
	init_completion(&t->exited);
	sched_prepare_stack_at(t, user_frame_of(t->stack_top), user_thread_entry);
	return t;
}

/* A new, empty process (no threads yet); NULL without memory. */
static struct process *alloc_process(const char *comm)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	strlcpy(p->comm, comm, sizeof(p->comm));
	p->state = PROCESS_ALIVE;
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->threads);
	init_waitqueue_head(&p->child_exit, "child_exit");
	init_waitqueue_head(&p->thread_exit, "thread_exit");
	p->start_ns = ktime_ns();
	return p;
}

/* Frees a process: a zombie that was waited for, or one that never had a thread. */
void free_process(struct process *p)
{
	kfree(p);
}

/* The child's copy of the caller's user state: registers (rax = 0), SSE, TLS base. */
static void copy_thread(struct thread *t, unsigned long flags, uint64_t newsp, uint64_t tls)
{
	struct trap_frame *f = user_frame_of(t->stack_top);

	*f = *user_frame_of(current->stack_top);
	f->rax = 0;
	if (newsp)
		f->rsp = newsp;
	preempt_disable(); /* the registers must be this thread's while FXSAVE reads them */
	fpu_save(t->fpu);
	preempt_enable();
	t->fs_base = flags & CLONE_SETTLS ? tls : current->fs_base;
}

/* The child's address space: the caller's (CLONE_VM) or a copy-on-write copy of it. */
static int copy_mm(unsigned long flags, struct thread *t)
{
	struct mm *mm = current->mm;

	if (flags & CLONE_VM) {
		mmget(mm);
		t->mm = mm;
		return 0;
	}
	t->mm = dup_mm(mm);
	return t->mm ? 0 : -ENOMEM;
}

/* Links the new thread t (and, unless CLONE_THREAD, its new process p) into the lists, gives
   it its tid, and returns it. */
static void attach(struct thread *t, struct process *p, unsigned long flags)
{
	struct process *parent = current->proc;

	kthread_register(t); /* numbers it */
	spin_lock(&tasklist_lock);
	if (!(flags & CLONE_THREAD)) {
		p->pid = t->tid;
		p->parent = flags & CLONE_PARENT ? parent->parent : parent;
		if (p->parent)
			list_add_tail(&p->sibling, &p->parent->children);
		list_add_tail(&p->all_node, &process_list);
	}
	t->proc = p;
	list_add_tail(&t->proc_node, &p->threads);
	p->nr_threads++;
	spin_unlock(&tasklist_lock);
}

/* What copy_mm, copy_files and copy_fs gave the child, given back (a failed clone). */
static void undo_copies(struct thread *t)
{
	if (t->mm)
		mmput(t->mm);
	if (t->files)
		put_files_struct(t->files);
	if (t->fs)
		put_fs_struct(t->fs);
	t->mm = NULL;
	t->files = NULL;
	t->fs = NULL;
}

static int check_flags(unsigned long flags)
{
	const unsigned long known = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				    CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM |
				    CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
				    CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_UNTRACED;

	/* Linux's rules: threads share handlers, shared handlers need a shared mm. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & ~known)
		return -EINVAL; /* namespaces, pidfd, ptrace: not here */
	return 0;
}

/*
 * kernel_clone - the common part of fork, vfork and clone, called by a user thread from its
 * system call. Returns the child's tid to the caller, or a negative errno (EINVAL for flags we
 * do not support or Linux refuses, ENOMEM) with nothing left behind.
 */
long kernel_clone(unsigned long flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid,
		  uint64_t tls)
{
	struct process *p = current->proc;
	struct completion vfork;
	struct thread *t;
	int err = check_flags(flags);
	long tid;

	if (err)
		return err;
	if (!p || !current->mm)
		return -EINVAL; /* a kernel thread has no user state to copy */
	t = alloc_user_thread(current->name);
	if (!t)
		return -ENOMEM;
	if (!(flags & CLONE_THREAD)) {
		p = alloc_process(current->proc->comm);
		if (!p) {
			free_unstarted_thread(t);
			return -ENOMEM;
		}
		spin_lock(&tasklist_lock); /* the parent's limits, as a threads may set them */
		p->rlim_own = current->proc->rlim_own;
		memcpy(p->rlim, current->proc->rlim, sizeof(p->rlim));
		spin_unlock(&tasklist_lock);
	}
	copy_thread(t, flags, newsp, tls);
	err = copy_mm(flags, t);
	if (!err)
		err = copy_files(flags, t);
	if (!err)
		err = copy_fs(flags, t);
	if (err) {
		undo_copies(t);
		if (p != current->proc)
			free_process(p);
		free_unstarted_thread(t);
		return err;
	}
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = child_tid;
	if (flags & CLONE_VFORK) {
		init_completion(&vfork);
		p->vfork_done = &vfork;
	}
	attach(t, p, flags);
	tid = t->tid;
	if (flags & CLONE_PARENT_SETTID)
		put_user_u32(parent_tid,
			     (uint32_t)tid); /* as Linux, a bad pointer is not an error */
	wake_up_new_thread(t);
	if (flags & CLONE_VFORK)
		wait_for_completion(&vfork); /* t may be gone after this: only tid is used */
	return tid;
}

/* The first steps of user_mode_thread's thread: fn in the kernel, then ring 3. */
static void user_mode_thread_entry(struct thread *t)
{
	sched_start_thread();
	if (t->fn(t->arg) == 0)
		ret_from_fork();
	do_exit(W_EXITCODE(127, 0)); /* fn found nothing to run */
}

/*
 * user_mode_thread - a new process with no parent, whose one thread runs fn(arg) in the kernel
 * first. When fn returns 0 (it has loaded a program with kernel_execve) the thread goes to
 * ring 3; otherwise it ends the process with status 127. Returns the pid, or -ENOMEM.
 * kernel_wait(pid) collects the process (Linux's user_mode_thread, used there to start init).
 */
int user_mode_thread(int (*fn)(void *), void *arg, const char *name)
{
	struct thread *t = alloc_user_thread(name);
	struct process *p;

	if (!t)
		return -ENOMEM;
	p = alloc_process(name);
	if (!p) {
		free_unstarted_thread(t);
		return -ENOMEM;
	}
	fpu_init_state(t->fpu);
	p->kernel_child = true;
	t->fn = fn;
	t->arg = arg;
	sched_prepare_stack_at(t, user_frame_of(t->stack_top), user_mode_thread_entry);
	attach(t, p, 0);
	wake_up_new_thread(t);
	return p->pid;
}

SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, int __user *, parent_tid,
		int __user *, child_tid, unsigned long, tls)
{
	/* The tid addresses are kept as numbers, for put_user_u32. */
	return kernel_clone(flags, newsp, user_addr(parent_tid), user_addr(child_tid), tls);
}

SYSCALL_DEFINE0(fork)
{
	return kernel_clone(SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return kernel_clone(CLONE_VFORK | CLONE_VM | SIGCHLD, 0, 0, 0, 0);
}

/* Where the thread's tid is zeroed and woken when it ends (pthread_join waits on it). Returns
   the caller's tid. */
SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	current->clear_child_tid = user_addr(tidptr); /* for put_user_u32 at exit */
	return current->tid;
}
