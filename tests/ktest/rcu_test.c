/*
 * KTAP suite "rcu": a grace period waits for the readers that were there when it began, and
 * only for those; call_rcu callbacks run after a grace period, never before, whichever CPUs the
 * readers and the callbacks are on; rcu_barrier waits for every callback on every CPU;
 * read-side sections nest; the expedited form gives the same guarantee, sooner; a CPU that
 * holds a grace period up is named by a stall warning, and an NMI gets its backtrace.
 */
#include "kernel/ktest.h"
#include "kernel/rcu/rcu.h"
#include "kernel/kthread.h"
#include "kernel/nmi_backtrace.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "mm/slab.h"
#include "kernel/tick.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/string.h"

#define READER_NS 50000000ULL /* how long the reader stays inside: 50 ms */
#define MS	  1000000ULL

struct reader {
	volatile bool inside, left;
	volatile bool release; /* blocking_reader: leave now */
};

/* Enters a read-side section, stays a while (busy: it may not sleep there), leaves. */
static int long_reader(void *arg)
{
	struct reader *r = arg;
	uint64_t end;

	rcu_read_lock();
	r->inside = true;
	end = ktime_ns() + READER_NS;
	while (ktime_ns() < end)
		cpu_relax();
	smp_store_release(&r->left, true);
	rcu_read_unlock();
	return 0;
}

static struct thread *start_reader(struct ktest *t, struct reader *r)
{
	struct thread *th = kthread_create(long_reader, r, "ktest-reader");

	if (!th)
		return NULL;
	kthread_bind(th, nr_cpu_ids - 1);
	wake_up_new_thread(th);
	while (!READ_ONCE(r->inside))
		msleep(1);
	(void)t;
	return th;
}

static void grace_period_waits(struct ktest *t, void (*sync)(void))
{
	struct reader r = {0};
	struct thread *th;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs (a reader on one CPU cannot overlap a waiter there)");
	th = start_reader(t, &r);
	ASSERT_NOT_NULL(t, th);
	sync();
	EXPECT_TRUE(t, smp_load_acquire(&r.left)); /* the reader was there first: waited for */
	kthread_join(th);
}

static void test_synchronize_waits_for_reader(struct ktest *t)
{
	grace_period_waits(t, synchronize_rcu);
}

static void test_expedited_waits_for_reader(struct ktest *t)
{
	grace_period_waits(t, synchronize_rcu_expedited);
}

struct cb_probe {
	struct rcu_head rcu;
	struct reader *r;
	volatile bool ran;
	volatile bool reader_had_left;
};

static void probe_cb(struct rcu_head *h)
{
	struct cb_probe *p = container_of(h, struct cb_probe, rcu);

	p->reader_had_left = smp_load_acquire(&p->r->left);
	smp_store_release(&p->ran, true);
}

static void test_call_rcu_runs_after_readers(struct ktest *t)
{
	struct reader r = {0};
	struct cb_probe p = {.r = &r};
	struct thread *th;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	th = start_reader(t, &r);
	ASSERT_NOT_NULL(t, th);
	call_rcu(&p.rcu, probe_cb);
	rcu_barrier();
	EXPECT_TRUE(t, p.ran);
	EXPECT_TRUE(t, p.reader_had_left);
	kthread_join(th);
}

static atomic_t counted;

static void count_cb(struct rcu_head *h)
{
	(void)h;
	atomic_inc(&counted);
}

static void test_barrier_waits_for_all(struct ktest *t)
{
	static struct rcu_head heads[1000];

	atomic_set(&counted, 0);
	for (int i = 0; i < 1000; i++)
		call_rcu(&heads[i], count_cb);
	rcu_barrier();
	EXPECT_EQ(t, atomic_read(&counted), 1000);
}

/*
 * call_rcu() only queues; the CPU's next tick asks for the grace period. With interrupts off
 * no tick can come, so right after the call nobody has asked for it yet (unless another thread
 * asked for the same grace period just then: so up to 5 tries), and then it runs anyway.
 */
