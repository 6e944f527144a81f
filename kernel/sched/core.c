/*
 * The scheduler (see kernel/sched/sched.h): per-CPU run queues, the switch, wakeups and migration.
 *
 * Lock order: a run queue lock is taken with interrupts off and is the innermost lock of the
 * kernel (wait queue locks, the timeout list lock and mutex wait locks are taken before it).
 * Two run queue locks are taken together only by double_rq_lock(), lower CPU number first.
 *
 * The switch: __schedule() takes this CPU's run queue lock and keeps it across switch_stack();
 * the thread switched in releases it (finish_switch). Holding the lock across the switch means
 * nobody else can see the run queue half-updated, and a thread put on a queue cannot be picked
 * by another CPU before its registers are saved: a thread leaves its CPU only through its own
 * CPU's queue, and that queue stays locked until the switch is over.
 */
#include "kernel/sched/sched.h"
#include "kernel/locking/spinlock.h"
#include "kernel/smp.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/tick.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "lib/printf.h"
#include "arch/x86_64/switch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/tsc.h"
#include "lib/string.h"
#include "lib/errno.h"

struct rq {
	spinlock_t lock;
	struct list_head queue; /* runnable threads waiting for this CPU, in FIFO order */
	struct thread *curr;
	struct thread *idle;
	struct thread *last;	/* the thread switched out, for finish_switch() */
	struct thread *migrate; /* the thread switched out to move to another CPU, or NULL */
	unsigned int nr_running; /* queued + running, idle not counted */
	unsigned int balance_ticks;
	struct sched_stats stats;
};

static DEFINE_PER_CPU(struct rq, runqueue);
static DEFINE_PER_CPU(struct thread, idle_thread);
static struct thread main_thread;
bool sched_running;

static struct rq *cpu_rq(unsigned int cpu)
{
	return per_cpu_ptr(&runqueue, cpu);
}

static struct rq *this_rq(void)
{
	return this_cpu_ptr(&runqueue);
}

static void set_need_resched(unsigned int cpu)
{
	WRITE_ONCE(per_cpu(cpu_info, cpu).need_resched, true);
}

/* Makes cpu look at its queue soon: at once if it idles, else at its next tick or switch. */
static void resched_cpu(unsigned int cpu)
{
	struct rq *rq = cpu_rq(cpu);

	if (!READ_ONCE(rq->curr) || !READ_ONCE(rq->curr)->is_idle)
		return; /* a busy CPU finds the new thread when the running one's slice ends */
	set_need_resched(cpu);
	if (cpu != smp_processor_id())
		lapic_send_ipi(per_cpu(cpu_info, cpu).apic_id, RESCHEDULE_VECTOR);
}

/* Makes cpu switch threads at its next chance, busy or not: the first preempt_enable() to 0
   (this CPU folds the request into its count now; another one at its IPI's exit). */
static void resched_cpu_now(unsigned int cpu)
{
	set_need_resched(cpu);
	if (cpu != smp_processor_id())
		lapic_send_ipi(per_cpu(cpu_info, cpu).apic_id, RESCHEDULE_VECTOR);
	else
		fold_need_resched();
}

/*
 * sched_set_wake_preempt - from now on a wakeup of t puts it at the head of its CPU's queue and
 * makes that CPU switch at once, at the first point where preemption is on, as a woken
 * real-time thread preempts in Linux. Without it a busy CPU runs a woken thread only when the
 * running one's slice ends. For the measurements of wake-up latency (bench unmap_latency):
 * the time to that switch is how long the CPU kept preemption off.
 */
void sched_set_wake_preempt(struct thread *t, bool on)
{
	WRITE_ONCE(t->wake_preempt, on);
}

/* Locks the run queue t belongs to; retries if t moves meanwhile. Interrupts must be off. */
static struct rq *lock_thread_rq(struct thread *t)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct rq *rq = cpu_rq(cpu);

		spin_lock(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		spin_unlock(&rq->lock);
	}
}

static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a > b) {
		struct rq *t = a;
		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	spin_lock(&b->lock);
}

