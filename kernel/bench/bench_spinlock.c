/*
 * bench spinlock: acquire + release of a ticket spinlock. "uncontended": each CPU has a lock
 * of its own, so this measures the instructions (two atomics and the preempt count).
 * "contended": all CPUs share one lock, so each acquisition waits for the line and the turn
 * (a ticket lock hands over in FIFO order). Under TCG with more vCPUs than host cores the
 * contended case also measures the host scheduler: a waiter whose turn has come may not be
 * running (docs/bench.md).
 */
#include "kernel/bench/bench.h"
#include "kernel/locking/spinlock.h"
#include "kernel/percpu.h"
#include "lib/atomic.h"

#define BATCH 100

/* A lock and the data it protects, on one cache line. */
struct locked_counter {
	spinlock_t lock;
	uint64_t value;
} __aligned(64);

static struct locked_counter shared;
static DEFINE_PER_CPU(struct locked_counter, own);

static uint64_t lock_loop(struct bench_thread *b, struct locked_counter *c)
{
	uint64_t ops = 0;

	while (!READ_ONCE(*b->stop)) {
		for (int i = 0; i < BATCH; i++) {
			spin_lock(&c->lock);
			c->value++;
			spin_unlock(&c->lock);
		}
		ops += BATCH;
	}
	return ops;
}

static uint64_t run_uncontended(struct bench_thread *b)
{
	struct locked_counter *c = per_cpu_ptr(&own, b->cpu);

	spin_lock_init(&c->lock, "bench_own");
	return lock_loop(b, c);
}

static uint64_t run_contended(struct bench_thread *b)
{
	return lock_loop(b, &shared);
}

static int setup_shared(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	spin_lock_init(&shared.lock, "bench_shared");
	return 0;
}

BENCHMARK(spinlock, "acquire+release of a per-CPU lock vs one shared lock", 1,
	  { "uncontended", NULL, run_uncontended, NULL },
	  { "contended", setup_shared, run_contended, NULL });
