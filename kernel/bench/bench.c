/*
 * The benchmark harness (kernel/bench/bench.h): one bound thread per CPU, a common start, a
 * timed run, and the BENCH lines.
 *
 * The threads start together: each says it is ready and spins until the caller says go, so
 * thread creation and the first switch are not timed. The caller sleeps while they run (it
 * checks Ctrl-C every 100 ms), then sets stop and joins them.
 */
#include "kernel/bench/bench.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/console_input.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/errno.h"

extern const struct bench __benchmarks_start[], __benchmarks_end[];

#define MAX_VARIANTS 12 /* bench munmap: 3 modes x 4 sizes */

struct bench_result {
	uint64_t ops;
	uint64_t ns;
};

struct bench_run {
	struct bench_thread threads[NR_CPUS];
	unsigned int cpus[NR_CPUS];
	const struct bench_variant *v;
	atomic_t ready;
	volatile bool go, stop;
	uint64_t ops[NR_CPUS];
};

/* Big (NR_CPUS threads), so not on the stack; bench_lock lets one run use it at a time. */
static struct bench_run run;
static DEFINE_MUTEX(bench_lock);

const struct bench *bench_next(const struct bench *prev)
{
	const struct bench *b = prev ? prev + 1 : __benchmarks_start;
	return b < __benchmarks_end ? b : NULL;
}