/* Queues a runnable thread that is on no queue, on CPU cpu (its queue locked). */
static void enqueue(struct rq *rq, unsigned int cpu, struct thread *t)
{
	if (t->cpu != cpu)
		t->nr_migrations++;
	WRITE_ONCE(t->cpu, cpu);
	t->on_rq = true;
	if (unlikely(t->wake_preempt))
		list_add(&t->run_node, &rq->queue);
	else
		list_add_tail(&t->run_node, &rq->queue);
	rq->nr_running++;
}

/* Puts t (runnable, on no queue, on no CPU) on cpu's queue and pokes that CPU. */
static void activate_on(struct thread *t, unsigned int cpu)
{
	struct rq *rq = cpu_rq(cpu);

	spin_lock(&rq->lock);
	enqueue(rq, cpu, t);
	if (unlikely(t->wake_preempt))
		resched_cpu_now(cpu);
	else
		resched_cpu(cpu);
	spin_unlock(&rq->lock);
}

/* The online CPU with the fewest threads: where a new unbound thread starts. */
static unsigned int least_loaded_cpu(void)
{
	unsigned int cpu, best = smp_processor_id();

	for_each_cpu(cpu, &cpu_online_mask)
		if (READ_ONCE(cpu_rq(cpu)->nr_running) < READ_ONCE(cpu_rq(best)->nr_running))
			best = cpu;
	return best;
}

/*
 * Puts a new thread (THREAD_RUNNING, on no queue) on a run queue: its bound CPU's, or the least
 * loaded online CPU's. Any context; takes that run queue's lock with interrupts off.
 */
void sched_enqueue_new(struct thread *t)
{
	unsigned long flags = local_irq_save();

	activate_on(t, t->bound_cpu >= 0 ? (unsigned int)t->bound_cpu : least_loaded_cpu());
	local_irq_restore(flags);
}

/*
 * Makes t runnable if it is THREAD_SLEEPING: queues it on its CPU (its bound CPU, if any) and
 * pokes that CPU. Any context, interrupt handlers included; the caller may hold wait queue,
 * timeout or mutex locks (not a run queue lock). Returns true if it woke t, false if t was
 * not sleeping.
 */
bool wake_up_process(struct thread *t)
{
	unsigned long flags = local_irq_save();
	/* The run queue lock's locked increment (spin_lock) is a full barrier on x86: it pairs
	   with the smp_mb() in set_current_state(). The caller's store that made the sleeper's
	   condition true comes before our read of t->state, so either the sleeper sees the
	   condition, or we see it SLEEPING and wake it. */
	struct rq *rq = lock_thread_rq(t);
	bool queue_it;

	if (t->state != THREAD_SLEEPING) {
		spin_unlock(&rq->lock);
		local_irq_restore(flags);
		return false;
	}
	t->state = THREAD_RUNNING;
	/* Still on its CPU (it set SLEEPING but has not switched out yet): it will see RUNNING in
	   __schedule() and stay. Otherwise it is on no queue and nobody else will queue it. */
	queue_it = !t->on_rq;
	spin_unlock(&rq->lock);
	if (queue_it)
		activate_on(t, t->bound_cpu >= 0 ? (unsigned int)t->bound_cpu : t->cpu);
	local_irq_restore(flags);
	return true;
}

/*
 * Sets the calling thread's state, then a full barrier: the sleeper's read of its condition
 * cannot pass the store of THREAD_SLEEPING. Never sleeps itself; schedule() does.
 */
void set_current_state(enum thread_state s)
{
	current->state = s;
	/* Pairs with the full barrier of the run queue lock in wake_up_process() and with the
	   smp_mb() in kthread_stop(): the waker writes its condition, then reads our state. */
	smp_mb();
}

/* The runtime accounting done at every switch. */
static void account(struct thread *prev, struct thread *next, uint64_t now)
{
	prev->run_tsc += now - prev->start_tsc;
	next->start_tsc = now;
	next->slice = SCHED_SLICE_TICKS;
	next->nr_switches++;
}

/*
 * What happens first in a thread that was just switched in, on the CPU that switched to it
 * (which may not be the CPU it last ran on): release the run queue lock the switcher held,
 * then deal with the thread switched out: move it to its new CPU, or report it dead.
 */
static void (*finish_mm_hook)(void); /* sched_set_switch_mm */