static void test_call_rcu_is_lazy(struct ktest *t)
{
	static struct rcu_head heads[5];
	struct rcu_stats before = rcu_get_stats();
	int tries = 0, lazy = 0;
	unsigned long flags;
	uint64_t end;

	atomic_set(&counted, 0);
	while (tries < 5 && !lazy) {
		flags = local_irq_save();
		call_rcu(&heads[tries], count_cb);
		lazy = rcu_get_stats().gp_requested < heads[tries].gp_wait;
		local_irq_restore(flags);
		tries++;
	}
	EXPECT_TRUE(t, lazy);
	end = ktime_ns() + 2000 * MS; /* no barrier, no synchronize: the tick starts it */
	while (atomic_read(&counted) < tries && ktime_ns() < end)
		msleep(1);
	EXPECT_EQ(t, atomic_read(&counted), tries);
	EXPECT_GT(t, rcu_get_stats().tick_requests, before.tick_requests);
	ktest_log(t, "%d call_rcu, %llu grace periods asked for by ticks meanwhile", tries,
		  (unsigned long long)(rcu_get_stats().tick_requests - before.tick_requests));
	rcu_barrier(); /* nothing left queued for the next case */
}

/* Past RCU_LAZY_MAX callbacks on one CPU, call_rcu() asks at once, tick or no tick. */
static void test_call_rcu_flood_asks_at_once(struct ktest *t)
{
	static struct rcu_head heads[RCU_LAZY_MAX + 1];
	unsigned long flags;
	uint64_t asked;

	atomic_set(&counted, 0);
	flags = local_irq_save();
	for (int i = 0; i <= RCU_LAZY_MAX; i++)
		call_rcu(&heads[i], count_cb);
	asked = rcu_get_stats().gp_requested;
	local_irq_restore(flags);
	EXPECT_GE(t, asked, heads[RCU_LAZY_MAX].gp_wait);
	rcu_barrier();
	EXPECT_EQ(t, atomic_read(&counted), RCU_LAZY_MAX + 1);
}

static void test_nesting(struct ktest *t)
{
	EXPECT_FALSE(t, rcu_read_lock_held());
	rcu_read_lock();
	rcu_read_lock();
	EXPECT_TRUE(t, rcu_read_lock_held());
	rcu_read_unlock();
	EXPECT_TRUE(t, rcu_read_lock_held());
	rcu_read_unlock();
	EXPECT_FALSE(t, rcu_read_lock_held());
}

static void test_grace_periods_advance(struct ktest *t)
{
	struct rcu_stats before = rcu_get_stats(), after;

	synchronize_rcu();
	synchronize_rcu();
	after = rcu_get_stats();
	/* Each call waits for a whole grace period begun after it: two at least, at every CPU
	   count (with one CPU online, two that passed at once). */
	EXPECT_GE(t, after.gp_completed, before.gp_completed + 2);
	if (num_online_cpus() == 1)
		EXPECT_GE(t, after.gp_vacuous, before.gp_vacuous + 1);
	EXPECT_EQ(t, after.gp_seq % 2 == 0 || after.gp_seq > before.gp_seq, true);
}

static uint64_t gp_seq_now(void)
{
	return rcu_get_stats().gp_seq;
}

/*
 * Enters a read-side section at a moment no grace period runs (gp_seq even, read inside the
 * section), records that gp_seq in r->gp and stays inside until released (30 s at most, so a
 * broken test cannot hang the suite). The next grace period therefore began after this reader
 * entered, and cannot end before it leaves.
 */
struct blocking_reader {
	struct reader r;
	uint64_t gp; /* the even gp_seq seen inside the section */
};

