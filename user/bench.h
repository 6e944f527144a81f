/*
 * The harness the user benchmarks share (docs/userbench.md), header-only like user/tap.h so
 * that each benchmark stays one program of one file.
 *
 * A case runs T workers (threads, or processes for a benchmark that asks) for about S seconds:
 * every worker announces itself and waits for the start flag, so they all start together; the
 * main thread takes the time, raises the flag, sleeps S seconds, raises the stop flag and takes
 * the time again. A worker counts its operations (and up to two other events, aux[]) in its own
 * cache line and checks the stop flag after each operation.
 *
 * Rounds interleave the cases (A, B, A, B, ...) so that a host whose speed drifts slows every
 * case alike; the result of a case is the median of its rounds, printed for people and as one
 * machine line:
 *
 *	RESULT bench=NAME case=CASE cpus=NCPUS threads=T ops_per_sec=F [key=value ...]
 */
#ifndef USER_BENCH_H
#define USER_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_WORKERS 64
#define BENCH_MAX_ROUNDS  31

struct bench_worker {
	int id;
	void *arg;
	long ops;
	long aux[2];
	pthread_t thread;
	pid_t pid;
} __attribute__((aligned(64)));

/* The flags and counters of one case: in memory shared with the workers (MAP_SHARED, so that
   forked workers see it too). */
struct bench_shared {
	volatile int ready; /* workers waiting for go; atomic add */
	volatile int go;
	volatile int stop;
	struct bench_worker w[BENCH_MAX_WORKERS];
};

typedef void (*bench_fn)(struct bench_worker *w);

/* The options every benchmark takes. */
struct bench_opts {
	double seconds; /* --seconds: per case and round */
	int rounds;	/* --rounds */
	int threads;	/* --threads (or -p processes): workers per case */
	int procs;	/* workers are processes, not threads */
};

static struct bench_shared *bench_sh;
static const char *bench_name;

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bench_ncpus;

/* The CPUs this process could run on when it started (sched_getaffinity, as Linux's nproc
   counts them): the count stays when a thread pins itself later. */
static inline int bench_cpus(void)
{
	cpu_set_t set;

	if (bench_ncpus)
		return bench_ncpus;
	if (sched_getaffinity(0, sizeof(set), &set) < 0 || CPU_COUNT(&set) < 1)
		return bench_ncpus = 1;
	return bench_ncpus = CPU_COUNT(&set);
}

/* Pins the calling thread to one CPU; 0, or -errno. */
static inline int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

