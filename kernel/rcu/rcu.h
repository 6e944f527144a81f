/*
 * RCU (read-copy-update), quiescent-state based.
 *
 * Readers take no lock: rcu_read_lock() only disables preemption, so a reader cannot be switched
 * out in the middle of its walk. An updater unlinks an element (readers may still hold it),
 * then waits for a grace period before freeing it: synchronize_rcu() returns, or the callback
 * given to call_rcu() runs, only after every CPU has passed a quiescent state since the
 * removal: a point where it cannot be inside a read-side section. Here those points are a
 * context switch, the idle loop, and a timer tick that interrupts code with preemption enabled.
 *
 *	reader:					updater:
 *	rcu_read_lock();			spin_lock(&list_lock);
 *	p = rcu_dereference(head);		rcu_assign_pointer(head, new);
 *	use(p);					spin_unlock(&list_lock);
 *	rcu_read_unlock();			synchronize_rcu();  or  call_rcu(&old->rcu, free_old);
 *						kfree(old);
 *
 * Grace periods are numbered: gp_seq is even while none runs and odd while one does (it goes up
 * by one at each start and each end). Callbacks queued on a CPU wait for the gp_seq value at
 * which a whole grace period has passed since they were queued; many callbacks share one grace
 * period. docs/rcu.md explains the machinery and how to watch it (`rcu` in the shell).
 */
#ifndef KERNEL_RCU_RCU_H
#define KERNEL_RCU_RCU_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/preempt.h"
#include "kernel/cpumask.h"
#include "lib/compiler.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
	uint64_t gp_wait; /* gp_seq at which it may run */
};

void rcu_read_unlock_underflow(void); /* kernel/rcu/rcu.c: panics */

/*
 * Read-side critical sections nest; each lock needs its unlock on the same CPU. A section
 * holds off preemption and counts its depth, and the read side must cost next to nothing or
 * readers lose what RCU is for. So struct cpu keeps the preempt count and rcu_read_nesting in
 * one 64-bit word (low half, high half; kernel/percpu.h) and each side is a single
 * %gs-relative add or sub of RCU_READ_ONE, which moves both counters by one.
 *
 * The unlock then needs one branch for its two checks. The sub borrows (carry set) only when
 * the nesting count was 0: an unlock without a lock. It gives 0 only when the preempt count
 * reaches 0 with a switch pending (PREEMPT_NO_RESCHED clear, kernel/preempt.h): the moment
 * preempt_enable() would switch. "Below or equal" is carry or zero. Inside a section the
 * preempt count is at least 1, so no other value can borrow or give 0.
 */
#define RCU_READ_ONE ((1ULL << 32) | 1)

static inline int rcu_read_nesting(void)
{
	int n;

	__gs_read(rcu_read_nesting, n);
	return n;
}
_Static_assert(offsetof(struct cpu, preempt_count) % 8 == 0 &&
		       offsetof(struct cpu, rcu_read_nesting) ==
			       offsetof(struct cpu, preempt_count) + 4,
	       "rcu_read_lock() needs preempt_count and rcu_read_nesting in one 64-bit word");

/*
 * rcu_read_lock: begins a read-side section: no grace period that begins after this can end
 * before the matching rcu_read_unlock(). Disables preemption; the section may not sleep. Nests.
 * Any context.
 */
static inline void rcu_read_lock(void)
{
	__asm__ __volatile__("addq %0, %%gs:%c1"
			     :
			     : "r"(RCU_READ_ONE), "i"(offsetof(struct cpu, preempt_count))
			     : "memory", "cc");
	if (unlikely(preempt_tracing()))
		trace_preempt_off();
}

/*
 * rcu_read_unlock: ends the innermost section; at the outermost one, preemption is enabled
 * again and a pending switch happens now. Panics on an unlock without a lock.
 */
static inline void rcu_read_unlock(void)
{
	if (unlikely(preempt_tracing()))
		trace_preempt_on();
	__asm__ goto("subq %0, %%gs:%c1\n\t"
		     "jbe %l[slow]"
		     :
		     : "r"(RCU_READ_ONE), "i"(offsetof(struct cpu, preempt_count))
		     : "memory", "cc"
		     : slow);
	return;
slow:
	if (unlikely(rcu_read_nesting() < 0))
		rcu_read_unlock_underflow();
	else
		preempt_schedule(); /* an expedited grace period may be waiting for this switch */
}