static int blocking_reader(void *arg)
{
	struct blocking_reader *b = arg;
	uint64_t end;

	for (;;) {
		rcu_read_lock();
		b->gp = gp_seq_now();
		if (!(b->gp & 1))
			break;
		rcu_read_unlock();
		msleep(1); /* a grace period runs: let it end, then enter again */
	}
	smp_store_release(&b->r.inside, true);
	end = ktime_ns() + 30000 * MS;
	while (!smp_load_acquire(&b->r.release) && ktime_ns() < end)
		cpu_relax();
	smp_store_release(&b->r.left, true);
	rcu_read_unlock();
	return 0;
}

static void nothing_cb(struct rcu_head *h)
{
	(void)h;
}

/*
 * A grace period waits only for the readers that were inside when it began. The events are
 * ordered by flags and by gp_seq, never by how long anything takes:
 *  1. a blocking reader on the last CPU enters while no grace period runs (gp_seq g, even);
 *  2. call_rcu() asks for a grace period; g+1 begins, and cannot end while that reader stays;
 *  3. this thread (CPU 0) sleeps once, a context switch: CPU 0's quiescent state for g+1;
 *  4. it enters a read-side section itself (the later reader), then releases the first one;
 *  5. grace period g+1 must end (gp_seq g+2) while this thread is still inside.
 * The deadlines only keep a broken kernel from hanging the suite; under load they are far off.
 */
static void test_gp_ignores_later_reader(struct ktest *t)
{
	struct blocking_reader b = {0};
	struct rcu_head head;
	struct thread *th;
	uint64_t gp, end;
	bool ended;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_EQ(t, kthread_bind(current, 0), 0);
	th = kthread_create(blocking_reader, &b, "ktest-blocker");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, nr_cpu_ids - 1);
	wake_up_new_thread(th);
	while (!smp_load_acquire(&b.r.inside))
		msleep(1);
	gp = b.gp;

	call_rcu(&head, nothing_cb); /* the next tick asks for grace period gp+1 */
	end = ktime_ns() + 30000 * MS;
	while (gp_seq_now() == gp && ktime_ns() < end)
		msleep(1);
	EXPECT_EQ(t, gp_seq_now(), gp + 1); /* begun, and held by the blocking reader */
	msleep(1);			    /* step 3: CPU 0 reports for gp+1 */

	rcu_read_lock();
	EXPECT_FALSE(t, smp_load_acquire(&b.r.left));
	smp_store_release(&b.r.release, true);
	end = ktime_ns() + 30000 * MS;
	while (gp_seq_now() < gp + 2 && ktime_ns() < end)
		cpu_relax();
	ended = gp_seq_now() >= gp + 2;
	rcu_read_unlock();

	EXPECT_TRUE(t, ended); /* it ended without this later reader */
	ktest_log(t, "grace period %llu ended with a reader that came after it inside",
		  (unsigned long long)(gp + 1));
	kthread_join(th);
	kthread_unbind(current);
	rcu_barrier(); /* head is on this stack frame */
}

/* Readers on every CPU, each queueing a callback from inside its section. */
struct multi_readers {
	unsigned int n;
	atomic_t entered;
	volatile bool left[NR_CPUS];
	struct multi_probe {
		struct rcu_head rcu;
		struct multi_readers *m;
		unsigned int index;
		bool together;		     /* every reader was inside when it was queued */
		volatile bool ran, all_left; /* when it ran, every reader had left */
	} probes[NR_CPUS];
};

static void multi_probe_cb(struct rcu_head *h)
{
	struct multi_probe *p = container_of(h, struct multi_probe, rcu);
	bool all = true;

	for (unsigned int i = 0; i < p->m->n; i++)
		all &= smp_load_acquire(&p->m->left[i]);
	p->all_left = all;
	smp_store_release(&p->ran, true);
}

