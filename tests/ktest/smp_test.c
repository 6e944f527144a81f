/*
 * KTAP suite "smp": every CPU came up with its own identity, IPIs reach each CPU and only the
 * ones asked for, the timer ticks everywhere, and spinlocks exclude each other on real
 * concurrent CPUs. Meaningful at any -smp count; `make test` runs it at 1, 2, 3 and 4.
 */
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/locking/spinlock.h"
#include "kernel/tick.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"

/*
 * A million non-atomic increments in all, 1000 per critical section. One increment per section
 * would be the textbook version, but under TCG with more vCPUs than host cores a ticket lock
 * convoys: the waiter whose turn it is may be descheduled by the host, and everyone waits for
 * it (20,000 handoffs took 5 s at -smp 4 on 2 host cores, and far longer with a second QEMU
 * running). 1,000 handoffs keep the test short; a lock that let two CPUs in at once still loses
 * updates inside the sections (without the lock, 2 CPUs ended near 530,000).
 */
#define LOCK_INCREMENTS	       1000000
#define INCREMENTS_PER_SECTION 1000

static void test_all_cpus_online(struct ktest *t)
{
	EXPECT_GE(t, num_online_cpus(), 1u);
	EXPECT_EQ(t, num_online_cpus(), nr_cpu_ids);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		EXPECT_TRUE(t, cpu_online(cpu));
		EXPECT_TRUE(t, per_cpu(cpu_info, cpu).online);
	}
	ktest_log(t, "%u CPUs online", num_online_cpus());
}

static void test_distinct_apic_ids_and_areas(struct ktest *t)
{
	for (unsigned int a = 0; a < nr_cpu_ids; a++) {
		struct cpu *ca = per_cpu_ptr(&cpu_info, a);
		EXPECT_TRUE(t, ca->self == ca);
		EXPECT_EQ(t, ca->id, a);
		for (unsigned int b = a + 1; b < nr_cpu_ids; b++) {
			struct cpu *cb = per_cpu_ptr(&cpu_info, b);
			EXPECT_NE(t, ca->apic_id, cb->apic_id);
			EXPECT_TRUE(t, ca != cb);
		}
	}
}

struct whoami {
	unsigned int cpu;
	uint32_t hw_apic_id, recorded_apic_id;
	struct cpu *self;
};

static void record_whoami(void *arg)
{
	struct whoami *w = arg;
	w->cpu = smp_processor_id();
	w->hw_apic_id = lapic_id();
	w->recorded_apic_id = this_cpu()->apic_id;
	w->self = this_cpu();
}

/* Runs on each CPU by IPI: %gs points at that CPU's own area, whose APIC id is the hardware's. */
static void test_ipi_reaches_each_cpu(struct ktest *t)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct whoami w = {.cpu = ~0u};
		uint64_t ipis = per_cpu(cpu_info, cpu).ipis;
		ASSERT_EQ(t, smp_call_function_single(cpu, record_whoami, &w, true), 0);
		EXPECT_EQ(t, w.cpu, cpu);
		EXPECT_EQ(t, w.hw_apic_id, w.recorded_apic_id);
		EXPECT_TRUE(t, w.self == per_cpu_ptr(&cpu_info, cpu));
		if (cpu != smp_processor_id())
			EXPECT_GT(t, per_cpu(cpu_info, cpu).ipis, ipis);
	}
	EXPECT_EQ(t, smp_call_function_single(NR_CPUS, record_whoami, NULL, true), -EINVAL);
}

static struct cpumask ran_on;

static void mark_ran(void *arg)
{
	(void)arg;
	cpumask_set_cpu(smp_processor_id(), &ran_on);
}

/* The function runs on exactly the CPUs of the mask (this CPU excluded, as documented). */
static void test_call_many_exact_mask(struct ktest *t)
{
	struct cpumask mask;
	unsigned int me = smp_processor_id();

	cpumask_clear(&mask);
	cpumask_clear(&ran_on);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu += 2)
		cpumask_set_cpu(cpu, &mask);
	smp_call_function_many(&mask, mark_ran, NULL, true);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		bool want = cpu != me && cpu < nr_cpu_ids && cpumask_test_cpu(cpu, &mask);
		EXPECT_EQ(t, cpumask_test_cpu(cpu, &ran_on), want);
	}
}

