/*
 * KTAP suite "sched": kernel threads start, end and return their exit code; a busy loop is
 * preempted, and a switch that falls due in a preempt-off or RCU section happens at its end;
 * sleep and wakeup lose nothing; threads move between CPUs when bound; unbound threads spread
 * out; kthread_create survives an allocation failure.
 *
 * No case depends on timing beyond generous bounds (TCG on a 2-core host may run 4 vCPUs).
 */
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/sched/wait.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/tick.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/rcu/rcu.h"
#include "mm/fault_inject.h"
#include "mm/vmap.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"

#define SECOND_NS 1000000000ULL

static int return_arg(void *arg)
{
	return (int)(uintptr_t)arg;
}

static void test_run_and_join(struct ktest *t)
{
	struct thread *th = kthread_run(return_arg, (void *)42, "ktest-ret");
	unsigned int before;

	ASSERT_NOT_NULL(t, th);
	before = nr_threads();
	EXPECT_EQ(t, kthread_join(th), 42);
	EXPECT_EQ(t, nr_threads(), before - 1);
}

static int must_not_run(void *arg)
{
	atomic_inc(arg);
	return 0;
}

static void test_stop_before_start(struct ktest *t)
{
	atomic_t ran = ATOMIC_INIT(0);
	struct thread *th = kthread_create(must_not_run, &ran, "ktest-never");

	ASSERT_NOT_NULL(t, th);
	EXPECT_EQ(t, kthread_stop(th), -EINTR);
	EXPECT_EQ(t, atomic_read(&ran), 0);
}

static int loop_until_stopped(void *arg)
{
	atomic_t *loops = arg;

	while (!kthread_should_stop()) {
		atomic_inc(loops);
		msleep(1);
	}
	return 7;
}

static void test_stop_running_thread(struct ktest *t)
{
	atomic_t loops = ATOMIC_INIT(0);
	struct thread *th = kthread_run(loop_until_stopped, &loops, "ktest-loop");

	ASSERT_NOT_NULL(t, th);
	msleep(50);
	EXPECT_EQ(t, kthread_stop(th), 7);
	EXPECT_GT(t, atomic_read(&loops), 0);
}

/* Each bound thread checks, across sleeps and yields, that it never leaves its CPU. */
static int stay_on_cpu(void *arg)
{
	unsigned int want = (unsigned int)(uintptr_t)arg;
	int wrong = 0;

	for (int i = 0; i < 20; i++) {
		wrong += smp_processor_id() != want;
		if (i & 1)
			yield();
		else
			msleep(1);
	}
	return wrong;
}

static void test_bound_threads_stay(struct ktest *t)
{
	struct thread *th[NR_CPUS];
	unsigned int cpu;

	for_each_cpu(cpu, &cpu_online_mask) {
		th[cpu] =
			kthread_create(stay_on_cpu, (void *)(uintptr_t)cpu, "ktest-bound/%u", cpu);
		ASSERT_NOT_NULL(t, th[cpu]);
		EXPECT_EQ(t, kthread_bind(th[cpu], cpu), 0);
		wake_up_new_thread(th[cpu]);
	}
	for_each_cpu(cpu, &cpu_online_mask)
		EXPECT_EQ(t, kthread_join(th[cpu]), 0);
}

static void test_bind_rejects_offline_cpu(struct ktest *t)
{
	struct thread *th = kthread_create(return_arg, NULL, "ktest-badbind");

	ASSERT_NOT_NULL(t, th);
	EXPECT_EQ(t, kthread_bind(th, NR_CPUS), -EINVAL);
	EXPECT_EQ(t, kthread_bind(th, nr_cpu_ids), -EINVAL);
	EXPECT_EQ(t, kthread_stop(th), -EINTR);
}

/*
 * Preemption: a thread spins without ever sleeping or yielding, on the same CPU as this one.
 * This thread sleeps, then sets a flag; it only gets the CPU back if the tick preempts the
 * spinner. The spinner gives up after 10 s so that a broken scheduler fails the case instead of
 * hanging the boot.
 */
struct spin_arg {
	volatile bool release;
	bool released;
};

