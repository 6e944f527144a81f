/*
 * openbench: what an open for writing costs when every CPU does it at once. Each worker loops
 * open(O_WRONLY), write 3 bytes, close on a file of its own; one op is one such triple. Every
 * open for writing takes a write reference on the file's mount (mnt_want_write) and the close
 * drops it, so the writer count of a mount is a line all CPUs write: Linux keeps it per CPU
 * ("r/o bind mounts: track numbers of writers to mounts", 2.6.26, then per-mount per-CPU
 * counters in 2.6.29; fs/mnt_writers.c here, `bench openbench` in the kernel).
 *
 *   one   every file on one tmpfs mount
 *   pair  (--pair) each worker's two files on two mounts used in turn: the tmpfs and a bind
 *         mount of it, two vfsmounts of one superblock; the worst case of that patch's
 *         one-mount-per-CPU cache, which flushed at every switch
 *
 * It mounts its own tmpfs at /tmp/openbench.PID/a (and the bind at .../b) and removes both at
 * the end; it needs root (mount(2)). Workers are threads, or processes with -p N.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "user/bench.h"

static char top[64], mnt_a[80], mnt_b[80];

struct ob_case {
	const char *name;
	int pair;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openbench [--threads N | -p N] [--pair] [--seconds S] [--rounds R]\n"
		"  open(O_WRONLY)+write+close loops on a tmpfs of its own (needs root)\n"
		"  --threads N   N threads (default: one per CPU, at most %d)\n"
		"  -p N          N processes instead of threads\n"
		"  --pair        also run the pair case: files on the tmpfs and on a bind mount\n"
		"                of it, used in turn\n" BENCH_COMMON_USAGE,
		BENCH_MAX_WORKERS);
}

/* One worker: open, write, close in turn on its file(s) until stopped. */
static void ob_worker(struct bench_worker *w)
{
	const struct ob_case *c = w->arg;
	char path[2][128];

	snprintf(path[0], sizeof(path[0]), "%s/f%d", mnt_a, w->id);
	snprintf(path[1], sizeof(path[1]), "%s/f%d", c->pair ? mnt_b : mnt_a, w->id);
	bench_worker_start();
	for (int i = 0; !bench_stopped(); i ^= 1) {
		int fd = open(path[i], O_WRONLY | O_CREAT, 0644);

		if (fd < 0 || write(fd, "abc", 3) != 3) {
			w->aux[0]++; /* an error: counted, reported */
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		w->ops++;
	}
}

/* Unmounts and removes what ob_setup made; says what it could not. */
static void ob_cleanup(void)
{
	const char *const mounts[] = {mnt_b, mnt_a}; /* the bind, then its source */

	for (int i = 0; i < 2; i++)
		if (umount2(mounts[i], 0) && errno != EINVAL) /* EINVAL: never mounted */
			fprintf(stderr, "openbench: umount %s: %s\n", mounts[i], strerror(errno));
	if (rmdir(mnt_b) || rmdir(mnt_a) || rmdir(top))
		fprintf(stderr, "openbench: rmdir under %s: %s\n", top, strerror(errno));
}

static int ob_setup(int pair)
{
	snprintf(top, sizeof(top), "/tmp/openbench.%d", (int)getpid());
	snprintf(mnt_a, sizeof(mnt_a), "%s/a", top);
	snprintf(mnt_b, sizeof(mnt_b), "%s/b", top);
	mkdir("/tmp", 0755);
	if (mkdir(top, 0755) || mkdir(mnt_a, 0755) || mkdir(mnt_b, 0755)) {
		fprintf(stderr, "openbench: mkdir under %s: %s\n", top, strerror(errno));
		return -1;
	}
	if (mount("none", mnt_a, "tmpfs", 0, NULL)) {
		fprintf(stderr, "openbench: mount tmpfs at %s: %s\n", mnt_a, strerror(errno));
		return -1;
	}
	if (pair && mount(mnt_a, mnt_b, NULL, MS_BIND, NULL)) {
		fprintf(stderr, "openbench: bind mount %s at %s: %s\n", mnt_a, mnt_b,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int ob_measure(const struct bench_opts *o, const struct ob_case *cases, int ncases)
{
	double ops[2][BENCH_MAX_ROUNDS];
	long errors = 0;

	for (int r = 0; r < o->rounds; r++)
		for (int c = 0; c < ncases; c++) {
			struct bench_worker sum;
			double s = bench_run(o->threads, o->procs, ob_worker, (void *)&cases[c],
					     o->seconds, &sum);

			if (s < 0)
				return -1;
			ops[c][r] = (double)sum.ops / s;
			errors += sum.aux[0];
		}
	if (errors)
		fprintf(stderr, "openbench: %ld open/write calls failed\n", errors);
	for (int c = 0; c < ncases; c++) {
		char extra[64];

		snprintf(extra, sizeof(extra), " procs=%d", o->procs);
		bench_result(cases[c].name, o->threads, ops[c], o->rounds, extra);
	}
	return errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"threads", 1, 0, 't'}, {"seconds", 1, 0, 's'},
						 {"rounds", 1, 0, 'r'},	 {"pair", 0, 0, 'P'},
						 {"help", 0, 0, 'h'},	 {0, 0, 0, 0}};
	static const struct ob_case cases[] = {{"one", 0}, {"pair", 1}};
	struct bench_opts o;
	int opt, pair = 0, err;

	bench_init("openbench", &o);
	while ((opt = getopt_long(argc, argv, "t:p:s:r:h", longopts, NULL)) != -1) {
		int r = bench_common_opt(&o, opt, optarg);

		if (r > 0)
			continue;
		if (opt == 'p' && !bench_parse_int(optarg, 1, BENCH_MAX_WORKERS, &o.threads)) {
			o.procs = 1;
		} else if (opt == 'P') {
			pair = 1;
		} else if (opt == 'h' && r == 0) {
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
	printf("openbench: %d %s, %d CPUs, %.2f s per case, %d rounds\n", o.threads,
	       o.procs ? "processes" : "threads", bench_cpus(), o.seconds, o.rounds);
	err = ob_setup(pair);
	if (!err)
		err = ob_measure(&o, cases, pair ? 2 : 1);
	ob_cleanup();
	return err ? 1 : 0;
}
