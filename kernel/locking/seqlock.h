/*
 * Sequence locks: writers exclude each other with a spinlock and bump a counter before and
 * after each change; readers take no lock, read the counter, do their reads, and retry when
 * the counter was odd (a change in progress) or moved (a change happened meanwhile).
 *
 *	do {
 *		seq = read_seqbegin(&rename_lock);
 *		... read what writers change ...
 *	} while (read_seqretry(&rename_lock, seq));
 *
 * Good for data that is read very often and changed rarely (the dentry tree's shape, the mount
 * tree): readers never write a shared cache line, so they scale across CPUs. A reader that must
 * not loop forever takes the lock itself after a few tries (read_seqlock_excl).
 */
#ifndef KERNEL_LOCKING_SEQLOCK_H
#define KERNEL_LOCKING_SEQLOCK_H

#include <stdbool.h>
#include "arch/x86_64/cpu.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"
#include "lib/compiler.h"

typedef struct seqlock {
	unsigned int sequence; /* odd while a writer is inside */
	spinlock_t lock;
} seqlock_t;

#define SEQLOCK_INIT(name)   { 0, SPINLOCK_INIT(name) }
#define DEFINE_SEQLOCK(x)    seqlock_t x = SEQLOCK_INIT(#x)

/* The counter once no writer is inside; the reads that follow are ordered after this load. */
static inline unsigned int read_seqbegin(const seqlock_t *s)
{
	unsigned int seq;

	while ((seq = READ_ONCE(s->sequence)) & 1)
		cpu_relax();
	/* Pairs with the smp_wmb() in write_sequnlock(): seeing its even count, we see the
	   changes it made before it. */
	smp_rmb();
	return seq;
}

/* True when a writer ran since read_seqbegin returned seq: the reads may be torn, retry. */
static inline bool read_seqretry(const seqlock_t *s, unsigned int seq)
{
	/* Pairs with the smp_wmb() in write_seqlock(): if our reads saw any of a writer's
	   changes, this load sees at least its odd count, and we retry. */
	smp_rmb();
	return READ_ONCE(s->sequence) != seq;
}

/* Begins a change: excludes other writers (a spinlock: preemption off, no sleeping) and makes
   the count odd so that readers retry. */
static inline void write_seqlock(seqlock_t *s)
{
	spin_lock(&s->lock);
	WRITE_ONCE(s->sequence, s->sequence + 1);
	/* The odd count is visible before any change: pairs with the smp_rmb() in
	   read_seqretry(). */
	smp_wmb();
}

/* Ends the change write_seqlock began: the count is even again, the spinlock released. */
static inline void write_sequnlock(seqlock_t *s)
{
	/* Every change is visible before the even count: pairs with the smp_rmb() in
	   read_seqbegin(). */
	smp_wmb();
	WRITE_ONCE(s->sequence, s->sequence + 1);
	spin_unlock(&s->lock);
}

/* A reader that excludes writers instead of retrying (it does not move the counter). */
static inline void read_seqlock_excl(seqlock_t *s)
{
	spin_lock(&s->lock);
}

static inline void read_sequnlock_excl(seqlock_t *s)
{
	spin_unlock(&s->lock);
}

#endif