static void finish_switch(void)
{
	struct rq *rq = this_rq();
	struct thread *last = rq->last;
	struct thread *move = rq->migrate;

	rq->migrate = NULL;
	spin_unlock(&rq->lock);
	if (finish_mm_hook)
		finish_mm_hook();
	if (move)
		activate_on(move, (unsigned int)move->bound_cpu);
	if (last && last->state == THREAD_DEAD)
		complete(&last->exited);
}

/*
 * Decides what prev does next: stay queued, sleep, move, or die. rq is locked. A preempted
 * thread stays runnable whatever its state says: it may have marked itself sleeping and been
 * preempted before it could check its wait condition, and taking it off the queue then would
 * lose the wakeup it is about to find.
 */
static void put_prev(struct rq *rq, struct thread *prev, bool preempt)
{
	if (prev->is_idle)
		return;
	if (!preempt && prev->state != THREAD_RUNNING) {
		prev->on_rq = false; /* sleeping or dead */
		rq->nr_running--;
	} else if (prev->bound_cpu >= 0 && (unsigned int)prev->bound_cpu != smp_processor_id()) {
		rq->migrate = prev; /* queued on its new CPU once it is off this one */
		rq->nr_running--;
	} else {
		list_add_tail(&prev->run_node, &rq->queue);
	}
}

static struct thread *pick_next(struct rq *rq)
{
	struct thread *next;

	if (list_empty(&rq->queue))
		return rq->idle;
	next = list_first_entry(&rq->queue, struct thread, run_node);
	list_del_init(&next->run_node);
	return next;
}

static void (*switch_mm_hook)(struct mm *prev, struct mm *next);

/*
 * mm/ registers how to move a CPU from one address space to another (load CR3, keep each mm's
 * cpumask of the CPUs running it); kernel/ never looks inside a struct mm. The switch calls fn,
 * interrupts off, when the next thread's mm differs from the previous one's; NULL stands for
 * the kernel's own page tables. finish runs after every switch, out of the run queue's lock:
 * there mm/ drops an mm a lazy CPU borrowed (Linux's mmdrop in finish_task_switch). Boot,
 * once.
 */
void sched_set_switch_mm(void (*fn)(struct mm *prev, struct mm *next), void (*finish)(void))
{
	WRITE_ONCE(finish_mm_hook, finish);
	WRITE_ONCE(switch_mm_hook, fn);
}

/*
 * What ring 3 needs of the CPU for next: the kernel stack the CPU enters on from ring 3
 * (TSS.RSP0, and the syscall entry's copy in struct cpu), and a user thread's SSE registers and
 * TLS base. The kernel never uses SSE, so the registers still hold prev's until next's load.
 */
static void switch_user_state(struct thread *prev, struct thread *next)
{
	struct cpu *c = this_cpu();

	if (prev->fpu)
		fpu_save(prev->fpu);
	if (next->stack_top && c->tss) {
		c->top_of_stack = (uint64_t)next->stack_top;
		c->tss->rsp[0] = c->top_of_stack;
	}
	if (next->fpu) {
		fpu_restore(next->fpu);
		wrmsr(MSR_FS_BASE, next->fs_base);
	}
}

/* The switch. Called with interrupts off and a preempt count of exactly 1. */
static void __schedule(bool preempt)
{
	struct rq *rq = this_rq();
	struct thread *prev = rq->curr, *next;

	rcu_note_context_switch(); /* before the run queue lock: it may wake the RCU thread */
	spin_lock(&rq->lock);
	this_cpu()->need_resched = false;
	clear_folded_resched();
	put_prev(rq, prev, preempt);
	next = pick_next(rq);
	if (next == prev) {
		prev->slice = SCHED_SLICE_TICKS;
		spin_unlock(&rq->lock);
		return;
	}
	account(prev, next, rdtsc());
	rq->stats.nr_switches++;
	rq->curr = next;
	rq->last = prev;
	this_cpu()->thread = next;
	if (prev->mm != next->mm)
		switch_mm_hook(prev->mm, next->mm); /* only mm/ makes threads with an mm */
	switch_user_state(prev, next);
	switch_stack(&prev->saved_rsp, next->saved_rsp);
	/* prev runs again here, perhaps on another CPU, switched in by whoever ran there. */
	finish_switch();
}

