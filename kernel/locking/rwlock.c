/* Reader-writer spinlocks (see kernel/locking/rwlock.h). Takes no other lock. */
#include "kernel/locking/rwlock.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/atomic.h"

#define RW_READERS (RW_WAITING - 1) /* the reader count's bits */

/* Makes l free: no reader, no writer. */
void rwlock_init(rwlock_t *l, const char *name)
{
	*l = (rwlock_t)RWLOCK_INIT(name);
}

static const char *lock_name(const rwlock_t *l)
{
	return l->name ? l->name : "?";
}

/* Panics when this CPU already writes l: whatever it takes now, it would wait for itself. */
static void check_not_writer(rwlock_t *l, const char *side, const void *pc)
{
	if (unlikely(READ_ONCE(l->holder) == (int)smp_processor_id() + 1))
		panic("rwlock %s: CPU %u takes the %s side at %p while it holds the write side, "
		      "taken at %p (self-deadlock)",
		      lock_name(l), smp_processor_id(), side, pc, l->holder_pc);
}

/* One attempt to add a reader: fails while a writer holds or waits. */
static bool try_add_reader(rwlock_t *l)
{
	uint32_t c = READ_ONCE(l->cnts);

	while (!(c & (RW_WRITER | RW_WAITING))) {
		/* On failure c is reloaded, and the loop looks at the writer bits again. Acquire:
		   pairs with the release in write_unlock(): the last writer's changes are
		   visible to this reader. */
		if (__atomic_compare_exchange_n(&l->cnts, &c, c + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Takes the read side of l, spinning while a writer holds it or waits for it. Disables
 * preemption until read_unlock; no sleeping meanwhile. The CPU must not already hold either
 * side of l (panics if it writes l; deadlocks with a waiting writer if it reads l).
 */
void read_lock(rwlock_t *l)
{
	preempt_disable();
	check_not_writer(l, "read", __builtin_return_address(0));
	while (!try_add_reader(l))
		cpu_relax();
}

/* Takes the read side only if no writer holds or waits: true (preemption off), or false at
   once. */
bool read_trylock(rwlock_t *l)
{
	preempt_disable();
	if (try_add_reader(l))
		return true;
	preempt_enable();
	return false;
}

/* Leaves the read side and enables preemption again. Panics if l has no reader. */
void read_unlock(rwlock_t *l)
{
	uint32_t c = READ_ONCE(l->cnts);

	if (unlikely(!(c & RW_READERS) || (c & RW_WRITER)))
		panic("rwlock %s: CPU %u read-unlocks it, but it has no readers (%#x)",
		      lock_name(l), smp_processor_id(), c);
	/* Release: the reader's loads are done before a writer can see the count drop. Pairs
	   with the acquiring cmpxchg in try_take_writer(). */
	__atomic_fetch_sub(&l->cnts, 1, __ATOMIC_RELEASE);
	preempt_enable();
}

/* One attempt to take the write side: only when no reader and no writer is inside. */
static bool try_take_writer(rwlock_t *l)
{
	uint32_t c = READ_ONCE(l->cnts);

	/* Taking it clears RW_WAITING; other waiting writers set it again as they spin. Acquire:
	   pairs with the releases in read_unlock() and write_unlock(): what the readers read
	   and the last writer wrote is done before we write. */
	return (c & ~RW_WAITING) == 0 &&
	       __atomic_compare_exchange_n(&l->cnts, &c, RW_WRITER, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void note_writer(rwlock_t *l, const void *pc)
{
	l->holder = (int)smp_processor_id() + 1;
	l->holder_pc = pc;
}

/*
 * Takes the write side of l, alone: spins until readers and any writer are gone, keeping new
 * readers out meanwhile (RW_WAITING). Disables preemption until write_unlock; no sleeping
 * meanwhile. Panics if this CPU already writes l; must not be called while it reads l.
 */
void write_lock(rwlock_t *l)
{
	const void *pc = __builtin_return_address(0);

	preempt_disable();
	check_not_writer(l, "write", pc);
	while (!try_take_writer(l)) {
		if (!(READ_ONCE(l->cnts) & RW_WAITING))
			__atomic_fetch_or(&l->cnts, RW_WAITING, __ATOMIC_RELAXED);
		cpu_relax();
	}
	note_writer(l, pc);
}

/* Takes the write side only if nobody is inside: true (preemption off), or false at once. */
bool write_trylock(rwlock_t *l)
{
	preempt_disable();
	if (try_take_writer(l)) {
		note_writer(l, __builtin_return_address(0));
		return true;
	}
	preempt_enable();
	return false;
}

/* Leaves the write side and enables preemption again. Panics unless this CPU writes l. */
void write_unlock(rwlock_t *l)
{
	if (unlikely(READ_ONCE(l->holder) != (int)smp_processor_id() + 1))
		panic("rwlock %s: CPU %u write-unlocks it but CPU %d writes it (-1: nobody)",
		      lock_name(l), smp_processor_id(), l->holder - 1);
	l->holder = 0;
	l->holder_pc = NULL;
	/* Only RW_WRITER goes: a RW_WAITING set meanwhile keeps readers out for the next writer.
	   Release: pairs with the acquiring cmpxchg in try_add_reader() and try_take_writer(). */
	__atomic_fetch_and(&l->cnts, ~RW_WRITER, __ATOMIC_RELEASE);
	preempt_enable();
}