static int spin_until_released(void *arg)
{
	struct spin_arg *s = arg;
	uint64_t end = ktime_ns() + 10 * SECOND_NS;

	while (!s->release && ktime_ns() < end)
		cpu_relax();
	s->released = s->release;
	return 0;
}

static void test_busy_loop_is_preempted(struct ktest *t)
{
	struct spin_arg s = {0};
	unsigned int cpu = smp_processor_id();
	struct thread *th;
	uint64_t preempt0;

	ASSERT_EQ(t, kthread_bind(current, cpu), 0);
	preempt0 = sched_stats(cpu).nr_preemptions;
	th = kthread_create(spin_until_released, &s, "ktest-spin");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, cpu);
	wake_up_new_thread(th);
	msleep(30); /* the spinner runs; this thread is woken by the tick and needs the CPU */
	s.release = true;
	EXPECT_EQ(t, smp_processor_id(), cpu);
	kthread_join(th);
	kthread_unbind(current);
	EXPECT_TRUE(t, s.released);
	EXPECT_GT(t, sched_stats(cpu).nr_preemptions, preempt0);
}

/*
 * A switch that falls due inside a section that holds off preemption happens at the section's
 * end: the tick sets need_resched, the interrupt's exit folds it into the preempt word (it
 * cannot switch: the count is 1), and the preempt_enable() or rcu_read_unlock() that brings
 * the count to 0 switches to the waiting thread (kernel/preempt.h).
 */
static int set_flag(void *arg)
{
	WRITE_ONCE(*(volatile bool *)arg, true);
	return 0;
}

static void check_section_end_switches(struct ktest *t, bool rcu)
{
	unsigned int cpu = smp_processor_id();
	volatile bool ran = false;
	uint64_t preempt0, end, ticks0;
	struct thread *th;
	bool due;

	ASSERT_EQ(t, kthread_bind(current, cpu), 0);
	th = kthread_create(set_flag, (void *)&ran, "ktest-waiter");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, cpu);
	if (rcu)
		rcu_read_lock();
	else
		preempt_disable();
	wake_up_new_thread(th); /* queued behind this thread, which will not let go */
	/* Ten of this CPU's ticks, not a time: the slice is 2 ticks, and a vCPU the host does not
	   run takes none (10 s bound the wait if the tick is broken). */
	ticks0 = READ_ONCE(per_cpu(cpu_info, cpu).ticks);
	end = ktime_ns() + 10000000000ULL;
	while (!need_resched() && READ_ONCE(per_cpu(cpu_info, cpu).ticks) - ticks0 < 10 &&
	       ktime_ns() < end)
		cpu_relax();
	due = need_resched();
	EXPECT_EQ(t, preempt_count(), 1); /* the folded bit is not part of the count */
	EXPECT_FALSE(t, ran);
	preempt0 = sched_stats(cpu).nr_preemptions;
	if (rcu)
		rcu_read_unlock();
	else
		preempt_enable();
	EXPECT_TRUE(t, due);
	EXPECT_TRUE(t, ran); /* it ran in the switch at the section's end */
	EXPECT_GT(t, sched_stats(cpu).nr_preemptions, preempt0);
	EXPECT_EQ(t, preempt_count(), 0);
	kthread_join(th);
	kthread_unbind(current);
}

static void test_preempt_enable_switches_when_due(struct ktest *t)
{
	check_section_end_switches(t, false);
}

static void test_rcu_read_unlock_switches_when_due(struct ktest *t)
{
	check_section_end_switches(t, true);
}

/* With nothing due, the end of a section is just a decrement: no switch, no preemption. */
static void test_section_end_without_switch(struct ktest *t)
{
	unsigned int cpu = smp_processor_id();
	uint64_t preempt0;

	ASSERT_EQ(t, kthread_bind(current, cpu), 0);
	preempt0 = sched_stats(cpu).nr_preemptions;
	for (int i = 0; i < 1000; i++) {
		preempt_disable();
		rcu_read_lock();
		rcu_read_unlock();
		preempt_enable();
	}
	EXPECT_EQ(t, preempt_count(), 0);
	/* A tick may have preempted this thread for another one: allow a few, not one per pair. */
	EXPECT_LT(t, sched_stats(cpu).nr_preemptions - preempt0, 10ULL);
	kthread_unbind(current);
}

