/*
 * RCU (kernel/rcu/rcu.h): grace periods, quiescent states, callbacks.
 *
 * One kernel thread, rcu_gp, runs the grace periods: it sleeps until someone needs one, starts
 * it (gp_seq becomes odd, need_qs = every online CPU), sleeps until every CPU has cleared its
 * bit in need_qs, ends it (gp_seq even again) and wakes the callback threads. A CPU clears its
 * bit at its first quiescent state of the grace period: a context switch, the idle loop, or a
 * tick that interrupted code with preemption enabled. An expedited grace period also sends an
 * IPI to every CPU, whose handler reports at once unless it interrupted a read-side section;
 * then it sets need_resched, so the preempt_enable() at the section's end switches threads, and
 * the switch reports.
 *
 * Each CPU queues its call_rcu() callbacks in a FIFO, each tagged with the gp_seq value at which
 * it may run; a per-CPU thread rcuc/N runs the ready ones. call_rcu() only queues: the CPU's
 * next tick asks for the grace period its callbacks need (as Linux's rcu_core does from the
 * tick), so the many call_rcu()s of one tick share one wake-up of rcu_gp, and the caller, which
 * may be in the middle of an munmap, does not pay for it. Past RCU_LAZY_MAX callbacks waiting on
 * one CPU, call_rcu() asks at once, so a flood cannot hold much memory for long.
 * synchronize_rcu() and rcu_barrier() have a thread waiting, so they ask at once too.
 *
 * A grace period that runs longer than the stall timeout (rcu_set_stall_timeout_ms) prints a
 * warning naming the CPUs that still owe a quiescent state, each with the backtrace it records
 * when asked by NMI (kernel/nmi_backtrace.c), and again after each further timeout.
 *
 * Lock order: rcu_data.lock (a CPU's callback list), then rcu_state.lock; both are taken with
 * interrupts off and never held while waking a thread.
 */
#include "kernel/rcu/rcu.h"
#include "kernel/kthread.h"
#include "kernel/sched/wait.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/nmi_backtrace.h"
#include "kernel/locking/mutex.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/tick.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

#define RCU_STALL_SECONDS 10 /* generous: TCG on a busy host can stall a vCPU for seconds */

/* How long a grace period may run before the stall warning; rcu_set_stall_timeout_ms(). */
static unsigned int rcu_stall_ms = RCU_STALL_SECONDS * 1000;

struct rcu_data {
	spinlock_t lock;
	struct rcu_head *head, **tail; /* callbacks, gp_wait never decreasing along the list */
	uint64_t pending;
	uint64_t want;	/* the highest gp_wait queued here: what the next tick asks for */
	uint64_t qs_gp; /* the grace period this CPU last reported a quiescent state for */
	uint64_t invoked;
	struct wait_queue_head wq; /* its callback thread sleeps here */
	struct thread *cb_thread;
};

static struct {
	spinlock_t lock;
	uint64_t gp_seq;       /* odd: a grace period is running */
	uint64_t gp_requested; /* the highest gp_seq someone waits for */
	struct cpumask need_qs;
	bool expedite;
	uint64_t gp_start_ns;
	struct wait_queue_head gp_wq; /* the grace-period thread sleeps here */
	struct thread *gp_thread;
	struct rcu_stats stats;
} rcu_state = {.lock = SPINLOCK_INIT("rcu_state")};

static DEFINE_PER_CPU(struct rcu_data, rcu_data);
static atomic64_t tick_requests;
static bool rcu_ready;

static uint64_t gp_seq(void)
{
	return READ_ONCE(rcu_state.gp_seq);
}

/* The gp_seq at which a whole grace period will have passed since now. */
static uint64_t gp_snapshot(void)
{
	return (gp_seq() + 3) & ~1ULL;
}

/* Asks for a grace period that ends at gp_seq >= want. */
static void request_gp(uint64_t want, bool expedite)
{
	unsigned long flags;
	bool wake = false;

	spin_lock_irqsave(&rcu_state.lock, flags);
	if (want > rcu_state.gp_requested) {
		rcu_state.gp_requested = want;
		wake = true;
	}
	if (expedite) {
		rcu_state.expedite = true;
		wake = true;
	}
	spin_unlock_irqrestore(&rcu_state.lock, flags);
	if (wake && rcu_state.gp_thread)
		wake_up_process(rcu_state.gp_thread);
}

