/*
 * Ticket spinlocks: fair (CPUs get the lock in the order they asked) and small. A CPU takes a
 * ticket by atomically incrementing `next`, then spins until `owner` reaches its ticket; unlock
 * hands the lock on by incrementing `owner`. Holding a spinlock disables preemption; the _irqsave
 * forms also disable interrupts, for locks that an interrupt handler takes too.
 *
 * Debugging: the holder's CPU and the caller's address are recorded. Taking a lock this CPU
 * already holds would spin forever, so it panics with both places instead.
 */
#ifndef KERNEL_LOCKING_SPINLOCK_H
#define KERNEL_LOCKING_SPINLOCK_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/compiler.h"

typedef struct spinlock {
	uint16_t owner;	  /* the ticket being served */
	uint16_t next;	  /* the next ticket to hand out */
	int holder;	  /* the holding CPU + 1; 0 when free, so a zeroed lock is unlocked */
	const void *holder_pc;
	const char *name;
} spinlock_t;

#define SPINLOCK_INIT(n) { .owner = 0, .next = 0, .holder = 0, .holder_pc = NULL, .name = n }
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

void spin_lock_init(spinlock_t *l, const char *name);
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
bool spin_is_locked(spinlock_t *l);
bool spin_held_by_me(spinlock_t *l); /* for assertions */

/* Saves the interrupt flag, disables interrupts, then locks. */
#define spin_lock_irqsave(l, flags)                   \
	do {                                          \
		(flags) = local_irq_save();           \
		spin_lock(l);                         \
	} while (0)
#define spin_unlock_irqrestore(l, flags)              \
	do {                                          \
		spin_unlock(l);                       \
		local_irq_restore(flags);             \
	} while (0)

unsigned long local_irq_save(void);
void local_irq_restore(unsigned long flags);

#endif