/*
 * Gives up the CPU: a thread that set itself THREAD_SLEEPING stays off the run queue until
 * wake_up_process(), a running one goes to the back of its queue. Returns when this thread is
 * chosen again (perhaps on another CPU). Requires preemption enabled (a preempt count of 0:
 * no spinlock held; it panics otherwise); interrupts may be on or off.
 */
void schedule(void)
{
	unsigned long flags;

	if (unlikely(preempt_count() != 0))
		panic("schedule: called by thread %s with preempt count %d (scheduling while "
		      "atomic)",
		      current->name, preempt_count());
	flags = local_irq_save();
	preempt_disable();
	__schedule(false);
	preempt_enable_no_resched();
	local_irq_restore(flags);
}

/* Lets the other runnable threads of this CPU go first; returns at once if there are none. */
void yield(void)
{
	set_need_resched(smp_processor_id());
	schedule();
}

/* The preempt_enable() that ends a section calls this when a switch is due: switches unless
   interrupts are off, a section is still open, or the caller is the idle thread. */
void preempt_schedule(void)
{
	if (!sched_running || !(read_rflags() & RFLAGS_IF) || preempt_count() != 0 ||
	    current->is_idle)
		return;
	local_irq_disable();
	preempt_disable();
	this_rq()->stats.nr_preemptions++;
	__schedule(true);
	preempt_enable_no_resched();
	local_irq_enable();
}

/* On the way out of an interrupt (arch/x86_64/idt.c calls it; interrupts are off). */
void sched_preempt_irq(void)
{
	if (!need_resched())
		return;
	/* Set by this interrupt (the tick, an IPI) or by another CPU: from now on the
	   preempt_enable() that ends a section switches (kernel/preempt.h). */
	fold_need_resched();
	if (preempt_count() != 0 || !sched_running)
		return;
	/* The idle loop switches by itself right after its HLT (this keeps its idle-time count
	   exact: it never sleeps in the middle of an interrupt). */
	if (current->is_idle)
		return;
	this_rq()->stats.nr_preemptions++;
	preempt_disable();
	__schedule(true);
	preempt_enable_no_resched();
}

/* Ends the calling thread: it is switched out for good, and the CPU that runs next completes
   its exited (kthread_join). The thread must have left its address space. Never returns. */
__noreturn void sched_exit(void)
{
	if (current->mm)
		panic("thread %s exits inside an address space: it must kthread_unuse_mm() first",
		      current->name);
	local_irq_disable();
	preempt_disable();
	current->state = THREAD_DEAD;
	__schedule(false);
	panic("sched_exit: dead thread %s was switched back in", current->name);
}

/*
 * Binds t to cpu: a queued t moves at once, a running one at its next switch, the caller
 * itself before this returns. May sleep when t is the caller. 0, or -EINVAL for a CPU that is
 * not online.
 */
int sched_set_cpu(struct thread *t, int cpu)
{
	unsigned long flags;
	struct rq *rq;
	bool move_now = false, self;

	if (cpu < 0 || !cpu_online((unsigned int)cpu))
		return -EINVAL;
	flags = local_irq_save();
	rq = lock_thread_rq(t);
	t->bound_cpu = cpu;
	self = t == current;
	if (!self && t->on_rq && rq->curr != t && t->cpu != (unsigned int)cpu) {
		list_del_init(&t->run_node); /* queued elsewhere: move it now */
		rq->nr_running--;
		move_now = true;
	} else if (!self && rq->curr == t && t->cpu != (unsigned int)cpu) {
		set_need_resched(t->cpu); /* running elsewhere: it moves at its next switch */
		lapic_send_ipi(per_cpu(cpu_info, t->cpu).apic_id, RESCHEDULE_VECTOR);
	}
	spin_unlock(&rq->lock);
	if (move_now)
		activate_on(t, (unsigned int)cpu);
	local_irq_restore(flags);
	if (self && smp_processor_id() != (unsigned int)cpu)
		schedule(); /* __schedule() sends this thread to its CPU */
	return 0;
}

