/* Ticket spinlocks (see kernel/locking/spinlock.h). Takes no other lock. */
#include "kernel/locking/spinlock.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/atomic.h"

/* Makes l unlocked; name shows in the self-deadlock panics. */
void spin_lock_init(spinlock_t *l, const char *name)
{
	*l = (spinlock_t)SPINLOCK_INIT(name);
}

/* True when this CPU holds l (for assertions); a lock another CPU holds reads false. */
bool spin_held_by_me(spinlock_t *l)
{
	return READ_ONCE(l->holder) == (int)smp_processor_id() + 1;
}

static void note_holder(spinlock_t *l, const void *pc)
{
	l->holder = (int)smp_processor_id() + 1;
	l->holder_pc = pc;
}

/*
 * Takes l, spinning until the CPUs that asked first have had it (FIFO by ticket). Disables
 * preemption until spin_unlock; the caller must not sleep meanwhile. Any context; a lock an
 * interrupt handler also takes needs spin_lock_irqsave. Panics if this CPU already holds l.
 */
void spin_lock(spinlock_t *l)
{
	const void *pc = __builtin_return_address(0);
	uint16_t ticket;

	preempt_disable();
	if (unlikely(spin_held_by_me(l)))
		panic("spinlock %s: CPU %u takes it again at %p; it took it at %p (self-deadlock)",
		      l->name ? l->name : "?", smp_processor_id(), pc, l->holder_pc);
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	/* Acquire: pairs with the smp_store_release() in spin_unlock(): what the last holder
	   wrote inside the lock is visible once we see owner reach our ticket. */
	while (smp_load_acquire(&l->owner) != ticket)
		cpu_relax();
	note_holder(l, pc);
}

/* Takes l only if nobody holds or waits for it: true (preemption off, as spin_lock), or false
   at once (preemption as it was). Never spins. */
bool spin_trylock(spinlock_t *l)
{
	uint16_t owner;

	preempt_disable();
	owner = READ_ONCE(l->owner);
	/* Free when next == owner: take ticket `owner` by moving next past it, atomically. The
	   acquire pairs with the smp_store_release() in spin_unlock(), as spin_lock's load does. */
	if (READ_ONCE(l->next) == owner &&
	    __atomic_compare_exchange_n(&l->next, &owner, (uint16_t)(owner + 1), false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		note_holder(l, __builtin_return_address(0));
		return true;
	}
	preempt_enable();
	return false;
}

/* Releases l to the next ticket and enables preemption again. The caller's CPU must hold l
   (it panics otherwise). */
void spin_unlock(spinlock_t *l)
{
	if (unlikely(!spin_held_by_me(l)))
		panic("spinlock %s: CPU %u unlocks it but CPU %d holds it (-1: nobody)",
		      l->name ? l->name : "?", smp_processor_id(), l->holder - 1);
	l->holder = 0;
	l->holder_pc = NULL;
	/* Release: pairs with the smp_load_acquire() in spin_lock() and the acquiring cmpxchg in
	   spin_trylock(): our writes inside the lock are visible to the next holder. */
	smp_store_release(&l->owner, (uint16_t)(l->owner + 1));
	preempt_enable();
}

/* True when some CPU holds l or waits for it: a hint, stale as soon as it returns. */
bool spin_is_locked(spinlock_t *l)
{
	return READ_ONCE(l->owner) != READ_ONCE(l->next);
}

/* Disables interrupts on this CPU; returns the flags for local_irq_restore. */
unsigned long local_irq_save(void)
{
	unsigned long flags = read_rflags();
	local_irq_disable();
	return flags;
}

/* Enables interrupts again if flags (from local_irq_save) had them on, and then switches
   threads if a wakeup asked for it meanwhile and preemption is enabled. */
void local_irq_restore(unsigned long flags)
{
	if (!(flags & RFLAGS_IF))
		return;
	local_irq_enable();
	/* A wakeup while interrupts were off may have asked this CPU to switch threads. */
	if (unlikely(need_resched()) && preempt_count() == 0)
		preempt_schedule();
}
