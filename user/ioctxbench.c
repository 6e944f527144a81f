/*
 * ioctxbench: what finding an aio context costs. Every aio system call starts by turning the
 * context id it was given into the context (Linux's lookup_ioctx), and io_submit(ctx, 0, NULL)
 * does that and nothing else; so does io_getevents(ctx, 0, 1, ev, {0, 0}) (--getevents), which
 * asks for nothing and may not wait. Linux 2.6.29 made the lookup lockless ("aio: make the
 * lookup_ioctx() lockless": an RCU walk of the mm's context list, no lock word written);
 * Linux 3.12 replaced the list by a table indexed from the ring. teachos keeps the RCU list
 * (fs/aio.c, `bench ioctx` in the kernel), newest context first.
 *
 *   ctx1    every thread looks up the same single context
 *   ctxK    K contexts (--contexts K, default 8); thread i uses context i % K counted from the
 *           oldest, so on a newest-first list each lookup walks K - i % K entries
 *   churn   (--churn) io_setup + io_destroy of a small context in a loop, with
 *           /proc/sys/fs/aio-max-nr lowered so that only half the threads' contexts fit: the
 *           others' io_setup fails with EAGAIN, which is counted (eagain_per_op: per io_setup
 *           that succeeded). The old limit is written back at exit, also after an error or a
 *           signal. Needs root; without that file it runs at the kernel's limit and says so.
 *
 * Raw syscall(2) with Linux's numbers and layouts (user/aio_abi.h); no libaio.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/syscall.h>
#include "user/aio_abi.h"
#include "user/bench.h"

#define MAX_CONTEXTS 64
#define CTX_EVENTS   8	/* events of each looked-up context */
#define CHURN_EVENTS 32 /* events of a churning context */
#define AIO_MAX_NR   "/proc/sys/fs/aio-max-nr"
#define AIO_NR	     "/proc/sys/fs/aio-nr"

struct ic_case {
	const char *name;
	int churn;
	int ncontexts;
};

static ctx_t contexts[MAX_CONTEXTS];
static int use_getevents;
static long old_max_nr = -1; /* the limit to write back, or -1 */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ioctxbench [--threads N] [--contexts K] [--getevents] [--churn]\n"
		"                  [--seconds S] [--rounds R]\n"
		"  aio context lookups: io_submit(ctx, 0, NULL) in a loop on N threads\n"
		"  --threads N    threads (default: one per CPU, at most %d)\n"
		"  --contexts K   the second case's contexts (default 8, 2-%d)\n"
		"  --getevents    look up with io_getevents(ctx, 0, 1, ev, {0,0}) instead\n"
		"  --churn        also io_setup+io_destroy in a loop at a lowered aio-max-nr\n"
		"                 (needs root: writes %s, restores it at "
		"exit)\n" BENCH_COMMON_USAGE,
		BENCH_MAX_WORKERS, MAX_CONTEXTS, AIO_MAX_NR);
}

/* One lookup; 0, or -errno. */
static long lookup(ctx_t ctx)
{
	static const struct timespec zero = {0, 0};
	struct io_event64 ev;
	long r;

	if (use_getevents)
		r = io_getevents(ctx, 0, 1, &ev, &zero);
	else
		r = io_submit(ctx, 0, NULL);
	return r < 0 ? -errno : 0;
}

static void ic_lookup_worker(struct bench_worker *w)
{
	const struct ic_case *c = w->arg;
	ctx_t ctx = contexts[w->id % c->ncontexts];

	bench_worker_start();
	while (!bench_stopped()) {
		if (lookup(ctx))
			w->aux[1]++; /* an error */
		else
			w->ops++;
	}
}

static void ic_churn_worker(struct bench_worker *w)
{
	bench_worker_start();
	while (!bench_stopped()) {
		ctx_t ctx = 0;

		if (io_setup(CHURN_EVENTS, &ctx) == 0) {
			w->ops++;
			if (io_destroy(ctx))
				w->aux[1]++;
		} else if (errno == EAGAIN) {
			w->aux[0]++;
		} else {
			w->aux[1]++;
		}
	}
}

/* A number from a /proc file, or -1 with errno set. */
static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY), len = snprintf(buf, sizeof(buf), "%ld\n", v), ok;

	ok = fd >= 0 && write(fd, buf, (size_t)len) == len;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static void restore_max_nr(void)
{
	if (old_max_nr >= 0 && write_long(AIO_MAX_NR, old_max_nr))
		fprintf(stderr, "ioctxbench: could not restore %s to %ld\n", AIO_MAX_NR,
			old_max_nr);
	old_max_nr = -1;
}