static int multi_reader(void *arg)
{
	struct multi_probe *p = arg;
	struct multi_readers *m = p->m;
	uint64_t end = ktime_ns() + 2000 * MS;

	rcu_read_lock();
	atomic_inc(&m->entered);
	while ((unsigned int)atomic_read(&m->entered) < m->n && ktime_ns() < end)
		cpu_relax();
	p->together = (unsigned int)atomic_read(&m->entered) == m->n;
	call_rcu(&p->rcu, multi_probe_cb);
	/* Stay on, each reader a different time: they leave one after the other. */
	end = ktime_ns() + (20 + 10 * p->index) * MS;
	while (ktime_ns() < end)
		cpu_relax();
	smp_store_release(&m->left[p->index], true);
	rcu_read_unlock();
	return 0;
}

static void test_call_rcu_waits_for_readers_on_all_cpus(struct ktest *t)
{
	struct multi_readers *m;
	struct thread *th[NR_CPUS];
	unsigned int cpu, i;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	m = kzalloc(sizeof(*m));
	ASSERT_NOT_NULL(t, m);
	ASSERT_EQ(t, kthread_bind(current, 0), 0);
	m->n = num_online_cpus();
	i = 0;
	for_each_cpu(cpu, &cpu_online_mask) {
		m->probes[i] = (struct multi_probe){.m = m, .index = i};
		th[i] = kthread_create(multi_reader, &m->probes[i], "ktest-mr/%u", cpu);
		ASSERT_NOT_NULL(t, th[i]);
		kthread_bind(th[i], cpu);
		i++;
	}
	/* This CPU's reader last: once it runs, this thread waits until it leaves. */
	for (i = m->n; i-- > 0;)
		wake_up_new_thread(th[i]);
	for (i = 0; i < m->n; i++)
		kthread_join(th[i]);
	rcu_barrier();
	kthread_unbind(current);
	for (i = 0; i < m->n; i++) {
		EXPECT_TRUE(t, m->probes[i].together);
		EXPECT_TRUE(t, m->probes[i].ran);
		EXPECT_TRUE(t, m->probes[i].all_left);
	}
	kfree(m);
}

#define BARRIER_CBS 100 /* callbacks queued by each CPU */

struct cpu_cb {
	struct rcu_head rcu;
	unsigned int cpu;
};

static atomic_t cpu_cbs_run, cpu_cbs_elsewhere;

static void cpu_cb_fn(struct rcu_head *h)
{
	struct cpu_cb *c = container_of(h, struct cpu_cb, rcu);

	atomic_inc(&cpu_cbs_run);
	if (smp_processor_id() != c->cpu)
		atomic_inc(&cpu_cbs_elsewhere); /* the callback thread of another CPU ran it */
}

static int queue_cbs(void *arg)
{
	struct cpu_cb *cbs = arg;

	for (int i = 0; i < BARRIER_CBS; i++) {
		cbs[i].cpu = smp_processor_id();
		call_rcu(&cbs[i].rcu, cpu_cb_fn);
	}
	return 0;
}

/* rcu_barrier waits for the callbacks of every CPU, not only those of its own. */
static void test_barrier_every_cpu(struct ktest *t)
{
	unsigned int n = num_online_cpus(), cpu, i = 0;
	struct cpu_cb *cbs = kzalloc(n * BARRIER_CBS * sizeof(*cbs));
	struct thread *th[NR_CPUS];
	uint64_t pending = 0;

	ASSERT_NOT_NULL(t, cbs);
	atomic_set(&cpu_cbs_run, 0);
	atomic_set(&cpu_cbs_elsewhere, 0);
	for_each_cpu(cpu, &cpu_online_mask) {
		th[i] = kthread_create(queue_cbs, &cbs[i * BARRIER_CBS], "ktest-cbs/%u", cpu);
		ASSERT_NOT_NULL(t, th[i]);
		kthread_bind(th[i], cpu);
		wake_up_new_thread(th[i++]);
	}
	for (i = 0; i < n; i++)
		kthread_join(th[i]);
	for_each_cpu(cpu, &cpu_online_mask)
		pending += rcu_cbs_pending(cpu);
	rcu_barrier();
	ktest_log(t, "%u CPUs x %d callbacks, %llu still pending when rcu_barrier began", n,
		  BARRIER_CBS, (unsigned long long)pending);
	EXPECT_EQ(t, atomic_read(&cpu_cbs_run), (int)(n * BARRIER_CBS));
	EXPECT_EQ(t, atomic_read(&cpu_cbs_elsewhere), 0);
	kfree(cbs);
}