/*
 * This CPU is in a quiescent state now: nothing it runs is inside a read-side section. Reports
 * it once per grace period. Interrupts off or preemption off (the CPU must not change).
 */
static void rcu_qs(void)
{
	struct rcu_data *rd = this_cpu_ptr(&rcu_data);
	unsigned int cpu = smp_processor_id();
	uint64_t gp = gp_seq();
	bool last = false;
	unsigned long flags;

	if (!(gp & 1) || READ_ONCE(rd->qs_gp) == gp)
		return; /* no grace period running, or already reported for this one */
	flags = local_irq_save();
	/* The lock orders this CPU's read-side sections, all finished, before the report: its
	   release pairs with the acquire of the same lock in end_gp(), so whatever the grace
	   period's callbacks then free was no longer in use on this CPU. */
	spin_lock(&rcu_state.lock);
	/* Again under the lock: the grace period read above may have ended meanwhile. */
	if (rcu_state.gp_seq == gp && cpumask_test_cpu(cpu, &rcu_state.need_qs)) {
		cpumask_clear_cpu(cpu, &rcu_state.need_qs);
		last = cpumask_weight(&rcu_state.need_qs) == 0;
	}
	rd->qs_gp = gp;
	spin_unlock(&rcu_state.lock);
	if (last)
		wake_up_process(rcu_state.gp_thread);
	local_irq_restore(flags);
}

/*
 * rcu_note_context_switch: this CPU is quiescent (the scheduler is switching, or the idle loop
 * runs). Reports it for the running grace period, once. Preemption or interrupts off; the
 * caller may not be inside a read-side section. Does not sleep.
 */
void rcu_note_context_switch(void)
{
	rcu_qs();
}

/*
 * rcu_tick: from the timer interrupt. quiescent is true when the interrupted code had
 * preemption enabled (so it was in no read-side section): then this CPU reports. Also asks for
 * the grace period this CPU's callbacks wait for, if nobody has yet. Interrupts off.
 */
void rcu_tick(bool quiescent)
{
	struct rcu_data *rd = this_cpu_ptr(&rcu_data);
	uint64_t want = READ_ONCE(rd->want);

	if (quiescent)
		rcu_qs();
	if (want > READ_ONCE(rcu_state.gp_requested)) {
		atomic64_add_return(1, &tick_requests);
		request_gp(want, false);
	}
}

void rcu_read_unlock_underflow(void)
{
	panic("rcu_read_unlock: more unlocks than locks on CPU %u", smp_processor_id());
}

/* The expedited IPI: report now unless the interrupted code was in a read-side section. */
static void rcu_exp_handler(void *info)
{
	(void)info;
	if (preempt_count() == 0)
		rcu_qs();
	else
		this_cpu()->need_resched = true; /* the end of the section switches, and reports */
}

static void wake_ready_callbacks(void)
{
	unsigned int cpu;

	for_each_cpu(cpu, &cpu_online_mask) {
		struct rcu_data *rd = per_cpu_ptr(&rcu_data, cpu);
		struct rcu_head *h = READ_ONCE(rd->head);

		if (h && h->gp_wait <= gp_seq())
			wake_up(&rd->wq);
	}
}

unsigned int rcu_set_stall_timeout_ms(unsigned int ms)
{
	return __atomic_exchange_n(&rcu_stall_ms, ms ? ms : RCU_STALL_SECONDS * 1000,
				   __ATOMIC_RELAXED);
}

/*
 * The stall warning: which CPUs hold the grace period up, and where each one is, by an NMI
 * that makes it record its own backtrace (it may spin with interrupts off). The CPUs are
 * taken from need_qs under the lock once; they may report while this prints.
 */
