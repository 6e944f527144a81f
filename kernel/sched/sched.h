/*
 * The scheduler: kernel threads, per-CPU run queues, preemption, sleep and wakeup.
 *
 * Every CPU has a run queue: a FIFO of threads that are ready to run, plus the one running now
 * and an idle thread that runs when the queue is empty. A thread runs until it sleeps, yields,
 * or uses up its time slice (SCHED_SLICE_TICKS timer ticks) while another thread is waiting;
 * the tick then sets this CPU's need_resched and the switch happens on the way out of the
 * interrupt, but only if the interrupted code had a preempt count of 0.
 *
 * Sleeping follows the usual pattern, which has no lost-wakeup window:
 *
 *	set_current_state(THREAD_SLEEPING);	   announce: "about to sleep" (full barrier)
 *	if (!condition)
 *		schedule();			   a wakeup since the line above cancels the sleep
 *	__set_current_state(THREAD_RUNNING);
 *
 * and the waker makes the condition true, then calls wake_up_process(t). Wait queues
 * (kernel/sched/wait.h) wrap this.
 */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/sched/completion.h"
#include "lib/atomic.h"
#include "lib/list.h"

#define SCHED_SLICE_TICKS    2	/* a thread's time slice: 20 ms at HZ=100 */
#define SCHED_BALANCE_TICKS  5	/* how often a busy CPU looks for an idler one */
#define THREAD_NAME_LEN	     16
#define THREAD_STACK_PAGES   4

enum thread_state {
	THREAD_RUNNING,	 /* running, or ready to run on a run queue */
	THREAD_SLEEPING, /* waiting for wake_up_process() */
	THREAD_DEAD,	 /* finished; its joiner frees it */
};

struct mm; /* mm/mm.h: an address space; the scheduler only passes it on */
struct files_struct; /* fs/file.h: open files, and the working directory; kept for fs/ */
struct fs_struct;
struct process;
struct fpu;

struct thread {
	uint64_t saved_rsp; /* while switched out: the stack pointer (arch/x86_64/switch.asm) */
	int tid;
	char name[THREAD_NAME_LEN];
	volatile enum thread_state state;
	unsigned int cpu;     /* the run queue it belongs to; changed under that queue's lock */
	int bound_cpu;	      /* -1: may run anywhere; else only there (kthread_bind) */
	bool on_rq;	      /* running or queued (not sleeping, not dead) */
	bool is_idle;
	bool wake_preempt;    /* woken, it runs next, at once (sched_set_wake_preempt) */
	int slice;	      /* ticks left in its time slice */
	struct list_head run_node; /* on its run queue while waiting for a CPU */
	struct list_head all_node; /* on the list of all threads (ps) */

	void *stack_top; /* a guarded vmap stack; NULL for a CPU's boot stack */
	struct mm *mm;	 /* the address space it runs in (kthread_use_mm), NULL: the kernel's */
	struct files_struct *files; /* its file descriptors; NULL until it opens one */
	struct fs_struct *fs;	    /* its working directory; NULL: the root */
	uint64_t start_tsc; /* when it last got the CPU */
	uint64_t run_tsc;   /* TSC cycles it has run */
	uint64_t nr_switches;	/* times it got the CPU */
	uint64_t nr_migrations; /* times it moved to another CPU */

	/* kernel/kthread.c */
	int (*fn)(void *);
	void *arg;
	volatile bool should_stop;
	bool started;
	int exit_code;
	struct completion exited; /* completed once it is off its CPU for good */

	/* A user thread's (kernel/process.h); NULL and 0 in a kernel thread. */
	struct process *proc;	    /* its process; tasklist_lock for the list below */
	struct list_head proc_node; /* on proc->threads */
	struct fpu *fpu;	    /* its SSE registers while it is off the CPU */
	uint64_t fs_base;	    /* its TLS pointer (arch_prctl ARCH_SET_FS, CLONE_SETTLS) */
	uint64_t clear_child_tid;   /* set_tid_address: zeroed and futex-woken when it ends */
	uint64_t set_child_tid;	    /* CLONE_CHILD_SETTID: its tid is stored there first thing */
	uint64_t robust_list;	    /* set_robust_list: the robust futexes it holds (kernel/futex.c) */
	bool killable;		    /* asleep where a fatal signal wakes it (signal_wake_up) */
	uint64_t min_flt;	    /* page faults resolved for it (getrusage's ru_minflt) */

	/* kernel/sched/sleep.c: a pending timeout */
	uint64_t wake_jiffies;
	struct list_head timeout_node;
	bool timeout_armed;
};

#define current ((struct thread *)this_cpu()->thread)

/* t, when woken, goes to the head of its queue and its CPU switches to it at once. */
void sched_set_wake_preempt(struct thread *t, bool on);

/* mm/'s hook that moves a CPU between address spaces, and the one that runs after each
   switch (kernel/sched/core.c). */
void sched_set_switch_mm(void (*fn)(struct mm *prev, struct mm *next), void (*finish)(void));

/* Per-CPU scheduler state, exported for `cpus`, `ps` and tests. */
struct sched_stats {
	uint64_t nr_switches;
	uint64_t nr_preemptions;  /* switches forced on the way out of an interrupt */
	uint64_t nr_pulled;	  /* threads this CPU took from a busier one */
	unsigned int nr_running;  /* threads queued or running here, idle not counted */
};
struct sched_stats sched_stats(unsigned int cpu);

/* Makes the code running kmain into the boot CPU's first thread ("main"), and makes the
   boot CPU's idle thread. */
void sched_init(void);
/* On an AP before it goes online: wraps its boot stack as its idle thread. */
void sched_init_ap(void);
/* The idle thread's loop (each CPU ends up here). */
__noreturn void sched_idle_loop(void);
/* True once sched_init() has run: might_sleep() means something. */
extern bool sched_running;

void schedule(void);
void yield(void);

static inline void __set_current_state(enum thread_state s)
{
	current->state = s;
}
void set_current_state(enum thread_state s);

bool wake_up_process(struct thread *t);

/* Puts a new thread (state THREAD_RUNNING, not yet on a queue) on a run queue. */
void sched_enqueue_new(struct thread *t);
/* Builds the first stack frame of a new thread that will call entry(t). */
void sched_prepare_stack(struct thread *t, void (*entry)(struct thread *));
void sched_prepare_stack_at(struct thread *t, void *top, void (*entry)(struct thread *));
/* The first thing a new thread does on its stack: finishes the switch that started it. */
void sched_start_thread(void);
/* Called by a thread as the last thing it does: marks it dead and switches away for good. */
__noreturn void sched_exit(void);

/* Moves t so that it runs only on cpu (t may be current, queued, sleeping or new). Returns 0,
   or -EINVAL for a CPU that is not online. */
int sched_set_cpu(struct thread *t, int cpu);

/* The timer tick's part: time slices and load balancing. Interrupts are off. */
void sched_tick(void);
/* Switches threads if this CPU asked for it and preemption is allowed (on interrupt return). */
void sched_preempt_irq(void);

/* Panics when the caller may not sleep: preemption or interrupts disabled. */
#define might_sleep() __might_sleep(__FILE__, __LINE__)
void __might_sleep(const char *file, int line);

/* The time t has run, in nanoseconds (includes the current slice if it is running). */
uint64_t thread_runtime_ns(const struct thread *t);
const char *thread_state_name(const struct thread *t);

#endif
