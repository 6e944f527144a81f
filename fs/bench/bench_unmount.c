/*
 * `bench unmount` (fs/mnt_longterm.c): what letting go of N longterm private mounts costs,
 * N = 1, 4, 16 or 64. Thread 0 makes N clone_private_mounts of /tmp and lets go of them, over
 * and over; the other threads sleep, so their CPUs idle as most CPUs do while an updater waits
 * (every online CPU takes part in a grace period, not only those of the run). Variants, the way
 * and N (fs/bench/unmount_cost.c):
 *   each       kern_unmount of each mount: a grace period per mount, as overlayfs would pay
 *              without kern_unmount_array (the "before")
 *   array      kern_unmount_array: one grace period for all N (ours)
 *   expedited  Linux's kern_unmount_array: one expedited grace period (IPIs)
 *
 * An op is one round (make N, let go of N). The keys: n, unmount_ns (letting go of the N, the
 * mean per op), make_ns (making them) and gps_per_op (RCU's count of grace periods completed
 * while letting go, per op, with three decimals).
 */
#include "kernel/bench/bench.h"
#include "fs/bench/unmount_cost.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "kernel/sched/sleep.h"
#include "lib/printf.h"

static struct unmount_bench {
	struct path path;
	unsigned int n;
	uint64_t ops, make_ns, unmount_ns, gps;
	int err;
} ub;

static int ub_setup(unsigned int nr_threads, void **data)
{
	int err;

	(void)nr_threads;
	ub = (struct unmount_bench){0};
	if ((err = kern_path("/tmp", 0, &ub.path)))
		return err;
	*data = &ub;
	return 0;
}

static uint64_t ub_run(struct bench_thread *b, enum unmount_way way, unsigned int n)
{
	struct unmount_cost c;

	if (b->index != 0) {
		while (!READ_ONCE(*b->stop))
			msleep(10);
		return 0;
	}
	ub.n = n;
	while (!READ_ONCE(*b->stop) && !ub.err) {
		if ((ub.err = unmount_cost(&ub.path, n, way, &c)))
			break;
		ub.ops++;
		ub.make_ns += c.make_ns;
		ub.unmount_ns += c.unmount_ns;
		ub.gps += c.gps;
	}
	return ub.ops;
}

static void ub_teardown(void *data, char *extra, size_t size)
{
	struct unmount_bench *u = data;
	uint64_t ops = u->ops ? u->ops : 1;

	snprintf(extra, size, " n=%u unmount_ns=%llu make_ns=%llu gps_per_op=%llu.%03llu%s", u->n,
		 (unsigned long long)(u->unmount_ns / ops), (unsigned long long)(u->make_ns / ops),
		 (unsigned long long)(u->gps / ops),
		 (unsigned long long)(u->gps * 1000 / ops % 1000), u->err ? " error=1" : "");
	path_put(&u->path);
}

#define UNMOUNT_RUN(way, n)                                                                        \
	static uint64_t run_##way##_##n(struct bench_thread *b)                                    \
	{                                                                                          \
		return ub_run(b, way, n);                                                          \
	}
#define UNMOUNT_VARIANT(way, n, name)                                                              \
	{                                                                                          \
		name, ub_setup, run_##way##_##n, ub_teardown                                       \
	}

UNMOUNT_RUN(UNMOUNT_EACH, 1)
UNMOUNT_RUN(UNMOUNT_EACH, 4)
UNMOUNT_RUN(UNMOUNT_EACH, 16)
UNMOUNT_RUN(UNMOUNT_EACH, 64)
UNMOUNT_RUN(UNMOUNT_ARRAY, 1)
UNMOUNT_RUN(UNMOUNT_ARRAY, 4)
UNMOUNT_RUN(UNMOUNT_ARRAY, 16)
UNMOUNT_RUN(UNMOUNT_ARRAY, 64)
UNMOUNT_RUN(UNMOUNT_EXPEDITED, 1)
UNMOUNT_RUN(UNMOUNT_EXPEDITED, 4)
UNMOUNT_RUN(UNMOUNT_EXPEDITED, 16)
UNMOUNT_RUN(UNMOUNT_EXPEDITED, 64)

LATENCY_BENCHMARK(unmount, "letting go of N=1-64 private mounts: kern_unmount each vs the array", 1,
		  UNMOUNT_VARIANT(UNMOUNT_EACH, 1, "each-1"),
		  UNMOUNT_VARIANT(UNMOUNT_EACH, 4, "each-4"),
		  UNMOUNT_VARIANT(UNMOUNT_EACH, 16, "each-16"),
		  UNMOUNT_VARIANT(UNMOUNT_EACH, 64, "each-64"),
		  UNMOUNT_VARIANT(UNMOUNT_ARRAY, 1, "array-1"),
		  UNMOUNT_VARIANT(UNMOUNT_ARRAY, 4, "array-4"),
		  UNMOUNT_VARIANT(UNMOUNT_ARRAY, 16, "array-16"),
		  UNMOUNT_VARIANT(UNMOUNT_ARRAY, 64, "array-64"),
		  UNMOUNT_VARIANT(UNMOUNT_EXPEDITED, 1, "expedited-1"),
		  UNMOUNT_VARIANT(UNMOUNT_EXPEDITED, 4, "expedited-4"),
		  UNMOUNT_VARIANT(UNMOUNT_EXPEDITED, 16, "expedited-16"),
		  UNMOUNT_VARIANT(UNMOUNT_EXPEDITED, 64, "expedited-64"));