static void print_stall(uint64_t gp, uint64_t ns)
{
	struct cpumask stalled;
	unsigned long flags;
	unsigned int cpu;

	spin_lock_irqsave(&rcu_state.lock, flags);
	stalled = rcu_state.need_qs;
	if (cpumask_weight(&stalled)) {
		rcu_state.stats.stalls++;
		rcu_state.stats.stall_cpus = stalled;
	}
	spin_unlock_irqrestore(&rcu_state.lock, flags);
	if (!cpumask_weight(&stalled))
		return; /* the last CPU reported just after the timeout */
	pr_warn("rcu: stall: grace period %llu has run %llu ms; CPUs without a quiescent state:\n",
		(unsigned long long)gp, (unsigned long long)(ns / 1000000));
	for_each_cpu(cpu, &stalled) {
		struct cpu *c = per_cpu_ptr(&cpu_info, cpu);
		struct thread *t = c->thread;

		pr_warn("rcu:   CPU %u running %s, preempt count %d\n", cpu, t ? t->name : "?",
			(int)(c->preempt_count & ~PREEMPT_NO_RESCHED));
		nmi_backtrace_print(cpu, "rcu:   ");
	}
}

static bool gp_needed(void)
{
	return READ_ONCE(rcu_state.gp_requested) > gp_seq() || READ_ONCE(rcu_state.expedite);
}

static void start_gp(bool *expedite)
{
	unsigned long flags;

	spin_lock_irqsave(&rcu_state.lock, flags);
	rcu_state.gp_seq++;
	rcu_state.need_qs = cpu_online_mask;
	*expedite = rcu_state.expedite;
	rcu_state.expedite = false;
	rcu_state.gp_start_ns = ktime_ns();
	spin_unlock_irqrestore(&rcu_state.lock, flags);
}

static void end_gp(bool expedited)
{
	uint64_t ns = ktime_ns() - rcu_state.gp_start_ns;
	unsigned long flags;

	/* pairs with the release of this lock in rcu_qs(): every CPU's sections before its
	   report happen before the end, and so before the callbacks that wait for it. */
	spin_lock_irqsave(&rcu_state.lock, flags);
	rcu_state.gp_seq++;
	rcu_state.stats.gp_completed++;
	rcu_state.stats.gp_expedited += expedited;
	rcu_state.stats.last_gp_ns = ns;
	if (ns > rcu_state.stats.max_gp_ns)
		rcu_state.stats.max_gp_ns = ns;
	spin_unlock_irqrestore(&rcu_state.lock, flags);
}

static bool all_reported(void)
{
	return cpumask_weight(&rcu_state.need_qs) == 0;
}

static bool hurry_wanted(bool expedited)
{
	return !expedited && READ_ONCE(rcu_state.expedite);
}

/*
 * Waits until every CPU has reported, warning of a stall after each timeout. An expedited
 * request that arrives meanwhile needs the next grace period (rcu_state.expedite stays set for
 * it), but waiting for this one at the pace of ticks first would cost it milliseconds: the
 * IPIs go out for this one too, and *expedited says so.
 */
static void wait_for_reports(bool *expedited)
{
	long stall = msecs_to_jiffies(READ_ONCE(rcu_stall_ms));

	for (;;) {
		if (!wait_event_timeout(rcu_state.gp_wq, all_reported() || hurry_wanted(*expedited),
					stall)) {
			print_stall(gp_seq(), ktime_ns() - rcu_state.gp_start_ns);
			continue;
		}
		if (all_reported())
			return;
		*expedited = true;
		on_each_cpu(rcu_exp_handler, NULL, false);
	}
}

/* The grace-period thread. */
static int rcu_gp_kthread(void *arg)
{
	(void)arg;
	for (;;) {
		bool expedite;

		wait_event(rcu_state.gp_wq, gp_needed());
		start_gp(&expedite);
		/* This thread's own CPU: a thread that may sleep is in a quiescent state. */
		preempt_disable();
		rcu_qs();
		preempt_enable();
		if (expedite)
			on_each_cpu(rcu_exp_handler, NULL, false);
		wait_for_reports(&expedite);
		end_gp(expedite);
		wake_ready_callbacks();
	}
	return 0;
}

/* Takes the callbacks whose grace period is over off this CPU's list. */
static struct rcu_head *take_ready(struct rcu_data *rd)
{
	struct rcu_head *first = NULL, **last = &first;
	unsigned long flags;

	spin_lock_irqsave(&rd->lock, flags);
	while (rd->head && rd->head->gp_wait <= gp_seq()) {
		*last = rd->head;
		last = &rd->head->next;
		rd->head = rd->head->next;
		rd->pending--;
	}
	if (!rd->head)
		rd->tail = &rd->head;
	*last = NULL;
	spin_unlock_irqrestore(&rd->lock, flags);
	return first;
}

