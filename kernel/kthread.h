/*
 * Kernel threads.
 *
 *	struct thread *t = kthread_create(worker, &arg, "worker/%d", i);   created, not running
 *	kthread_bind(t, 2);						   run only on CPU 2
 *	wake_up_new_thread(t);						   start it
 *	...
 *	kthread_stop(t);	asks it to stop (kthread_should_stop() turns true), waits, frees it
 *
 * kthread_run() is create + start. A thread ends by returning from its function; its exit
 * code is what kthread_stop() or kthread_join() return. Every thread must be stopped or joined
 * exactly once: that frees its stack and its struct thread.
 */
#ifndef KERNEL_KTHREAD_H
#define KERNEL_KTHREAD_H

#include "kernel/sched/sched.h"
#include "lib/compiler.h"

/* Returns the new thread, or NULL when memory ran out. name is a printf format. */
struct thread *kthread_create(int (*fn)(void *), void *arg, const char *fmt, ...)
	__printf(3, 4);
/* Starts a thread kthread_create() returned. */
void wake_up_new_thread(struct thread *t);
/* Pins t to cpu: before it starts, or at any time later (it moves at its next switch). Returns
   0 or -EINVAL for a CPU that is not online. */
int kthread_bind(struct thread *t, unsigned int cpu);
/* Lets t run on any CPU again. */
void kthread_unbind(struct thread *t);

#define kthread_run(fn, arg, ...)                                          \
	({                                                                 \
		struct thread *__t = kthread_create(fn, arg, __VA_ARGS__); \
		if (__t)                                                   \
			wake_up_new_thread(__t);                           \
		__t;                                                       \
	})

/* True once somebody called kthread_stop() on the calling thread. */
bool kthread_should_stop(void);
/* Asks t to stop, wakes it, waits for it to end and frees it. Returns its exit code (-EINTR if
   it never started). */
int kthread_stop(struct thread *t);
/* Waits for t to end by itself and frees it. Returns its exit code. */
int kthread_join(struct thread *t);

/* Every thread, for `ps` and the gdb helpers; walk it holding the lock. */
extern struct list_head thread_list;
extern spinlock_t thread_list_lock;
unsigned int nr_threads(void);

/*
 * A higher layer's cleanup for a thread that ends: fs/ closes its files and drops its working
 * directory. Runs on the ending thread, after its function returned, able to sleep.
 */
void kthread_set_exit_hook(void (*fn)(void));

/* For kernel/sched/core.c: the stack of a new thread, and numbering a thread + listing it. */
void *kthread_alloc_stack(void);
void kthread_register(struct thread *t);

#endif