/* Sets up the shared page and the defaults; name is the RESULT line's bench=. */
static inline void bench_init(const char *name, struct bench_opts *o)
{
	bench_name = name;
	bench_sh = mmap(NULL, sizeof(*bench_sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (bench_sh == MAP_FAILED) {
		fprintf(stderr, "%s: mmap of the shared page: %s\n", name, strerror(errno));
		exit(1);
	}
	o->seconds = 0.5;
	o->rounds = 5;
	o->threads = bench_cpus();
	o->procs = 0;
}

/* A number from an option's argument within [lo, hi]; 0, or -1 when it is not one. */
static inline int bench_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static inline int bench_parse_int(const char *s, int lo, int hi, int *out)
{
	double v;

	if (bench_parse_double(s, lo, hi, &v) || v != (int)v)
		return -1;
	*out = (int)v;
	return 0;
}

/* Handles an option every benchmark takes: 1 when it was one (and good), 0 when it is not one
   of them, -1 when its argument is bad. */
static inline int bench_common_opt(struct bench_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 's':
		return bench_parse_double(arg, 0.01, 60, &o->seconds) ? -1 : 1;
	case 'r':
		return bench_parse_int(arg, 1, BENCH_MAX_ROUNDS, &o->rounds) ? -1 : 1;
	case 't':
		o->procs = 0;
		return bench_parse_int(arg, 1, BENCH_MAX_WORKERS, &o->threads) ? -1 : 1;
	}
	return 0;
}

/*
 * Parses the command line of a benchmark whose options are all common ones (shortopts and
 * longopts name those it takes): -1 when the program goes on, else main's exit status: 0
 * after --help, 2 after a bad option or argument, with usage printed.
 */
static inline int bench_parse_common(int argc, char **argv, struct bench_opts *o,
				     const char *shortopts, const struct option *longopts,
				     void (*usage)(FILE *))
{
	int opt;

	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int r = bench_common_opt(o, opt, optarg);

		if (r > 0)
			continue;
		usage(r == 0 && opt == 'h' ? stdout : stderr);
		return r == 0 && opt == 'h' ? 0 : 2;
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* The usage lines of the common options, for each benchmark's own usage text. */
#define BENCH_COMMON_USAGE                                                                         \
	"  --seconds S   each case runs about S seconds per round (default 0.5, 0.01-60)\n"        \
	"  --rounds R    rounds, interleaving the cases; medians are printed (default 5, 1-31)\n"  \
	"  --help        this text\n"

/* A worker's start: announce it, wait for the flag. */
static inline void bench_worker_start(void)
{
	__atomic_add_fetch(&bench_sh->ready, 1, __ATOMIC_SEQ_CST); /* bench_start counts these */
	while (!__atomic_load_n(&bench_sh->go, __ATOMIC_ACQUIRE))  /* pairs with bench_start's */
		sched_yield();
}

/* True once the main thread has raised the stop flag. No ordering is needed: the counts are
   read after pthread_join or waitpid, which order them. */
static inline int bench_stopped(void)
{
	return __atomic_load_n(&bench_sh->stop, __ATOMIC_RELAXED);
}

static bench_fn bench_cur_fn; /* the running case's worker function */

static void *bench_thread_main(void *arg)
{
	bench_cur_fn(arg);
	return NULL;
}

static inline void bench_sleep(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline void bench_finish(int n, struct bench_worker *sum);

/* Starts n workers running fn, each with w->arg = arg: threads, or processes when procs; waits
   until all are ready and lets them go together. The start time in ns, or 0 with a message
   (the workers started are stopped and reaped). */
static inline uint64_t bench_start(int n, int procs, bench_fn fn, void *arg)
{
	int started = 0;

	memset(bench_sh, 0, sizeof(*bench_sh));
	bench_cur_fn = fn;
	for (; started < n; started++) {
		struct bench_worker *w = &bench_sh->w[started];

		w->id = started;
		w->arg = arg;
		w->pid = -1;
		if (procs) {
			pid_t pid = fork(); /* the child must not write w->pid: it is shared */

			if (pid == 0) {
				fn(w);
				_exit(0);
			}
			if (pid < 0)
				break;
			w->pid = pid;
		} else if (pthread_create(&w->thread, NULL, bench_thread_main, w)) {
			break;
		}
	}
	if (started < n) {
		fprintf(stderr, "%s: cannot start worker %d of %d\n", bench_name, started + 1, n);
		bench_sh->go = 1;
		bench_finish(started, NULL);
		return 0;
	}
	while (__atomic_load_n(&bench_sh->ready, __ATOMIC_SEQ_CST) < n)
		sched_yield();
	uint64_t t0 = bench_now_ns();
	__atomic_store_n(&bench_sh->go, 1, __ATOMIC_RELEASE); /* pairs with bench_worker_start */
	return t0;
}

/* Stops the n workers and waits for them; their sums into *sum (when not NULL). */
static inline void bench_finish(int n, struct bench_worker *sum)
{
	__atomic_store_n(&bench_sh->stop, 1, __ATOMIC_RELAXED);
	if (sum)
		memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < n; i++) {
		struct bench_worker *w = &bench_sh->w[i];

		if (w->pid > 0)
			waitpid(w->pid, NULL, 0);
		else if (w->pid < 0)
			pthread_join(w->thread, NULL);
		if (sum) {
			sum->ops += w->ops;
			sum->aux[0] += w->aux[0];
			sum->aux[1] += w->aux[1];
		}
	}
}

/* One case: n workers of fn(arg) for about seconds. The sums in *sum; returns the seconds it
   ran, or -1 when the workers could not start. */
static inline double bench_run(int n, int procs, bench_fn fn, void *arg, double seconds,
			       struct bench_worker *sum)
{
	uint64_t t0 = bench_start(n, procs, fn, arg), t1;

	if (!t0)
		return -1;
	bench_sleep(seconds);
	t1 = bench_now_ns();
	bench_finish(n, sum);
	return (double)(t1 - t0) / 1e9;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n-1] (v is sorted in place). */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Prints the human line and the RESULT line of one case; extra is " key=value ..." or "". */
static inline void bench_result(const char *name, int threads, double *ops_per_sec, int rounds,
				const char *extra)
{
	double lo, hi, med;

	med = bench_median(ops_per_sec, rounds);
	lo = ops_per_sec[0];
	hi = ops_per_sec[rounds - 1];
	printf("%s: %-14s threads=%-2d %12.0f ops/s (%.0f..%.0f)%s\n", bench_name, name, threads,
	       med, lo, hi, extra);
	printf("RESULT bench=%s case=%s cpus=%d threads=%d ops_per_sec=%.1f%s\n", bench_name, name,
	       bench_cpus(), threads, med, extra);
	fflush(stdout);
}

#endif /* USER_BENCH_H */
