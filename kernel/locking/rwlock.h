/*
 * Reader-writer spinlocks: any number of readers at once, or one writer alone. They are kept
 * for the "before" variant of the aio context lookup (lookup_ioctx_rwlock): Linux looked its
 * aio contexts up under a reader-writer lock (mm->ioctx_list_lock) until 2.6.29 ("aio: make
 * the lookup_ioctx() lockless" moved the readers to RCU), and the benchmarks compare the two.
 * New code with many readers should prefer RCU; with few readers, a spinlock is simpler and
 * no slower.
 *
 * The whole lock state is one 32-bit word:
 *
 *	bit 31		RW_WRITER	a writer holds the lock
 *	bit 30		RW_WAITING	a writer waits for the readers to leave
 *	bits 0..29	readers inside
 *
 * A reader gets in by adding one, but only while neither writer bit is set. A writer takes the
 * lock by moving the word from "nobody" (0, or RW_WAITING alone) to RW_WRITER; while readers
 * are inside it sets RW_WAITING, which keeps new readers out, so a stream of readers cannot
 * starve it. Writers are preferred: readers can be starved by a stream of writers instead.
 *
 * Rules: a CPU must not take the read side of a lock it already reads (a writer waiting in
 * between would deadlock both), nor the write side while it reads (nobody can upgrade). Holding
 * either side disables preemption; the _irqsave forms also disable interrupts, for a lock an
 * interrupt handler takes too. The writer's CPU and the caller's address are recorded: a CPU
 * taking either side of a lock it holds for writing panics instead of spinning forever.
 */
#ifndef KERNEL_LOCKING_RWLOCK_H
#define KERNEL_LOCKING_RWLOCK_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/locking/spinlock.h"

#define RW_WRITER  (1u << 31)
#define RW_WAITING (1u << 30)

typedef struct rwlock {
	uint32_t cnts; /* RW_WRITER | RW_WAITING | readers */
	int holder;    /* the writing CPU + 1; 0 when no writer holds it */
	const void *holder_pc;
	const char *name;
} rwlock_t;

#define RWLOCK_INIT(n)	 { .cnts = 0, .holder = 0, .holder_pc = NULL, .name = n }
#define DEFINE_RWLOCK(x) rwlock_t x = RWLOCK_INIT(#x)

void rwlock_init(rwlock_t *l, const char *name);
void read_lock(rwlock_t *l);
void read_unlock(rwlock_t *l);
void write_lock(rwlock_t *l);
void write_unlock(rwlock_t *l);
bool read_trylock(rwlock_t *l);
bool write_trylock(rwlock_t *l);

#define read_lock_irqsave(l, flags)          \
	do {                                 \
		(flags) = local_irq_save();  \
		read_lock(l);                \
	} while (0)
#define read_unlock_irqrestore(l, flags)     \
	do {                                 \
		read_unlock(l);              \
		local_irq_restore(flags);    \
	} while (0)
#define write_lock_irqsave(l, flags)         \
	do {                                 \
		(flags) = local_irq_save();  \
		write_lock(l);               \
	} while (0)
#define write_unlock_irqrestore(l, flags)    \
	do {                                 \
		write_unlock(l);             \
		local_irq_restore(flags);    \
	} while (0)

#endif