static void on_signal(int sig)
{
	restore_max_nr();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Lowers aio-max-nr so that half the churning threads' contexts fit (at least one). */
static void lower_max_nr(int threads)
{
	long max = read_long(AIO_MAX_NR), nr = read_long(AIO_NR);
	long want = (nr > 0 ? nr : 0) + CHURN_EVENTS * ((threads + 1) / 2);

	if (max < 0) {
		printf("ioctxbench: no %s: churn runs at the kernel's limit (few EAGAINs)\n",
		       AIO_MAX_NR);
		return;
	}
	old_max_nr = max;
	atexit(restore_max_nr);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (write_long(AIO_MAX_NR, want)) {
		printf("ioctxbench: cannot write %s (%s): churn runs at the limit %ld\n",
		       AIO_MAX_NR, strerror(errno), max);
		old_max_nr = -1;
		return;
	}
	printf("ioctxbench: %s %ld -> %ld (aio-nr %ld) for the churn\n", AIO_MAX_NR, max, want, nr);
}

static int make_contexts(int k)
{
	for (int i = 0; i < k; i++)
		if (io_setup(CTX_EVENTS, &contexts[i])) {
			fprintf(stderr, "ioctxbench: io_setup %d of %d: %s\n", i + 1, k,
				strerror(errno));
			return -1;
		}
	return 0;
}

static void destroy_contexts(int k)
{
	for (int i = 0; i < k; i++)
		if (contexts[i])
			io_destroy(contexts[i]);
}

/* Runs the cases in interleaved rounds and prints their medians; 0, or -1 on an error. */
static int ic_measure(const struct bench_opts *o, const struct ic_case *cases, int ncases)
{
	double ops[3][BENCH_MAX_ROUNDS], eagain[3][BENCH_MAX_ROUNDS];
	long errors = 0;

	for (int r = 0; r < o->rounds; r++)
		for (int c = 0; c < ncases; c++) {
			struct bench_worker sum;
			bench_fn fn = cases[c].churn ? ic_churn_worker : ic_lookup_worker;
			double s =
				bench_run(o->threads, 0, fn, (void *)&cases[c], o->seconds, &sum);

			if (s < 0)
				return -1;
			ops[c][r] = (double)sum.ops / s;
			eagain[c][r] = sum.ops ? (double)sum.aux[0] / (double)sum.ops : sum.aux[0];
			errors += sum.aux[1];
		}
	for (int c = 0; c < ncases; c++) {
		char extra[96] = "";

		if (cases[c].churn)
			snprintf(extra, sizeof(extra), " eagain_per_op=%.3f",
				 bench_median(eagain[c], o->rounds));
		else
			snprintf(extra, sizeof(extra), " contexts=%d call=%s", cases[c].ncontexts,
				 use_getevents ? "io_getevents" : "io_submit");
		bench_result(cases[c].name, o->threads, ops[c], o->rounds, extra);
	}
	if (errors)
		fprintf(stderr, "ioctxbench: %ld calls failed with errors other than EAGAIN\n",
			errors);
	return errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"threads", 1, 0, 't'}, {"seconds", 1, 0, 's'},
						 {"rounds", 1, 0, 'r'},	 {"contexts", 1, 0, 'k'},
						 {"churn", 0, 0, 'c'},	 {"getevents", 0, 0, 'g'},
						 {"help", 0, 0, 'h'},	 {0, 0, 0, 0}};
	struct ic_case cases[3] = {{"ctx1", 0, 1}, {"ctx8", 0, 8}, {"churn", 1, 0}};
	static char kname[32];
	struct bench_opts o;
	int opt, churn = 0, k = 8, err;

	bench_init("ioctxbench", &o);
	while ((opt = getopt_long(argc, argv, "t:s:r:h", longopts, NULL)) != -1) {
		int r = bench_common_opt(&o, opt, optarg);

		if (r > 0)
			continue;
		if (r == 0 && opt == 'k' && !bench_parse_int(optarg, 2, MAX_CONTEXTS, &k)) {
			continue;
		} else if (r == 0 && opt == 'c') {
			churn = 1;
		} else if (r == 0 && opt == 'g') {
			use_getevents = 1;
		} else if (r == 0 && opt == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* The lookup by io_getevents is a case of its own in make compare's tables. */
	if (use_getevents)
		cases[0].name = "getevents-ctx1";
	snprintf(kname, sizeof(kname), "%sctx%d", use_getevents ? "getevents-" : "", k);
	cases[1].name = kname;
	cases[1].ncontexts = k;
	printf("ioctxbench: %d threads, %d CPUs, %.2f s per case, %d rounds, lookups by %s\n",
	       o.threads, bench_cpus(), o.seconds, o.rounds,
	       use_getevents ? "io_getevents(ctx, 0, 1, ev, {0,0})" : "io_submit(ctx, 0, NULL)");
	err = make_contexts(k);
	if (!err && churn)
		lower_max_nr(o.threads);
	if (!err)
		err = ic_measure(&o, cases, churn ? 3 : 2);
	destroy_contexts(k);
	restore_max_nr();
	return err ? 1 : 0;
}
