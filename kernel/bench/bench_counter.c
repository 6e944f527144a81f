/*
 * bench counter: the cost of counting events from every CPU. "atomic" increments one shared
 * atomic_t: every increment needs the cache line in this CPU's cache in exclusive state, so the
 * line bounces between CPUs and adding CPUs adds little throughput. "percpu" increments this
 * CPU's own counter (a DEFINE_PER_CPU variable, on a cache line no other CPU writes): it should
 * scale with the CPUs. Two of the Linux changes this kernel teaches are this trade: the mount
 * writer count ("fs: mnt_want_write speedup", 2.6.29) and the mount reference count ("fs:
 * scale mntget/mntput", 2.6.38) moved from the first to the second.
 */
#include "kernel/bench/bench.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "lib/atomic.h"
#include "lib/printf.h"

#define BATCH 1000 /* increments between looks at the stop flag */

static atomic64_t shared_counter;
static DEFINE_PER_CPU(uint64_t, percpu_counter);

static int counter_setup(unsigned int nr_threads, void **data)
{
	unsigned int cpu;

	(void)nr_threads;
	(void)data;
	atomic64_set(&shared_counter, 0);
	for_each_cpu(cpu, &cpu_online_mask)
		per_cpu(percpu_counter, cpu) = 0;
	return 0;
}

static uint64_t run_atomic(struct bench_thread *b)
{
	uint64_t ops = 0;

	while (!READ_ONCE(*b->stop)) {
		for (int i = 0; i < BATCH; i++)
			atomic64_inc(&shared_counter);
		ops += BATCH;
	}
	return ops;
}

static uint64_t run_percpu(struct bench_thread *b)
{
	uint64_t ops = 0;

	while (!READ_ONCE(*b->stop)) {
		preempt_disable();
		for (int i = 0; i < BATCH; i++)
			WRITE_ONCE(*this_cpu_ptr(&percpu_counter),
				   READ_ONCE(*this_cpu_ptr(&percpu_counter)) + 1);
		preempt_enable();
		ops += BATCH;
	}
	return ops;
}

/* The counters must add up to the operations reported: the "sum" key says what they hold. */
static void report_atomic(void *data, char *extra, size_t size)
{
	(void)data;
	snprintf(extra, size, " sum=%llu", (unsigned long long)atomic64_read(&shared_counter));
}

static void report_percpu(void *data, char *extra, size_t size)
{
	uint64_t sum = 0;
	unsigned int cpu;

	(void)data;
	for_each_cpu(cpu, &cpu_online_mask)
		sum += per_cpu(percpu_counter, cpu);
	snprintf(extra, size, " sum=%llu", (unsigned long long)sum);
}

BENCHMARK(counter, "increments of one shared atomic vs a per-CPU counter", 1,
	  { "atomic", counter_setup, run_atomic, report_atomic },
	  { "percpu", counter_setup, run_percpu, report_percpu });
