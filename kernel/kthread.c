/*
 * Kernel threads (kernel/kthread.h): creating, starting, stopping and joining them, and the
 * list of all threads.
 *
 * Lock order: thread_list_lock, then a run queue lock (kernel/sched/syscalls.c sets another
 * thread's affinity with the list lock holding the thread).
 */
#include "kernel/kthread.h"
#include "kernel/locking/spinlock.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "mm/slab.h"
#include "mm/vmap.h"
#include "arch/x86_64/memlayout.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/errno.h"
#include <stdarg.h>

LIST_HEAD(thread_list);
DEFINE_SPINLOCK(thread_list_lock);
static int next_tid;
static unsigned int thread_count;

/*
 * The stack of a new thread: THREAD_STACK_PAGES pages mapped with an unmapped guard page below,
 * returned as its top; NULL without memory. Does not sleep.
 */
void *kthread_alloc_stack(void)
{
	return vmap_stack_alloc(THREAD_STACK_PAGES);
}

/*
 * Numbers t (its tid) and puts it on the thread list the threads command walks. Takes
 * thread_list_lock; does not sleep.
 */
void kthread_register(struct thread *t)
{
	spin_lock(&thread_list_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_node, &thread_list);
	thread_count++;
	spin_unlock(&thread_list_lock);
}

static void unregister(struct thread *t)
{
	spin_lock(&thread_list_lock);
	list_del(&t->all_node);
	thread_count--;
	spin_unlock(&thread_list_lock);
}

/* Threads alive (registered and not yet ended): a leak check. */
unsigned int nr_threads(void)
{
	return READ_ONCE(thread_count);
}

static void (*exit_hook)(void);

/*
 * A higher layer's cleanup for a thread that ends: fn runs on every ending thread, after its
 * function returned, able to sleep (fs/ closes the thread's files and drops its working
 * directory there). One hook; a second call replaces it.
 */
void kthread_set_exit_hook(void (*fn)(void))
{
	WRITE_ONCE(exit_hook, fn);
}

/* Every kernel thread starts here, on its own stack (arch/x86_64/switch.asm jumps here). */
static void kthread_entry(struct thread *t)
{
	int code = -EINTR;

	sched_start_thread();
	if (!t->should_stop)
		code = t->fn(t->arg);
	t->exit_code = code;
	if (READ_ONCE(exit_hook))
		exit_hook();
	sched_exit();
}

/*
 * Makes a thread that will run fn(arg), named by the printf format fmt, created but not
 * running (wake_up_new_thread starts it). May sleep (allocates). Returns the thread, or NULL
 * when memory ran out. It must be stopped or joined exactly once.
 */
struct thread *kthread_create(int (*fn)(void *), void *arg, const char *fmt, ...)
{
	struct thread *t = kzalloc(sizeof(*t));
	va_list ap;

	if (!t)
		return NULL;
	t->stack_top = kthread_alloc_stack();
	if (!t->stack_top) {
		kfree(t);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	va_end(ap);
	t->fn = fn;
	t->arg = arg;
	t->state = THREAD_RUNNING;
	t->cpu = smp_processor_id();
	t->bound_cpu = -1;
	INIT_LIST_HEAD(&t->run_node);
	INIT_LIST_HEAD(&t->timeout_node);
	init_completion(&t->exited);
	sched_prepare_stack(t, kthread_entry);
	kthread_register(t);
	return t;
}

/* Starts a thread kthread_create() returned, on the least loaded CPU (or its bound one). */
void wake_up_new_thread(struct thread *t)
{
	t->started = true;
	sched_enqueue_new(t);
}

/* Pins t to cpu: before it starts, or at any time later (it moves at its next switch). May
   sleep if t is the caller. 0, or -EINVAL for a CPU that is not online. */
int kthread_bind(struct thread *t, unsigned int cpu)
{
	if (!t->started) {
		if (!cpu_online(cpu))
			return -EINVAL;
		t->bound_cpu = (int)cpu;
		t->cpu = cpu;
		return 0;
	}
	return sched_set_cpu(t, (int)cpu);
}

/* Lets t run on any CPU again (from its next switch). */
void kthread_unbind(struct thread *t)
{
	WRITE_ONCE(t->bound_cpu, -1);
}

/* True once somebody called kthread_stop() on the calling thread. A thread that sleeps waiting
   for work checks it after set_current_state(THREAD_SLEEPING) (see kthread_stop). */
bool kthread_should_stop(void)
{
	return READ_ONCE(current->should_stop);
}

/* Waits for t to end by itself, then frees its stack and struct thread. Thread context (may
   sleep); nobody may use t afterwards. Returns its exit code. */
int kthread_join(struct thread *t)
{
	int code;

	wait_for_completion(&t->exited);
	code = t->exit_code;
	unregister(t);
	vmap_stack_free(t->stack_top);
	kfree(t);
	return code;
}

/*
 * Asks t to stop (kthread_should_stop() turns true for it), wakes it, waits for it to end and
 * frees it. Thread context (may sleep). Returns t's exit code, -EINTR if it never started.
 */
int kthread_stop(struct thread *t)
{
	WRITE_ONCE(t->should_stop, true);
	/* Pairs with the smp_mb() in set_current_state(): t either sees should_stop after it set
	   itself sleeping, or wake_up_process() below sees it THREAD_SLEEPING and wakes it. */
	smp_mb();
	if (!t->started)
		wake_up_new_thread(t); /* it sees should_stop first thing and ends */
	else
		wake_up_process(t);
	return kthread_join(t);
}