/*
 * Load balancing, from the tick: an idle CPU, or a busy one every SCHED_BALANCE_TICKS, pulls
 * one waiting unbound thread from the busiest CPU when that one has at least two more threads.
 */
static void pull_one(struct rq *rq, unsigned int cpu)
{
	unsigned int other, busiest = cpu;
	struct rq *src;
	struct thread *t;

	for_each_cpu(other, &cpu_online_mask)
		if (READ_ONCE(cpu_rq(other)->nr_running) > READ_ONCE(cpu_rq(busiest)->nr_running))
			busiest = other;
	src = cpu_rq(busiest);
	if (busiest == cpu || READ_ONCE(src->nr_running) < READ_ONCE(rq->nr_running) + 2)
		return;
	double_rq_lock(rq, src);
	list_for_each_entry(t, &src->queue, run_node) {
		if (t->bound_cpu >= 0)
			continue;
		list_del_init(&t->run_node);
		src->nr_running--;
		enqueue(rq, cpu, t);
		rq->stats.nr_pulled++;
		if (rq->curr->is_idle)
			this_cpu()->need_resched = true;
		break;
	}
	spin_unlock(&src->lock);
	spin_unlock(&rq->lock);
}

/*
 * The timer tick's part, from the interrupt with interrupts off: charges the running thread's
 * slice and asks for a switch when it ran out and another thread waits (or when idle finds work),
 * and now and then pulls a thread from the busiest CPU. Takes run queue locks.
 */
void sched_tick(void)
{
	struct rq *rq = this_rq();
	struct thread *curr = rq->curr;
	unsigned int cpu = smp_processor_id();

	if (!sched_running || !curr)
		return;
	if (curr->is_idle) {
		if (!list_empty(&rq->queue))
			this_cpu()->need_resched = true;
	} else if (--curr->slice <= 0 && !list_empty(&rq->queue)) {
		this_cpu()->need_resched = true;
	}
	if (curr->is_idle || ++rq->balance_ticks >= SCHED_BALANCE_TICKS) {
		rq->balance_ticks = 0;
		pull_one(rq, cpu);
	}
}

static void reschedule_interrupt(struct trap_frame *f)
{
	(void)f;
	this_cpu()->ipis++;
	this_cpu()->irq_resched_count++;
	lapic_eoi();
	/* Nothing else: the switch happens on the way out (sched_preempt_irq). */
}

/* might_sleep(): panics, naming file:line, when the caller could not sleep here (preemption
   or interrupts off); does nothing before the scheduler runs. */
void __might_sleep(const char *file, int line)
{
	if (!sched_running)
		return;
	if (preempt_count() != 0 || !(read_rflags() & RFLAGS_IF))
		panic("might_sleep: %s:%d may sleep but thread %s has preempt count %d, interrupts "
		      "%s (sleeping in atomic context)",
		      file, line, current ? current->name : "?", preempt_count(),
		      (read_rflags() & RFLAGS_IF) ? "on" : "off");
}

/* The counters of cpu's run queue (switches, migrations...), a copy read without its lock. */
struct sched_stats sched_stats(unsigned int cpu)
{
	struct sched_stats s = cpu_rq(cpu)->stats;

	s.nr_running = READ_ONCE(cpu_rq(cpu)->nr_running);
	return s;
}

/*
 * The time t has run, in ns, with the current slice when it is running. Reads without a lock: a
 * moment old.
 */
uint64_t thread_runtime_ns(const struct thread *t)
{
	uint64_t tsc = t->run_tsc;
	struct rq *rq = cpu_rq(t->cpu);

	if (READ_ONCE(rq->curr) == t)
		tsc += rdtsc() - t->start_tsc;
	return tsc_to_ns(tsc);
}

/*
 * "running", "ready", "idle", "sleeping" or "dead": what the threads command shows for t, read
 * without a lock.
 */
const char *thread_state_name(const struct thread *t)
{
	switch (t->state) {
	case THREAD_RUNNING:
		if (cpu_rq(t->cpu)->curr == t)
			return "running";
		return t->is_idle ? "idle" : "ready";
	case THREAD_SLEEPING:
		return "sleeping";
	case THREAD_DEAD:
		return "dead";
	}
	return "?";
}