/* Sleep and wakeup: every wakeup of a waiter on a wait queue is seen, on every CPU. */
struct pingpong {
	struct wait_queue_head wq;
	volatile unsigned int ball; /* even: the main side's turn; odd: the thread's */
	unsigned int rounds;
};

static int pong(void *arg)
{
	struct pingpong *p = arg;

	for (unsigned int i = 0; i < p->rounds; i++) {
		wait_event(p->wq, p->ball == 2 * i + 1);
		p->ball++;
		wake_up(&p->wq);
	}
	return 0;
}

static void test_sleep_and_wakeup(struct ktest *t)
{
	struct pingpong p = {.ball = 0, .rounds = 200};
	unsigned int cpu = nr_cpu_ids > 1 ? 1 : 0;
	struct thread *th;

	init_waitqueue_head(&p.wq, "pingpong");
	th = kthread_create(pong, &p, "ktest-pong");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, cpu);
	wake_up_new_thread(th);
	for (unsigned int i = 0; i < p.rounds; i++) {
		p.ball++;
		wake_up(&p.wq);
		wait_event(p.wq, p.ball == 2 * i + 2);
	}
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, p.ball, 2 * p.rounds);
}

static void test_wait_timeout_and_msleep(struct ktest *t)
{
	DEFINE_WAIT_QUEUE_HEAD(wq);
	uint64_t j0 = jiffies, t0 = ktime_ns();
	long left;

	left = wait_event_timeout(wq, false, 3);
	EXPECT_EQ(t, left, 0);
	EXPECT_GE(t, jiffies - j0, 3u);
	t0 = ktime_ns();
	msleep(50);
	EXPECT_GE(t, ktime_ns() - t0, 50000000ULL);
	left = wait_event_timeout(wq, true, 3);
	EXPECT_GT(t, left, 0);
}

/* CPU 0's tick, which advances jiffies, at rate_pct percent of its measured period. */
static void set_tick_period(void *arg)
{
	unsigned int pct = *(unsigned int *)arg;

	lapic_timer_periodic(TIMER_VECTOR, lapic_ticks_per_ms * (1000 / HZ) / 100 * pct);
}

/*
 * The APIC timer's rate is measured at boot, and under TCG on a busy host the measure can be
 * off. With CPU 0's tick a third too fast, timeouts must still last their time on the clock
 * (ktime_ns, what programs read): jiffies follow the clock, not the count of interrupts.
 */
static void test_timeouts_follow_the_clock(struct ktest *t)
{
	DEFINE_WAIT_QUEUE_HEAD(wq);
	unsigned int fast = 66, normal = 100;
	uint64_t t0, waited, slept;

	ASSERT_EQ(t, smp_call_function_single(0, set_tick_period, &fast, true), 0);
	t0 = ktime_ns();
	wait_event_timeout(wq, false, msecs_to_jiffies(30) + 1);
	waited = ktime_ns() - t0;
	t0 = ktime_ns();
	msleep(40);
	slept = ktime_ns() - t0;
	smp_call_function_single(0, set_tick_period, &normal, true);
	EXPECT_GE(t, waited, 30000000ULL);
	EXPECT_GE(t, slept, 40000000ULL);
}

static int record_cpus(void *arg)
{
	unsigned int *seen = arg;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (kthread_bind(current, cpu))
			return -1;
		seen[cpu] = smp_processor_id();
		msleep(1);
		seen[cpu] = seen[cpu] == smp_processor_id() ? seen[cpu] : NR_CPUS;
	}
	return 0;
}

/* Migration: a thread rebinds itself to each CPU in turn and finds itself there. */
static void test_migration(struct ktest *t)
{
	unsigned int seen[NR_CPUS];
	struct thread *th = kthread_run(record_cpus, seen, "ktest-migrate");

	ASSERT_NOT_NULL(t, th);
	EXPECT_EQ(t, kthread_join(th), 0);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, seen[cpu], cpu);
}

/*
 * The same for the thread that runs the tests (the boot's main thread, which the scheduler
 * adopted instead of starting it): binding itself must move it too.
 */
