/*
 * Running a function on other CPUs (smp_call_function_*), by IPI.
 *
 * Each CPU has a queue of requests addressed to it, under a spinlock taken with interrupts off
 * (the IPI handler takes it too). A sender owns one request slot per target CPU in its own
 * per-CPU data: it fills the slot, queues it on the target, sends CALL_FUNCTION_VECTOR, and (to
 * wait) spins until the target clears the slot's busy flag after running the function. A slot
 * still busy from an earlier call without wait is waited for before reuse.
 *
 * Deadlock rule: a CPU waiting for another must keep interrupts enabled, or two CPUs calling each
 * other would each wait for the other forever; smp_call_function_* panic when called with
 * interrupts off.
 *
 * Lock order: only one lock (a target's queue lock) is ever held at a time.
 */
#include "kernel/smp.h"
#include "kernel/locking/spinlock.h"
#include "kernel/preempt.h"
#include "kernel/panic.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/list.h"

struct call_request {
	struct list_head node;
	void (*fn)(void *);
	void *info;
	int busy; /* 1 from queueing until fn has returned on the target */
};

struct call_queue {
	spinlock_t lock;
	struct list_head requests;
};

/* Requests addressed to this CPU, and the slots this CPU sends from (one per target). */
static DEFINE_PER_CPU(struct call_queue, call_queue);
static DEFINE_PER_CPU(struct call_request[NR_CPUS], call_slots);

static void call_function_interrupt(struct trap_frame *f)
{
	struct call_queue *q = this_cpu_ptr(&call_queue);
	struct call_request *r, *n;
	LIST_HEAD(todo);

	(void)f;
	this_cpu()->ipis++;
	this_cpu()->irq_call_count++;
	lapic_eoi();
	/* Take the whole queue, so the functions run without the lock. */
	spin_lock(&q->lock);
	list_splice_init(&q->requests, &todo);
	spin_unlock(&q->lock);
	list_for_each_entry_safe(r, n, &todo, node) {
		void (*fn)(void *) = r->fn;
		void *info = r->info;
		fn(info);
		/* r may be reused by its sender from here on. The release orders fn's effects
		   before the 0: pairs with the smp_load_acquire() of busy in wait_done() (the
		   caller sees what fn did) and in queue_call() (the next use of r). */
		smp_store_release(&r->busy, 0);
	}
}

/* Queues a request on cpu from this CPU's slot for it and sends the IPI. */
static struct call_request *queue_call(unsigned int cpu, void (*fn)(void *), void *info)
{
	struct call_request *r = &(*this_cpu_ptr(&call_slots))[cpu];
	struct call_queue *q = per_cpu_ptr(&call_queue, cpu);
	unsigned long flags;

	/* Pairs with the smp_store_release() of 0 in the IPI handler: the last call through this
	   slot has finished with r before it is filled again. */
	while (smp_load_acquire(&r->busy))
		cpu_relax();
	r->fn = fn;
	r->info = info;
	r->busy = 1;
	spin_lock_irqsave(&q->lock, flags);
	list_add_tail(&r->node, &q->requests);
	spin_unlock_irqrestore(&q->lock, flags);
	lapic_send_ipi(per_cpu(cpu_info, cpu).apic_id, CALL_FUNCTION_VECTOR);
	return r;
}

static void wait_done(struct call_request *r)
{
	/* Pairs with the smp_store_release() of 0 in the IPI handler, after fn returned. */
	while (smp_load_acquire(&r->busy))
		cpu_relax();
}

static void check_callable(void)
{
	if (!(read_rflags() & RFLAGS_IF))
		panic("smp_call_function with interrupts disabled (would deadlock)");
}

/*
 * Runs fn(info) on CPU cpu, directly when it is this CPU (with interrupts off, as an IPI handler
 * would), else by IPI. With wait, returns once fn has finished there; without, info must stay
 * valid until fn has run. Requires interrupts enabled: a CPU spinning with interrupts off
 * cannot answer another CPU's call to it (check_callable panics otherwise). Does not sleep.
 * Returns 0, or -EINVAL for a CPU that is not online.
 */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *info, bool wait)
{
	struct call_request *r;
	unsigned long flags;

	if (!cpu_online(cpu))
		return -EINVAL;
	check_callable();
	preempt_disable();
	if (cpu == smp_processor_id()) {
		flags = local_irq_save();
		fn(info);
		local_irq_restore(flags);
		preempt_enable();
		return 0;
	}
	r = queue_call(cpu, fn, info);
	if (wait)
		wait_done(r);
	preempt_enable();
	return 0;
}

/* Queues fn on every online CPU of mask but this one. */
static void call_many(const struct cpumask *mask, void (*fn)(void *), void *info)
{
	unsigned int cpu, me = smp_processor_id();

	for_each_cpu(cpu, mask) {
		if (cpu != me && cpu_online(cpu))
			queue_call(cpu, fn, info);
	}
}

/* Waits until every call this CPU queued on the CPUs of mask has run. */
static void wait_many(const struct cpumask *mask)
{
	unsigned int cpu, me = smp_processor_id();

	for_each_cpu(cpu, mask) {
		if (cpu != me && cpu_online(cpu))
			wait_done(&(*this_cpu_ptr(&call_slots))[cpu]);
	}
}

/*
 * Runs fn(info) on every online CPU in mask except this one, by IPI; with wait, returns once
 * all of them have finished. The same requirements as smp_call_function_single(). A CPU that
 * is not online is skipped.
 */
void smp_call_function_many(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait)
{
	check_callable();
	preempt_disable();
	call_many(mask, fn, info);
	if (wait)
		wait_many(mask);
	preempt_enable();
}

/*
 * Runs fn(info) on every online CPU in mask, this one included if it is in mask: the others get
 * their IPIs first, so this CPU's share runs while theirs do, with interrupts off as theirs.
 * With wait, returns once all have finished. Requirements as smp_call_function_single().
 */
void on_each_cpu_mask(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait)
{
	unsigned long flags;

	check_callable();
	preempt_disable();
	call_many(mask, fn, info);
	/* Our own share runs while the others run theirs, as theirs does: interrupts off. */
	if (cpumask_test_cpu(smp_processor_id(), mask)) {
		flags = local_irq_save();
		fn(info);
		local_irq_restore(flags);
	}
	if (wait)
		wait_many(mask);
	preempt_enable();
}

/* on_each_cpu_mask() over every online CPU. */
void on_each_cpu(void (*fn)(void *), void *info, bool wait)
{
	on_each_cpu_mask(&cpu_online_mask, fn, info, wait);
}

/* Sets up this CPU's queue of incoming calls; each CPU runs it before it goes online. */
void smp_call_init_cpu(void)
{
	struct call_queue *q = this_cpu_ptr(&call_queue);

	spin_lock_init(&q->lock, "call_queue");
	INIT_LIST_HEAD(&q->requests);
	if (smp_processor_id() == 0)
		idt_set_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
}