static inline bool rcu_read_lock_held(void)
{
	return rcu_read_nesting() > 0;
}

/*
 * An RCU-protected pointer is declared `T __rcu *ptr` (lib/compiler.h). For sparse (`make check`)
 * it lives in its own address space: a plain read, write or dereference of it is a warning, and
 * only the accessors below cross over, each with __force. The compilers see plain pointers.
 *
 * rcu_check_sparse(ptr) warns when ptr is not an __rcu pointer: comparing it with itself cast
 * into __rcu mixes two address spaces. The compilers get nothing (ptr is not evaluated twice).
 */
#ifdef __CHECKER__
#define rcu_check_sparse(ptr) ((void)((__typeof__(*(ptr)) __rcu *)(ptr) == (ptr)))
#else
#define rcu_check_sparse(ptr) ((void)0)
#endif

/*
 * rcu_assign_pointer: publishes v in ptr: every store that initialised *v is visible before the
 * pointer is (a release store; pairs with the load in rcu_dereference). Updaters hold the lock
 * that orders them. A statement, not an expression.
 */
#define rcu_assign_pointer(ptr, v)                                                                 \
	do {                                                                                       \
		rcu_check_sparse(ptr);                                                             \
		__atomic_store_n(&(ptr), (__typeof__(*(ptr)) __force __rcu *)(v),                  \
				 __ATOMIC_RELEASE);                                                \
	} while (0)

/*
 * rcu_dereference: reads a pointer published with rcu_assign_pointer, once (the compiler may
 * not read it again), with a dependency-ordered (consume) load that pairs with the assign's
 * release: the fields read through the result are those stored before publication. Inside
 * rcu_read_lock(); the result is a plain pointer, valid until rcu_read_unlock().
 */
#define rcu_dereference(ptr)                                                                       \
	({                                                                                         \
		rcu_check_sparse(ptr);                                                             \
		(__typeof__(*(ptr)) __force *)__atomic_load_n(&(ptr), __ATOMIC_CONSUME);           \
	})

/*
 * rcu_dereference_protected: the updater's read of an __rcu pointer, where the lock that
 * orders updates is held, so the pointer cannot change under it. A plain load, no ordering.
 * held names that lock (or why none is needed) for the reader; it is not evaluated.
 */
#define rcu_dereference_protected(ptr, held)                                                       \
	({                                                                                         \
		rcu_check_sparse(ptr);                                                             \
		(void)sizeof(held);                                                                \
		(__typeof__(*(ptr)) __force *)(ptr);                                               \
	})

/* The contracts stand above the definitions in kernel/rcu/rcu.c. */
void synchronize_rcu(void);
void synchronize_rcu_expedited(void);
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void rcu_barrier(void);

/* kernel/sched/core.c and kernel/tick.c report quiescent states through these. */
void rcu_note_context_switch(void); /* also the idle loop's report */
/* The tick: quiescent is true when the interrupted code had preemption enabled. */
void rcu_tick(bool quiescent);

/* Creates the grace-period and callback threads (after the scheduler and the CPUs are up). */
void rcu_init(void);

/* Callbacks one CPU may hold before call_rcu() asks for a grace period itself. */
#define RCU_LAZY_MAX 1000

struct rcu_stats {
	uint64_t gp_seq;       /* the current sequence number */
	uint64_t gp_requested; /* the highest gp_seq somebody has asked for */
	uint64_t gp_completed; /* grace periods finished */
	uint64_t gp_expedited; /* of those, expedited */
	uint64_t gp_vacuous;   /* of those, passed at once: synchronize_rcu with one CPU online */
	uint64_t last_gp_ns;   /* how long the last one took */
	uint64_t max_gp_ns;
	uint64_t stalls;	   /* stall warnings printed */
	struct cpumask stall_cpus; /* the CPUs the last stall warning named */
	uint64_t cbs_invoked;
	uint64_t tick_requests; /* grace periods a tick asked for on behalf of call_rcu() */
};
struct rcu_stats rcu_get_stats(void);
/* Callbacks queued on cpu and not yet run. */
uint64_t rcu_cbs_pending(unsigned int cpu);

/* A grace period running longer than ms prints a stall warning (again every ms while it
   lasts), naming the CPUs that hold it up with their backtraces. 0 restores the default
   (10 s). Returns the previous value. */
unsigned int rcu_set_stall_timeout_ms(unsigned int ms);

#endif
