/*
 * bench rcu_gp: how long synchronize_rcu() takes on an otherwise idle machine. "normal" waits
 * for every CPU's next quiescent state, which on an idle CPU is its next timer tick (HZ=100:
 * 10 ms apart); "expedited" sends an IPI that makes each CPU report at once. Thread 0 calls it
 * in a loop; the other threads sleep, so their CPUs idle the way most CPUs do when an updater
 * waits. Every online CPU takes part in a grace period, not only those of the run.
 *
 * ns_per_op is the time of one call (LATENCY_BENCHMARK); ticks= is the same in timer ticks
 * with three decimals, the unit the grace-period machinery works in.
 */
#include "kernel/bench/bench.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/sleep.h"
#include "kernel/tick.h"
#include "arch/x86_64/tsc.h"
#include "lib/printf.h"

/* What thread 0 measured, for teardown's extra keys. */
struct gp_measured {
	uint64_t calls;
	uint64_t ns;
};
static struct gp_measured measured;

static int setup(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	measured.calls = measured.ns = 0;
	*data = &measured;
	return 0;
}

static uint64_t run(struct bench_thread *b, void (*sync)(void))
{
	uint64_t calls = 0, t0;

	if (b->index != 0) {
		while (!READ_ONCE(*b->stop))
			msleep(10);
		return 0;
	}
	t0 = ktime_ns();
	while (!READ_ONCE(*b->stop)) {
		sync();
		calls++;
	}
	measured.ns = ktime_ns() - t0;
	measured.calls = calls;
	return calls;
}

static uint64_t run_normal(struct bench_thread *b)
{
	return run(b, synchronize_rcu);
}

static uint64_t run_expedited(struct bench_thread *b)
{
	return run(b, synchronize_rcu_expedited);
}

static void teardown(void *data, char *extra, size_t size)
{
	const struct gp_measured *m = data;
	/* milli-ticks per call: ns * HZ / 1e9 * 1000 */
	uint64_t mticks = m->calls ? m->ns * HZ / m->calls / 1000000 : 0;

	snprintf(extra, size, " ticks=%llu.%03llu", (unsigned long long)(mticks / 1000),
		 (unsigned long long)(mticks % 1000));
}

LATENCY_BENCHMARK(rcu_gp, "synchronize_rcu latency: waiting for the ticks vs expedited by IPI", 1,
		  { "normal", setup, run_normal, teardown },
		  { "expedited", setup, run_expedited, teardown });
