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
#include "kernel/mutex.h"
#include "kernel/sleep.h"
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

#define MAX_VARIANTS 8

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
	while (!READ_ONCE(r->go))
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

static void print_result(const struct bench *b, const struct bench_variant *v, unsigned int n,
			 const struct bench_result *r, const char *extra)
{
	uint64_t per_op_cpus = b->latency ? 1 : n;
	uint64_t ns_per_op_milli = r->ops ? r->ns * per_op_cpus * 1000 / r->ops : 0;
	uint64_t ops_per_sec = r->ns ? r->ops * 1000000000ULL / r->ns : 0;

	kprintf("  %-12s %4u %14llu %10llu.%03llu\n", v->name, n, (unsigned long long)ops_per_sec,
		(unsigned long long)(ns_per_op_milli / 1000),
		(unsigned long long)(ns_per_op_milli % 1000));
	kprintf("BENCH name=%s variant=%s cpus=%u ops=%llu seconds=%llu.%06llu "
		"ns_per_op=%llu.%03llu%s\n",
		b->name, v->name, n, (unsigned long long)r->ops,
		(unsigned long long)(r->ns / 1000000000ULL),
		(unsigned long long)(r->ns / 1000 % 1000000), (unsigned long long)(ns_per_op_milli / 1000),
		(unsigned long long)(ns_per_op_milli % 1000), extra);
}

static int bench_run_locked(const struct bench *b, const struct bench_options *opt)
{
	unsigned int counts[BENCH_MAX_CPUS_LIST], nc = opt->nr_cpus;
	char extra[128];
	int err;

	if (nc)
		memcpy(counts, opt->cpus, nc * sizeof(counts[0]));
	else
		nc = default_cpu_counts(counts);
	kprintf("bench %s: %s (%u s per run; Ctrl-C stops)\n", b->name, b->help, opt->seconds);
	kprintf("  %-12s %4s %14s %14s\n", "variant", "cpus", "ops/s",
		b->latency ? "ns per call" : "ns/op per CPU");
	for (unsigned int vi = 0; vi < b->nr_variants; vi++) {
		for (unsigned int ci = 0; ci < nc; ci++) {
			struct bench_result r;

			if (counts[ci] > num_online_cpus() || counts[ci] == 0)
				return -EINVAL;
			if (counts[ci] < b->min_cpus)
				continue;
			err = run_one(&b->variants[vi], counts[ci], opt->seconds, &r, extra,
				      sizeof(extra));
			if (err) {
				kprintf("bench %s: variant %s at %u CPUs: %s\n", b->name,
					b->variants[vi].name, counts[ci], errno_name(-err));
				return err;
			}
			print_result(b, &b->variants[vi], counts[ci], &r, extra);
		}
	}
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

int bench_run_list(const char *list, unsigned int seconds)
{
	struct bench_options opt = { .nr_cpus = 0, .seconds = seconds ? seconds : 1 };
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
