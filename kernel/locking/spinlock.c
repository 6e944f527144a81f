/* Ticket spinlocks (see kernel/locking/spinlock.h). */
#include "kernel/locking/spinlock.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/atomic.h"

void spin_lock_init(spinlock_t *l, const char *name)
{
	*l = (spinlock_t)SPINLOCK_INIT(name);
}

bool spin_held_by_me(spinlock_t *l)
{
	return READ_ONCE(l->holder) == (int)smp_processor_id() + 1;
}

static void note_holder(spinlock_t *l, const void *pc)
{
	l->holder = (int)smp_processor_id() + 1;
	l->holder_pc = pc;
}

void spin_lock(spinlock_t *l)
{
	const void *pc = __builtin_return_address(0);
	uint16_t ticket;

	preempt_disable();
	if (unlikely(spin_held_by_me(l)))
		panic("spinlock %s: CPU %u takes it again at %p; it took it at %p (self-deadlock)",
		      l->name ? l->name : "?", smp_processor_id(), pc, l->holder_pc);
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (smp_load_acquire(&l->owner) != ticket)
		cpu_relax();
	note_holder(l, pc);
}

bool spin_trylock(spinlock_t *l)
{
	uint16_t owner;

	preempt_disable();
	owner = READ_ONCE(l->owner);
	/* Free when next == owner: take ticket `owner` by moving next past it, atomically. */
	if (READ_ONCE(l->next) == owner &&
	    __atomic_compare_exchange_n(&l->next, &owner, (uint16_t)(owner + 1), false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		note_holder(l, __builtin_return_address(0));
		return true;
	}
	preempt_enable();
	return false;
}

void spin_unlock(spinlock_t *l)
{
	if (unlikely(!spin_held_by_me(l)))
		panic("spinlock %s: CPU %u unlocks it but CPU %d holds it (-1: nobody)",
		      l->name ? l->name : "?", smp_processor_id(), l->holder - 1);
	l->holder = 0;
	l->holder_pc = NULL;
	smp_store_release(&l->owner, (uint16_t)(l->owner + 1));
	preempt_enable();
}

bool spin_is_locked(spinlock_t *l)
{
	return READ_ONCE(l->owner) != READ_ONCE(l->next);
}

unsigned long local_irq_save(void)
{
	unsigned long flags = read_rflags();
	local_irq_disable();
	return flags;
}

void local_irq_restore(unsigned long flags)
{
	if (!(flags & RFLAGS_IF))
		return;
	local_irq_enable();
	/* A wakeup while interrupts were off may have asked this CPU to switch threads. */
	if (unlikely(need_resched()) && preempt_count() == 0)
		preempt_schedule();
}