static void test_migration_of_this_thread(struct ktest *t)
{
	unsigned int seen[NR_CPUS];
	int ret = record_cpus(seen);

	kthread_unbind(current);
	ASSERT_EQ(t, ret, 0);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, seen[cpu], cpu);
}

/* Moves a running thread from outside: it must arrive without stopping. */
static int spin_until_stopped(void *arg)
{
	(void)arg;
	while (!kthread_should_stop())
		cpu_relax();
	return (int)smp_processor_id();
}

static void test_migrate_running_thread(struct ktest *t)
{
	unsigned int target = nr_cpu_ids - 1;
	struct thread *th;
	uint64_t end;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	th = kthread_create(spin_until_stopped, NULL, "ktest-mover");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, 0);
	wake_up_new_thread(th);
	msleep(20);
	EXPECT_EQ(t, kthread_bind(th, target), 0);
	end = ktime_ns() + 10 * SECOND_NS;
	while (READ_ONCE(th->cpu) != target && ktime_ns() < end)
		msleep(1);
	EXPECT_EQ(t, READ_ONCE(th->cpu), target);
	EXPECT_EQ(t, kthread_stop(th), (int)target);
	EXPECT_GE(t, th->nr_migrations, 1u);
}

/* Load balancing: threads made on one CPU and then let go spread to the others. */
struct spread {
	atomic_t cpus_seen[NR_CPUS];
};

static int spin_and_note(void *arg)
{
	struct spread *s = arg;
	uint64_t end = ktime_ns() + SECOND_NS / 2;

	while (ktime_ns() < end) {
		atomic_set(&s->cpus_seen[smp_processor_id()], 1);
		cpu_relax();
	}
	return 0;
}

static void test_load_balancing(struct ktest *t)
{
	struct spread s = {0};
	struct thread *th[8];
	unsigned int n = nr_cpu_ids * 2 > 8 ? 8 : nr_cpu_ids * 2, others = 0;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	for (unsigned int i = 0; i < n; i++) {
		th[i] = kthread_create(spin_and_note, &s, "ktest-spread/%u", i);
		ASSERT_NOT_NULL(t, th[i]);
		kthread_bind(th[i], 0);
		wake_up_new_thread(th[i]);
		kthread_unbind(th[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		kthread_join(th[i]);
	for (unsigned int cpu = 1; cpu < nr_cpu_ids; cpu++)
		others += atomic_read(&s.cpus_seen[cpu]);
	ktest_log(t, "%u threads started on CPU 0 ran on %u other CPUs", n, others);
	EXPECT_GE(t, others, 1u);
}

static void test_create_fails_cleanly(struct ktest *t)
{
	unsigned int threads = nr_threads(), stacks = vmap_stacks_in_use();
	struct thread *th;

	for (unsigned int nth = 1; nth <= 2; nth++) {
		alloc_fail_inject(nth);
		th = kthread_create(return_arg, NULL, "ktest-nomem");
		alloc_fail_cancel();
		EXPECT_NULL(t, th);
		if (th)
			kthread_stop(th);
	}
	EXPECT_EQ(t, nr_threads(), threads);
	EXPECT_EQ(t, vmap_stacks_in_use(), stacks);
}

KTEST_SUITE(sched, KTEST_CASE(test_run_and_join), KTEST_CASE(test_stop_before_start),
	    KTEST_CASE(test_stop_running_thread), KTEST_CASE(test_bound_threads_stay),
	    KTEST_CASE(test_bind_rejects_offline_cpu), KTEST_CASE(test_busy_loop_is_preempted),
	    KTEST_CASE(test_preempt_enable_switches_when_due),
	    KTEST_CASE(test_rcu_read_unlock_switches_when_due),
	    KTEST_CASE(test_section_end_without_switch), KTEST_CASE(test_sleep_and_wakeup),
	    KTEST_CASE(test_wait_timeout_and_msleep), KTEST_CASE(test_timeouts_follow_the_clock),
	    KTEST_CASE(test_migration), KTEST_CASE(test_migration_of_this_thread),
	    KTEST_CASE(test_migrate_running_thread), KTEST_CASE(test_load_balancing),
	    KTEST_CASE(test_create_fails_cleanly));