static bool callbacks_ready(struct rcu_data *rd)
{
	struct rcu_head *h = READ_ONCE(rd->head);
	return h && h->gp_wait <= gp_seq();
}

/* The callback thread of one CPU. */
static int rcu_cb_kthread(void *arg)
{
	struct rcu_data *rd = arg;

	for (;;) {
		struct rcu_head *h, *next;

		wait_event(rd->wq, callbacks_ready(rd));
		for (h = take_ready(rd); h; h = next) {
			next = h->next;
			h->func(h);
			rd->invoked++;
		}
	}
	return 0;
}

/* Appends h to CPU cpu's list, to run once gp_seq reaches at least want. */
static uint64_t enqueue_cb(unsigned int cpu, struct rcu_head *h, uint64_t want)
{
	struct rcu_data *rd = per_cpu_ptr(&rcu_data, cpu);
	unsigned long flags;

	spin_lock_irqsave(&rd->lock, flags);
	/* Keep the list in gp_wait order (a barrier callback queued from elsewhere may have a
	   smaller snapshot than the last one queued here). */
	if (rd->head && want < container_of(rd->tail, struct rcu_head, next)->gp_wait)
		want = container_of(rd->tail, struct rcu_head, next)->gp_wait;
	h->gp_wait = want;
	h->next = NULL;
	*rd->tail = h;
	rd->tail = &h->next;
	rd->pending++;
	if (want > rd->want)
		WRITE_ONCE(rd->want, want);
	spin_unlock_irqrestore(&rd->lock, flags);
	return want;
}

/*
 * call_rcu: queues func(head) to run in this CPU's callback thread (rcuc/N) once a whole grace
 * period has passed, so after every read-side section that had begun when call_rcu was
 * called. Only queues: the CPU's next tick asks for the grace period, unless more than
 * RCU_LAZY_MAX callbacks wait here. head must stay allocated until func runs. Any context, with
 * interrupts on or off; does not sleep. Panics before rcu_init().
 */
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	struct rcu_data *rd;
	unsigned long flags;
	uint64_t want;
	bool flood;

	/* pairs with smp_store_release(&rcu_ready) in rcu_init(): the threads exist. */
	if (unlikely(!smp_load_acquire(&rcu_ready)))
		panic("call_rcu: called before rcu_init()");
	head->func = func;
	flags = local_irq_save();
	rd = this_cpu_ptr(&rcu_data);
	want = enqueue_cb(smp_processor_id(), head, gp_snapshot());
	flood = rd->pending > RCU_LAZY_MAX;
	local_irq_restore(flags);
	if (flood) /* the tick would be late: so many callbacks hold much memory */
		request_gp(want, false);
}

struct rcu_waiter {
	struct rcu_head head;
	struct completion done;
};

static void wakeme_after_rcu(struct rcu_head *head)
{
	complete(&container_of(head, struct rcu_waiter, head)->done);
}

/*
 * With one CPU online, a caller that may sleep is in a quiescent state, and so is every CPU:
 * each read-side section begun before now has ended, and a grace period has passed without
 * waiting. It is counted as one, gp_seq moving by a whole period (as Linux's synchronize_rcu
 * does on one CPU), so that RCU's count means the same at every CPU count and the callbacks
 * that waited for it may run. Not while rcu_gp is in the middle of a grace period (gp_seq odd,
 * its thread preempted): the caller then waits for that one to end. Returns whether it counted.
 */
static bool vacuous_gp(void)
{
	unsigned long flags;
	bool done = false;

	spin_lock_irqsave(&rcu_state.lock, flags);
	if (!(rcu_state.gp_seq & 1)) {
		rcu_state.gp_seq += 2;
		rcu_state.stats.gp_completed++;
		rcu_state.stats.gp_vacuous++;
		done = true;
	}
	spin_unlock_irqrestore(&rcu_state.lock, flags);
	/* pairs with smp_store_release(&rcu_ready) in rcu_init(): the callback threads exist. */
	if (done && smp_load_acquire(&rcu_ready))
		wake_ready_callbacks();
	return done;
}

