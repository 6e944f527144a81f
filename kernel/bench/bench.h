/*
 * The benchmark harness. A benchmark has variants (the "before" and "after" of a change, say a
 * shared atomic counter against a per-CPU one); the harness runs each variant with 1, 2, 4 ...
 * CPUs, one kernel thread bound to each, for a fixed time, in the same boot, and prints a human
 * table and one machine-readable line per result:
 *
 *	BENCH name=counter variant=percpu cpus=2 ops=81234567 seconds=1.000123 ns_per_op=24.622
 *
 * ns_per_op is the time one CPU spends on one operation: seconds * cpus / ops. Throughput is
 * ops / seconds; tools/bench-report turns the lines into ratios and plots (docs/bench.md).
 *
 * A benchmark is a BENCHMARK(...) definition in its own file under kernel/bench/.
 */
#ifndef KERNEL_BENCH_BENCH_H
#define KERNEL_BENCH_BENCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "lib/compiler.h"

struct bench_thread {
	unsigned int index; /* 0 .. nr_threads-1 */
	unsigned int nr_threads;
	unsigned int cpu;     /* the CPU it is bound to */
	const unsigned int *cpus; /* every thread's CPU */
	volatile bool *stop;  /* set when the time is up; loops check it often */
	void *data;	      /* the variant's, from setup */
};

struct bench_variant {
	const char *name;
	/* Optional: prepares for nr_threads threads; returns 0 or a negative errno. */
	int (*setup)(unsigned int nr_threads, void **data);
	/* Runs until *b->stop; returns the operations it did. */
	uint64_t (*run)(struct bench_thread *b);
	/* Optional: appends " key=value" pairs to the BENCH line, then frees what setup made. */
	void (*teardown)(void *data, char *extra, size_t size);
};

struct bench {
	const char *name;
	const char *help;
	unsigned int min_cpus; /* fewer CPUs than this make no sense (an IPI needs 2) */
	bool latency;	       /* only thread 0 counts ops: ns_per_op = seconds / ops */
	const struct bench_variant *variants;
	unsigned int nr_variants;
};

#define BENCHMARK(name_, help_, min_cpus_, ...) __BENCHMARK(name_, help_, min_cpus_, false, __VA_ARGS__)
/* A benchmark whose ops are the calls of thread 0 alone (a round-trip time). */
#define LATENCY_BENCHMARK(name_, help_, min_cpus_, ...) \
	__BENCHMARK(name_, help_, min_cpus_, true, __VA_ARGS__)

#define __BENCHMARK(name_, help_, min_cpus_, latency_, ...)                                                   \
	static const struct bench_variant bench_variants_##name_[] = { __VA_ARGS__ };             \
	static const struct bench bench_##name_ __used __aligned(8) __section(".benchmarks") = { \
		#name_, help_, min_cpus_, latency_, bench_variants_##name_,                                \
		sizeof(bench_variants_##name_) / sizeof(bench_variants_##name_[0])               \
	}

#define BENCH_MAX_CPUS_LIST 16
#define BENCH_MAX_REPEAT    15

struct bench_options {
	unsigned int cpus[BENCH_MAX_CPUS_LIST]; /* CPU counts to run, e.g. 1 2 4 */
	unsigned int nr_cpus;			/* 0: 1, 2, 4 ... up to every online CPU */
	unsigned int seconds;			/* per variant and CPU count */
	unsigned int repeat;			/* rounds; each result is their median */
};

const struct bench *bench_find(const char *name);
const struct bench *bench_next(const struct bench *prev); /* NULL: the first */
/* Runs every variant of b at every CPU count. Returns 0, -EINTR on Ctrl-C, or an error. */
int bench_run(const struct bench *b, const struct bench_options *opt);
/* Runs the benchmarks named in list ("all" or "a,b,c"): the bench= boot parameter. */
int bench_run_list(const char *list, unsigned int seconds, unsigned int repeat);

#endif