const struct bench *bench_find(const char *name)
{
	for (const struct bench *b = bench_next(NULL); b; b = bench_next(b))
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

static int bench_thread_fn(void *arg)
{
	struct bench_thread *bt = arg;
	struct bench_run *r = &run;

	atomic_inc(&r->ready);
	/* Pairs with the smp_store_release() of go in run_one(): the start follows everything
	   the caller set up. */
	while (!smp_load_acquire(&r->go))
		cpu_relax();
	r->ops[bt->index] = r->v->run(bt);
	return 0;
}

/* Sleeps for the run time; returns -EINTR early on Ctrl-C. */
static int sleep_checking_ctrl_c(unsigned int seconds)
{
	for (unsigned int i = 0; i < seconds * 10; i++) {
		msleep(100);
		if (console_interrupted())
			return -EINTR;
	}
	return 0;
}

static int start_threads(struct bench_run *r, struct thread **th, unsigned int n, void *data)
{
	unsigned int i = 0, cpu;

	for_each_cpu(cpu, &cpu_online_mask) {
		if (i == n)
			break;
		r->cpus[i++] = cpu;
	}
	for (i = 0; i < n; i++) {
		r->threads[i] = (struct bench_thread){ .index = i, .nr_threads = n,
						       .cpu = r->cpus[i], .cpus = r->cpus,
						       .stop = &r->stop, .data = data };
		th[i] = kthread_create(bench_thread_fn, &r->threads[i], "bench/%u", r->cpus[i]);
		if (!th[i])
			break;
		kthread_bind(th[i], r->cpus[i]);
	}
	if (i < n) {
		while (i--)
			kthread_stop(th[i]);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		wake_up_new_thread(th[i]);
	return 0;
}

/* One variant at one CPU count. */
static int run_one(const struct bench_variant *v, unsigned int n, unsigned int seconds,
		   struct bench_result *res, char *extra, size_t extra_size)
{
	struct bench_run *r = &run;
	struct thread *th[NR_CPUS];
	void *data = NULL;
	uint64_t t0;
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->v = v;
	extra[0] = 0;
	if (v->setup && (err = v->setup(n, &data)) != 0)
		return err;
	if ((err = start_threads(r, th, n, data)) != 0)
		goto out;
	while ((unsigned int)atomic_read(&r->ready) < n)
		msleep(1);
	t0 = ktime_ns();
	/* Pairs with the smp_load_acquire() of go in bench_thread_fn(). */
	smp_store_release(&r->go, true);
	err = sleep_checking_ctrl_c(seconds);
	WRITE_ONCE(r->stop, true);
	res->ns = ktime_ns() - t0;
	res->ops = 0;
	for (unsigned int i = 0; i < n; i++) {
		kthread_join(th[i]);
		res->ops += r->ops[i];
	}
out:
	if (v->teardown)
		v->teardown(data, extra, extra_size);
	return err;
}

/* 1, 2, 4, ... and the online count itself. */
static unsigned int default_cpu_counts(unsigned int *out)
{
	unsigned int n = 0, online = num_online_cpus();

	for (unsigned int c = 1; c < online && n < BENCH_MAX_CPUS_LIST - 1; c *= 2)
		out[n++] = c;
	out[n++] = online;
	return n;
}

/* ns per op (x1000, for three decimals) and ops per second of one result. */
static uint64_t ns_per_op_milli(const struct bench *b, unsigned int n, const struct bench_result *r)
{
	return r->ops ? r->ns * (b->latency ? 1 : n) * 1000 / r->ops : 0;
}

static uint64_t ops_per_sec(const struct bench_result *r)
{
	return r->ns ? r->ops * 1000000000ULL / r->ns : 0;
}

/* One row of the human table, as each run ends. */
static void print_row(const struct bench *b, const struct bench_variant *v, unsigned int n,
		      const struct bench_result *r, unsigned int round, unsigned int rounds)
{
	uint64_t ns = ns_per_op_milli(b, n, r);

	kprintf("  %-12s %4u %14llu %10llu.%03llu", v->name, n, (unsigned long long)ops_per_sec(r),
		(unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
	if (rounds > 1)
		kprintf("   round %u/%u", round + 1, rounds);
	kprintf("\n");
}

/* The machine-readable line (docs/bench.md) that tools/bench-report reads. */
static void print_bench_line(const struct bench *b, const struct bench_variant *v, unsigned int n,
			     const struct bench_result *r, const char *extra, unsigned int round,
			     unsigned int rounds)
{
	uint64_t ns = ns_per_op_milli(b, n, r);

	kprintf("BENCH name=%s variant=%s cpus=%u ops=%llu seconds=%llu.%06llu "
		"ns_per_op=%llu.%03llu%s",
		b->name, v->name, n, (unsigned long long)r->ops,
		(unsigned long long)(r->ns / 1000000000ULL),
		(unsigned long long)(r->ns / 1000 % 1000000), (unsigned long long)(ns / 1000),
		(unsigned long long)(ns % 1000), extra);
	if (rounds > 1)
		kprintf(" round=%u", round + 1);
	kprintf("\n");
}

/*
 * --repeat R runs R rounds, each running every variant at every CPU count once (run_round), and
 * prints every run. The summary then gives, for each variant and CPU count, the median throughput over the
 * rounds, and ratios that are the median of each round's own ratio: the 2-CPU run over the
 * 1-CPU run of the same round, a variant over the first variant in the same round. Runs of one
 * round are seconds apart, so when the host slows down for a while (other machines on its
 * cores) both sides of a ratio slow down together, and the ratio keeps its value.
 */
static struct bench_result results[BENCH_MAX_REPEAT][MAX_VARIANTS][BENCH_MAX_CPUS_LIST];

static uint64_t median(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

static uint64_t median_ops_per_sec(unsigned int vi, unsigned int ci, unsigned int rounds)
{
	uint64_t v[BENCH_MAX_REPEAT];

	for (unsigned int r = 0; r < rounds; r++)
		v[r] = ops_per_sec(&results[r][vi][ci]);
	return median(v, rounds);
}

/* The median over the rounds of result (vi, ci) / result (vj, cj), times 1000. */
static uint64_t median_ratio_milli(unsigned int rounds, unsigned int vi, unsigned int ci,
				   unsigned int vj, unsigned int cj)
{
	uint64_t v[BENCH_MAX_REPEAT];

	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t den = ops_per_sec(&results[r][vj][cj]);

		v[r] = den ? ops_per_sec(&results[r][vi][ci]) * 1000 / den : 0;
	}
	return median(v, rounds);
}

static void print_ratio(bool known, uint64_t milli)
{
	if (known)
		kprintf(" %7llu.%02llu", (unsigned long long)(milli / 1000),
			(unsigned long long)(milli % 1000 / 10));
	else
		kprintf(" %10s", "-");
}

static void print_summary(const struct bench *b, const unsigned int *counts, unsigned int nc,
			  unsigned int rounds)
{
	unsigned int one = nc; /* the index of the 1-CPU runs, if any */
	char vs[24];

	for (unsigned int ci = 0; ci < nc; ci++)
		if (counts[ci] == 1 && b->min_cpus <= 1)
			one = ci;
	kprintf("bench %s: the median of %u rounds; ratios are medians of each round's ratio\n",
		b->name, rounds);
	snprintf(vs, sizeof(vs), "vs %s", b->variants[0].name);
	kprintf("  %-12s %4s %14s %14s %10s %10s\n", "variant", "cpus", "ops/s",
		b->latency ? "ns per call" : "ns/op per CPU", "scaling", vs);
	for (unsigned int vi = 0; vi < b->nr_variants; vi++) {
		for (unsigned int ci = 0; ci < nc; ci++) {
			uint64_t ops = median_ops_per_sec(vi, ci, rounds);
			uint64_t ns =
				ops ? (b->latency ? 1 : counts[ci]) * 1000000000000ULL / ops : 0;

			if (counts[ci] < b->min_cpus)
				continue;
			kprintf("  %-12s %4u %14llu %10llu.%03llu", b->variants[vi].name,
				counts[ci], (unsigned long long)ops,
				(unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
			print_ratio(one < nc,
				    one < nc ? median_ratio_milli(rounds, vi, ci, vi, one) : 0);
			print_ratio(true, median_ratio_milli(rounds, vi, ci, 0, ci));
			kprintf("\n");
		}
	}
}

/* Round r runs every variant at every CPU count; odd rounds run the sequence backwards, so
   over two rounds a steady drift of the host's speed weighs on every run alike. */
static int run_round(const struct bench *b, const struct bench_options *opt,
		     const unsigned int *counts, unsigned int nc, unsigned int round)
{
	unsigned int total = b->nr_variants * nc;
	char extra[128];

	for (unsigned int j = 0; j < total; j++) {
		unsigned int k = round % 2 ? total - 1 - j : j;
		unsigned int vi = k / nc, ci = k % nc;
		const struct bench_variant *v = &b->variants[vi];
		struct bench_result *r = &results[round][vi][ci];
		int err;

		if (counts[ci] < b->min_cpus)
			continue;
		err = run_one(v, counts[ci], opt->seconds, r, extra, sizeof(extra));
		if (err) {
			kprintf("bench %s: variant %s at %u CPUs: %s\n", b->name, v->name,
				counts[ci], errno_name(-err));
			return err;
		}
		print_row(b, v, counts[ci], r, round, opt->repeat);
		print_bench_line(b, v, counts[ci], r, extra, round, opt->repeat);
	}
	return 0;
}

static int bench_run_locked(const struct bench *b, const struct bench_options *opt)
{
	unsigned int counts[BENCH_MAX_CPUS_LIST], nc = opt->nr_cpus;
	int err;

	if (opt->repeat == 0 || opt->repeat > BENCH_MAX_REPEAT || b->nr_variants > MAX_VARIANTS)
		return -EINVAL;
	if (nc)
		memcpy(counts, opt->cpus, nc * sizeof(counts[0]));
	else
		nc = default_cpu_counts(counts);
	for (unsigned int ci = 0; ci < nc; ci++)
		if (counts[ci] > num_online_cpus() || counts[ci] == 0)
			return -EINVAL;
	kprintf("bench %s: %s (%u s per run", b->name, b->help, opt->seconds);
	if (opt->repeat > 1)
		kprintf(", %u rounds", opt->repeat);
	kprintf("; Ctrl-C stops)\n");
	kprintf("  %-12s %4s %14s %14s\n", "variant", "cpus", "ops/s",
		b->latency ? "ns per call" : "ns/op per CPU");
	for (unsigned int round = 0; round < opt->repeat; round++)
		if ((err = run_round(b, opt, counts, nc, round)) != 0)
			return err;
	if (opt->repeat > 1)
		print_summary(b, counts, nc, opt->repeat);
	return 0;
}

int bench_run(const struct bench *b, const struct bench_options *opt)
{
	int err;

	mutex_lock(&bench_lock);
	err = bench_run_locked(b, opt);
	mutex_unlock(&bench_lock);
	return err;
}

int bench_run_list(const char *list, unsigned int seconds, unsigned int repeat)
{
	struct bench_options opt = { .nr_cpus = 0,
				     .seconds = seconds ? seconds : 1,
				     .repeat = repeat ? repeat : 1 };
	char name[32];
	int err;

	if (strcmp(list, "all") == 0) {
		for (const struct bench *b = bench_next(NULL); b; b = bench_next(b))
			if ((err = bench_run(b, &opt)) != 0)
				return err;
		return 0;
	}
	while (*list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		const struct bench *b;

		strlcpy(name, list, len + 1 < sizeof(name) ? len + 1 : sizeof(name));
		list += len + (list[len] == ',');
		b = bench_find(name);
		if (!b) {
			kprintf("bench: no benchmark named %s\n", name);
			return -ENOENT;
		}
		if ((err = bench_run(b, &opt)) != 0)
			return err;
	}
	return 0;
}
