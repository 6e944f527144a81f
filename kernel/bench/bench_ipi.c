/*
 * bench ipi: the round trip of a cross-CPU function call. Thread 0 asks another CPU to run an
 * empty function and waits until it has (smp_call_function_single with wait): one IPI out, the
 * handler there, and a store back that thread 0 sees. "single" calls the next CPU; "many" calls
 * every other CPU in the run at once (smp_call_function_many) and waits for all: the cost of a
 * TLB shootdown's IPI round (docs/vm.md). The other threads only keep their CPUs in the run; they
 * sleep, so their CPUs halt in the idle loop as a shootdown target usually would.
 *
 * ns_per_op here is the round-trip time: one thread does the calls (LATENCY_BENCHMARK).
 */
#include "kernel/bench/bench.h"
#include "kernel/smp.h"
#include "kernel/cpumask.h"
#include "kernel/sched/sleep.h"
#include "lib/atomic.h"

static void nothing(void *info)
{
	(void)info;
}

/* The others wait for the end without using their CPUs. */
static uint64_t idle_until_stop(struct bench_thread *b)
{
	while (!READ_ONCE(*b->stop))
		msleep(10);
	return 0;
}

static uint64_t run_single(struct bench_thread *b)
{
	uint64_t ops = 0;

	if (b->index != 0)
		return idle_until_stop(b);
	while (!READ_ONCE(*b->stop)) {
		smp_call_function_single(b->cpus[1], nothing, NULL, true);
		ops++;
	}
	return ops;
}

static uint64_t run_many(struct bench_thread *b)
{
	struct cpumask others;
	uint64_t ops = 0;

	if (b->index != 0)
		return idle_until_stop(b);
	cpumask_clear(&others);
	for (unsigned int i = 1; i < b->nr_threads; i++)
		cpumask_set_cpu(b->cpus[i], &others);
	while (!READ_ONCE(*b->stop)) {
		smp_call_function_many(&others, nothing, NULL, true);
		ops++;
	}
	return ops;
}

LATENCY_BENCHMARK(ipi, "round trip of a cross-CPU call: to one CPU, and to all the others at once", 2,
	  { "single", NULL, run_single, NULL },
	  { "many", NULL, run_many, NULL });