/* The expedited form forces the quiescent states by IPI instead of waiting for ticks. */
static void test_expedited_latency(struct ktest *t)
{
	struct rcu_stats before = rcu_get_stats(), after;
	uint64_t t0, normal, expedited;
	const int rounds = 5;

	t0 = ktime_ns();
	for (int i = 0; i < rounds; i++)
		synchronize_rcu();
	normal = (ktime_ns() - t0) / rounds;
	t0 = ktime_ns();
	for (int i = 0; i < rounds; i++)
		synchronize_rcu_expedited();
	expedited = (ktime_ns() - t0) / rounds;
	after = rcu_get_stats();
	ktest_log(t, "synchronize_rcu %llu us, synchronize_rcu_expedited %llu us (average of %d)",
		  (unsigned long long)(normal / 1000), (unsigned long long)(expedited / 1000),
		  rounds);
	if (nr_cpu_ids == 1)
		return; /* one CPU: neither waits for anything */
	EXPECT_GE(t, after.gp_expedited, before.gp_expedited + 1);
	EXPECT_GE(t, after.gp_completed, before.gp_completed + rounds);
}

struct hurry {
	volatile bool running, stop;
};

/* Runs with preemption on: only its CPU's tick (or an expedited IPI) finds it quiescent. */
static int busy_preemptible(void *arg)
{
	struct hurry *h = arg;

	WRITE_ONCE(h->running, true);
	while (!READ_ONCE(h->stop))
		cpu_relax();
	return 0;
}

static int normal_gp(void *arg)
{
	(void)arg;
	synchronize_rcu();
	return 0;
}

/* The calling CPU's tick period, in percent of the one measured at boot. */
static void set_tick_percent(void *arg)
{
	lapic_timer_periodic(TIMER_VECTOR,
			     lapic_ticks_per_ms * (1000 / HZ) / 100 * *(unsigned int *)arg);
}

/*
 * An expedited request that comes while a normal grace period runs must not wait for that one
 * at the pace of ticks: the IPIs hurry it too (umount's synchronize_rcu_expedited met the
 * grace periods call_rcu's ticks ask for, and waited milliseconds each). The last CPU's tick
 * is made 2 s long and a thread keeps that CPU busy with preemption on, so the normal grace
 * period started first would take about 2 s; the expedited wait must end well before.
 */
static void test_expedited_hurries_a_normal_gp(struct ktest *t)
{
	unsigned int cpu = nr_cpu_ids - 1, slow = 20000, normal = 100;
	struct hurry h = {0};
	struct thread *busy, *sync;
	uint64_t t0, waited, end;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	busy = kthread_create(busy_preemptible, &h, "ktest-busy");
	ASSERT_NOT_NULL(t, busy);
	kthread_bind(busy, cpu);
	wake_up_new_thread(busy);
	while (!READ_ONCE(h.running))
		msleep(1);
	smp_call_function_single(cpu, set_tick_percent, &slow, true);
	sync = kthread_create(normal_gp, NULL, "ktest-sync");
	if (sync) {
		wake_up_new_thread(sync);
		end = ktime_ns() + 1000 * MS;
		while (!(rcu_get_stats().gp_seq & 1) && ktime_ns() < end)
			cpu_relax(); /* until that grace period has begun */
	}
	t0 = ktime_ns();
	synchronize_rcu_expedited();
	waited = ktime_ns() - t0;
	smp_call_function_single(cpu, set_tick_percent, &normal, true);
	WRITE_ONCE(h.stop, true);
	kthread_join(busy);
	if (sync)
		kthread_join(sync);
	ASSERT_NOT_NULL(t, sync);
	ktest_log(t, "expedited wait during a normal grace period: %llu us",
		  (unsigned long long)(waited / 1000));
	EXPECT_LT(t, waited, 1000 * MS);
}