/* A call without wait still runs; on_each_cpu includes this CPU. */
static void test_no_wait_and_on_each_cpu(struct ktest *t)
{
	uint64_t end;

	cpumask_clear(&ran_on);
	smp_call_function_many(&cpu_online_mask, mark_ran, NULL, false);
	end = ktime_ns() + 10000000000ULL; /* a bound, not a timing test */
	while (cpumask_weight(&ran_on) < nr_cpu_ids - 1 && ktime_ns() < end)
		cpu_relax();
	EXPECT_EQ(t, cpumask_weight(&ran_on), nr_cpu_ids - 1);
	cpumask_clear(&ran_on);
	on_each_cpu(mark_ran, NULL, true);
	EXPECT_EQ(t, cpumask_weight(&ran_on), nr_cpu_ids);
}

static DEFINE_SPINLOCK(counter_lock);
static unsigned long counter; /* plain, not atomic: only the lock protects it */
static unsigned long per_cpu_share;

static void increment_locked(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < per_cpu_share; i += INCREMENTS_PER_SECTION) {
		spin_lock(&counter_lock);
		for (unsigned int j = 0; j < INCREMENTS_PER_SECTION; j++)
			counter = READ_ONCE(counter) + 1;
		spin_unlock(&counter_lock);
	}
}

/* All CPUs hammer one lock at once; any lost update shows as a short count. */
static void test_spinlock_mutual_exclusion(struct ktest *t)
{
	uint64_t t0 = ktime_ns();

	counter = 0;
	per_cpu_share =
		LOCK_INCREMENTS / nr_cpu_ids / INCREMENTS_PER_SECTION * INCREMENTS_PER_SECTION;
	on_each_cpu(increment_locked, NULL, true);
	EXPECT_EQ(t, counter, per_cpu_share * nr_cpu_ids);
	EXPECT_FALSE(t, spin_is_locked(&counter_lock));
	ktest_log(t, "%lu increments on %u CPUs in %llu ms", counter, nr_cpu_ids,
		  (unsigned long long)((ktime_ns() - t0) / 1000000));
}

static void test_spin_trylock(struct ktest *t)
{
	DEFINE_SPINLOCK(l);
	ASSERT_TRUE(t, spin_trylock(&l));
	EXPECT_TRUE(t, spin_is_locked(&l));
	EXPECT_TRUE(t, spin_held_by_me(&l));
	spin_unlock(&l);
	EXPECT_FALSE(t, spin_is_locked(&l));
	EXPECT_FALSE(t, spin_held_by_me(&l));
}

static uint64_t ticks_before[NR_CPUS];

/* True when every CPU has taken at least n timer interrupts since ticks_before was recorded. */
static bool all_ticked(uint64_t n)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (READ_ONCE(per_cpu(cpu_info, cpu).ticks) - ticks_before[cpu] < n)
			return false;
	return true;
}

/*
 * With interrupts on, every CPU's timer keeps ticking. Not a timing test: under TCG a vCPU the
 * host does not run for a while takes one interrupt for several expirations, so we only ask for
 * a few ticks everywhere within a generous bound. jiffies follow the clock (kernel/tick.c):
 * once four tick periods have passed on it, CPU 0's next tick has moved jiffies by at least 3.
 */
static void test_ticks_advance_everywhere(struct ktest *t)
{
	uint64_t j = jiffies, t0 = ktime_ns(), end = t0 + 10000000000ULL, cpu0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		ticks_before[cpu] = per_cpu(cpu_info, cpu).ticks;
	while ((!all_ticked(3) || ktime_ns() < t0 + 4 * TICK_NSEC) && ktime_ns() < end)
		cpu_relax();
	cpu0 = READ_ONCE(per_cpu(cpu_info, 0).ticks);
	while (READ_ONCE(per_cpu(cpu_info, 0).ticks) == cpu0 && ktime_ns() < end)
		cpu_relax();
	smp_rmb(); /* the count, then jiffies: pairs with the smp_wmb() in kernel/tick.c */
	EXPECT_TRUE(t, all_ticked(3));
	EXPECT_GE(t, jiffies - j, 3ull);
}

KTEST_SUITE(smp, KTEST_CASE(test_all_cpus_online), KTEST_CASE(test_distinct_apic_ids_and_areas),
	    KTEST_CASE(test_ipi_reaches_each_cpu), KTEST_CASE(test_call_many_exact_mask),
	    KTEST_CASE(test_no_wait_and_on_each_cpu), KTEST_CASE(test_spinlock_mutual_exclusion),
	    KTEST_CASE(test_spin_trylock), KTEST_CASE(test_ticks_advance_everywhere));
