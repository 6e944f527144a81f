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

struct thread *kthread_create(int (*fn)(void *), void *arg, const char *fmt, ...)
	__printf(3, 4);
void wake_up_new_thread(struct thread *t);
int kthread_bind(struct thread *t, unsigned int cpu);
void kthread_unbind(struct thread *t);

#define kthread_run(fn, arg, ...)                                          \
	({                                                                 \
		struct thread *__t = kthread_create(fn, arg, __VA_ARGS__); \
		if (__t)                                                   \
			wake_up_new_thread(__t);                           \
		__t;                                                       \
	})

bool kthread_should_stop(void);
int kthread_stop(struct thread *t);
int kthread_join(struct thread *t);

/* Every thread, for `ps` and the gdb helpers; walk it holding the lock. */
extern struct list_head thread_list;
extern spinlock_t thread_list_lock;
unsigned int nr_threads(void);

/* A higher layer's cleanup for each thread that ends (kernel/kthread.c). */
void kthread_set_exit_hook(void (*fn)(void));

/* For kernel/sched/core.c: the stack of a new thread, and numbering a thread + listing it. */
void *kthread_alloc_stack(void);
void kthread_register(struct thread *t);

#endif