#define STALL_MS 250

struct stall {
	volatile bool inside;
	uint64_t stalls_before;
};

/* Holds its CPU with preemption off (no switch, and no tick finds it quiescent) until the
   stall is reported: a fixed time could run out before the grace period even began, on a
   loaded host. Bounded, so a broken stall detector fails the test rather than hangs it. */
static int stall_spinner(void *arg)
{
	struct stall *s = arg;
	uint64_t end;

	preempt_disable();
	smp_store_release(&s->inside, true);
	end = ktime_ns() + 40 * STALL_MS * MS;
	while (rcu_get_stats().stalls == s->stalls_before && ktime_ns() < end)
		cpu_relax();
	preempt_enable();
	return 0;
}

static bool trace_has(const struct stack_entry *trace, unsigned n, const char *fn)
{
	for (unsigned i = 0; i < n; i++) {
		const char *name = stack_entry_symbol(&trace[i], NULL);

		if (name && strcmp(name, fn) == 0)
			return true;
	}
	return false;
}

/*
 * A CPU that spins with preemption off while a grace period waits: the stall warning (after
 * STALL_MS) names it, and an NMI finds it in the spinning function.
 */
static void test_stall_warning(struct ktest *t)
{
	struct stack_entry trace[NMI_BACKTRACE_MAX];
	struct rcu_stats before, after;
	struct stall s = {0};
	unsigned int cpu = nr_cpu_ids - 1, old, n;
	struct thread *th;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs (the spinner would hold the only one)");
	ASSERT_EQ(t, kthread_bind(current, 0), 0);
	old = rcu_set_stall_timeout_ms(STALL_MS);
	synchronize_rcu(); /* a grace period that began with the old timeout is over */
	before = rcu_get_stats();
	s.stalls_before = before.stalls;
	th = kthread_create(stall_spinner, &s, "ktest-stall");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, cpu);
	wake_up_new_thread(th);
	while (!smp_load_acquire(&s.inside))
		cpu_relax();
	n = nmi_backtrace_save(cpu, trace, NMI_BACKTRACE_MAX);
	synchronize_rcu(); /* cannot end before the spinner does: a stall */
	after = rcu_get_stats();
	rcu_set_stall_timeout_ms(old);
	kthread_join(th);
	kthread_unbind(current);
	ktest_log(t, "stalls %llu -> %llu; NMI backtrace of CPU %u: %u frames",
		  (unsigned long long)before.stalls, (unsigned long long)after.stalls, cpu, n);
	EXPECT_GT(t, after.stalls, before.stalls);
	EXPECT_TRUE(t, cpumask_test_cpu(cpu, &after.stall_cpus));
	EXPECT_GT(t, n, 0u);
	EXPECT_TRUE(t, trace_has(trace, n, "stall_spinner"));
}

KTEST_SUITE(rcu, KTEST_CASE(test_synchronize_waits_for_reader),
	    KTEST_CASE(test_expedited_waits_for_reader),
	    KTEST_CASE(test_call_rcu_runs_after_readers), KTEST_CASE(test_barrier_waits_for_all),
	    KTEST_CASE(test_call_rcu_is_lazy), KTEST_CASE(test_call_rcu_flood_asks_at_once),
	    KTEST_CASE(test_nesting), KTEST_CASE(test_grace_periods_advance),
	    KTEST_CASE(test_gp_ignores_later_reader),
	    KTEST_CASE(test_call_rcu_waits_for_readers_on_all_cpus),
	    KTEST_CASE(test_barrier_every_cpu), KTEST_CASE(test_expedited_latency),
	    KTEST_CASE(test_expedited_hurries_a_normal_gp), KTEST_CASE(test_stall_warning));