/* Gives the code running on this CPU's current stack a struct thread of its own. */
static void adopt_current(struct thread *t, const char *name, bool idle)
{
	unsigned int cpu = smp_processor_id();
	struct rq *rq = this_rq();

	spin_lock_init(&rq->lock, "runqueue");
	INIT_LIST_HEAD(&rq->queue);
	t->tid = -1; /* kthread_register() numbers it */
	strlcpy(t->name, name, sizeof(t->name));
	t->state = THREAD_RUNNING;
	t->cpu = cpu;
	t->bound_cpu = (int)cpu;
	t->on_rq = true;
	t->is_idle = idle;
	t->slice = SCHED_SLICE_TICKS;
	t->start_tsc = rdtsc();
	INIT_LIST_HEAD(&t->run_node);
	init_completion(&t->exited);
	rq->curr = t;
	rq->idle = idle ? t : NULL;
	this_cpu()->thread = t;
}

/*
 * Builds the first frame on t's stack (t->stack_top set), so that the first switch to t calls
 * entry(t) through thread_trampoline. t runs nowhere yet.
 */
void sched_prepare_stack(struct thread *t, void (*entry)(struct thread *))
{
	sched_prepare_stack_at(t, t->stack_top, entry);
}

/* The same, with the first frame below top: a user thread keeps the top of its stack for the
   trap frame of its user registers (user_frame_of). */
void sched_prepare_stack_at(struct thread *t, void *top, void (*entry)(struct thread *))
{
	struct switch_frame *f = (struct switch_frame *)top - 1;

	memset(f, 0, sizeof(*f));
	f->r12 = (uint64_t)entry;
	f->r13 = (uint64_t)t;
	f->rip = (uint64_t)thread_trampoline;
	t->saved_rsp = (uint64_t)f;
}

/*
 * The first thing a new thread does on its stack: finishes the switch that started it (the
 * previous thread's run queue lock is dropped) and turns preemption and interrupts on.
 */
void sched_start_thread(void)
{
	finish_switch();
	preempt_enable_no_resched();
	local_irq_enable();
}

static void idle_entry(struct thread *t)
{
	(void)t;
	sched_start_thread();
	sched_idle_loop();
}

/*
 * Makes the code running kmain the boot CPU's first thread ("main", unbound) and gives the CPU its
 * idle thread, then lets the tick schedule. Boot CPU, once, interrupts off; panics without memory.
 */
void sched_init(void)
{
	struct thread *idle = this_cpu_ptr(&idle_thread);
	struct rq *rq = this_rq();

	adopt_current(&main_thread, "main", false);
	main_thread.bound_cpu = -1;
	main_thread.started = true; /* it runs already: kthread_bind must move it, not just note it */
	rq->nr_running = 1;

	/* The boot CPU's idle thread is a thread like any other, on a stack of its own. */
	idle->stack_top = kthread_alloc_stack();
	if (!idle->stack_top)
		panic("sched_init: no memory for the idle thread's stack");
	strlcpy(idle->name, "idle/0", sizeof(idle->name));
	idle->state = THREAD_RUNNING;
	idle->is_idle = true;
	idle->on_rq = true;
	idle->bound_cpu = 0;
	INIT_LIST_HEAD(&idle->run_node);
	init_completion(&idle->exited);
	sched_prepare_stack(idle, idle_entry);
	rq->idle = idle;
	kthread_register(&main_thread);
	kthread_register(idle);

	idt_set_handler(RESCHEDULE_VECTOR, reschedule_interrupt);
	idt_set_irq_exit(sched_preempt_irq);
	/* The run queues are set up before the flag. The APs that read it start later, ordered
	   by the smp_store_release()/smp_load_acquire() of online in kernel/smp_boot.c; on this
	   CPU the tick reads it in program order. No reader needs an acquire of its own. */
	smp_store_release(&sched_running, true);
}

/* On an AP before it goes online: its boot stack becomes its idle thread. Interrupts off. */
void sched_init_ap(void)
{
	char name[THREAD_NAME_LEN];
	struct thread *idle = this_cpu_ptr(&idle_thread);

	snprintf(name, sizeof(name), "idle/%u", smp_processor_id());
	adopt_current(idle, name, true);
	kthread_register(idle);
}
