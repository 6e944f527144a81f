/* Reader-writer spinlocks (see kernel/locking/rwlock.h). */
#include "kernel/locking/rwlock.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/atomic.h"

#define RW_READERS (RW_WAITING - 1) /* the reader count's bits */

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
		/* On failure c is reloaded, and the loop looks at the writer bits again. */
		if (__atomic_compare_exchange_n(&l->cnts, &c, c + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

void read_lock(rwlock_t *l)
{
	preempt_disable();
	check_not_writer(l, "read", __builtin_return_address(0));
	while (!try_add_reader(l))
		cpu_relax();
}

bool read_trylock(rwlock_t *l)
{
	preempt_disable();
	if (try_add_reader(l))
		return true;
	preempt_enable();
	return false;
}

void read_unlock(rwlock_t *l)
{
	uint32_t c = READ_ONCE(l->cnts);

	if (unlikely(!(c & RW_READERS) || (c & RW_WRITER)))
		panic("rwlock %s: CPU %u read-unlocks it, but it has no readers (%#x)",
		      lock_name(l), smp_processor_id(), c);
	/* Release: the reader's loads are done before a writer can see the count drop. */
	__atomic_fetch_sub(&l->cnts, 1, __ATOMIC_RELEASE);
	preempt_enable();
}

/* One attempt to take the write side: only when no reader and no writer is inside. */
static bool try_take_writer(rwlock_t *l)
{
	uint32_t c = READ_ONCE(l->cnts);

	/* Taking it clears RW_WAITING; other waiting writers set it again as they spin. */
	return (c & ~RW_WAITING) == 0 &&
	       __atomic_compare_exchange_n(&l->cnts, &c, RW_WRITER, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void note_writer(rwlock_t *l, const void *pc)
{
	l->holder = (int)smp_processor_id() + 1;
	l->holder_pc = pc;
}

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

void write_unlock(rwlock_t *l)
{
	if (unlikely(READ_ONCE(l->holder) != (int)smp_processor_id() + 1))
		panic("rwlock %s: CPU %u write-unlocks it but CPU %d writes it (-1: nobody)",
		      lock_name(l), smp_processor_id(), l->holder - 1);
	l->holder = 0;
	l->holder_pc = NULL;
	/* Only RW_WRITER goes: a RW_WAITING set meanwhile keeps readers out for the next writer. */
	__atomic_fetch_and(&l->cnts, ~RW_WRITER, __ATOMIC_RELEASE);
	preempt_enable();
}