static void wait_for_gp(bool expedite)
{
	struct rcu_waiter w;

	might_sleep();
	if (num_online_cpus() == 1 && vacuous_gp())
		return;
	init_completion(&w.done);
	w.head.func = wakeme_after_rcu;
	preempt_disable();
	enqueue_cb(smp_processor_id(), &w.head, gp_snapshot());
	preempt_enable();
	request_gp(w.head.gp_wait, expedite);
	wait_for_completion(&w.done);
}

/*
 * synchronize_rcu: returns once every read-side section that had begun at the call has ended
 * (a grace period). Sleeps; not from a read-side section or with a spinlock held.
 */
void synchronize_rcu(void)
{
	wait_for_gp(false);
}

/*
 * synchronize_rcu_expedited: synchronize_rcu, sooner: the grace period asks every CPU for its
 * quiescent state with an IPI instead of waiting for ticks. Same guarantee; sleeps.
 */
void synchronize_rcu_expedited(void)
{
	wait_for_gp(true);
}

struct barrier_state {
	atomic_t left;
	struct completion done;
	struct rcu_head heads[NR_CPUS];
};

static struct barrier_state barrier;
static DEFINE_MUTEX(barrier_mutex);

static void barrier_cb(struct rcu_head *head)
{
	(void)head;
	if (atomic_dec_and_test(&barrier.left))
		complete(&barrier.done);
}

/*
 * rcu_barrier: returns once every callback queued by call_rcu before the call, on any CPU, has
 * run (not only once its grace period has passed: synchronize_rcu does not wait for the
 * callbacks). Sleeps; serialised by barrier_mutex.
 */
void rcu_barrier(void)
{
	unsigned int cpu;
	uint64_t want = 0, w;

	might_sleep();
	mutex_lock(&barrier_mutex);
	init_completion(&barrier.done);
	atomic_set(&barrier.left, 1);
	for_each_cpu(cpu, &cpu_online_mask) {
		atomic_inc(&barrier.left);
		barrier.heads[cpu].func = barrier_cb;
		w = enqueue_cb(cpu, &barrier.heads[cpu], gp_snapshot());
		if (w > want)
			want = w;
	}
	request_gp(want, false);
	if (!atomic_dec_and_test(&barrier.left))
		wait_for_completion(&barrier.done);
	mutex_unlock(&barrier_mutex);
}

/* A snapshot of the counters, for the `rcu` command and the tests. Any context. */
struct rcu_stats rcu_get_stats(void)
{
	struct rcu_stats s = rcu_state.stats;
	unsigned int cpu;

	s.gp_seq = gp_seq();
	s.tick_requests = (uint64_t)atomic64_read(&tick_requests);
	s.gp_requested = READ_ONCE(rcu_state.gp_requested);
	s.cbs_invoked = 0;
	for_each_cpu(cpu, &cpu_online_mask)
		s.cbs_invoked += READ_ONCE(per_cpu_ptr(&rcu_data, cpu)->invoked);
	return s;
}

/* Callbacks queued on cpu and not yet run. Any context; a snapshot. */
uint64_t rcu_cbs_pending(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&rcu_data, cpu)->pending);
}

/*
 * rcu_init: creates the grace-period thread and one callback thread per CPU. Once at boot,
 * after the scheduler and the CPUs are up, before the first call_rcu. Panics out of memory.
 */
void rcu_init(void)
{
	unsigned int cpu;

	init_waitqueue_head(&rcu_state.gp_wq, "rcu_gp");
	for_each_cpu(cpu, &cpu_online_mask) {
		struct rcu_data *rd = per_cpu_ptr(&rcu_data, cpu);

		spin_lock_init(&rd->lock, "rcu_data");
		rd->tail = &rd->head;
		init_waitqueue_head(&rd->wq, "rcu_cb");
		rd->cb_thread = kthread_create(rcu_cb_kthread, rd, "rcuc/%u", cpu);
		if (!rd->cb_thread)
			panic("rcu_init: no memory for the callback threads");
		kthread_bind(rd->cb_thread, cpu);
		wake_up_new_thread(rd->cb_thread);
	}
	rcu_state.gp_thread = kthread_create(rcu_gp_kthread, NULL, "rcu_gp");
	if (!rcu_state.gp_thread)
		panic("rcu_init: no memory for the grace-period thread");
	wake_up_new_thread(rcu_state.gp_thread);
	/* pairs with smp_load_acquire(&rcu_ready) in call_rcu(). */
	smp_store_release(&rcu_ready, true);
}
