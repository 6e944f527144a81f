/*
 * remountbench: what changing a mount costs, and what the writer counts make it do. Remounting
 * read-only must find that no file on the superblock is open for writing: Linux sums the
 * per-CPU writer counts of every mount of the superblock under WRITE_HOLD ("r/o bind mounts:
 * track numbers of writers to mounts", 2.6.26; sb_prepare_remount_readonly) and fails with
 * EBUSY when one is held. A bind mount is a new vfsmount with its own per-CPU counters; one in
 * a namespace is "longterm": its mntput needs no global lock, and its umount pays for that with
 * an RCU grace period before it is freed (the rule "ovl: make private mounts longterm", Linux
 * 5.8, extends to private mounts). fs/mnt_writers.c, fs/mnt_longterm.c, fs/namespace.c here.
 *
 *   remount  remount,ro then remount,rw of an idle tmpfs; one op is the pair
 *   busy     the same remount,ro while N writer threads (--threads, default one per CPU) hold
 *            files open for writing and write in a loop: every attempt fails with EBUSY;
 *            ops_per_sec counts attempts, ebusy_per_op the share that failed so
 *   bind     mount(MS_BIND) of the tmpfs and umount2 of it; one op is the pair
 *
 * It mounts its own tmpfs at /tmp/remountbench.PID/m and removes it at the end; needs root.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "user/bench.h"

enum { REMOUNT, BUSY, BIND, NCASES };
static const char *const case_names[NCASES] = {"remount", "busy", "bind"};

static char top[64], mnt[80], bind_dir[80];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: remountbench [--threads N] [--seconds S] [--rounds R]\n"
		"  remount,ro/rw of a tmpfs of its own, idle and under N writers (EBUSY), and\n"
		"  bind mount + umount in a loop (needs root)\n"
		"  --threads N   writer threads of the busy case (default: one per CPU, "
		"1-%d)\n" BENCH_COMMON_USAGE,
		BENCH_MAX_WORKERS);
}

/* A writer: holds its file open for writing and writes to it until stopped. */
static void rb_writer(struct bench_worker *w)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/w%d", mnt, w->id);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		w->aux[1]++;
	bench_worker_start();
	while (fd >= 0 && !bench_stopped()) {
		if (pwrite(fd, "abc", 3, 0) == 3)
			w->ops++;
		else
			w->aux[1]++;
	}
	if (fd >= 0)
		close(fd);
}

/* One op of case c; 0 when it did what it should, 1 for an EBUSY (busy), -1 on an error. */
static int rb_op(int c)
{
	switch (c) {
	case REMOUNT:
		if (mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL))
			return -1;
		return mount(NULL, mnt, NULL, MS_REMOUNT, NULL) ? -1 : 0;
	case BUSY:
		if (!mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL))
			return mount(NULL, mnt, NULL, MS_REMOUNT, NULL) ? -1 : 0;
		return errno == EBUSY ? 1 : -1;
	default:
		if (mount(mnt, bind_dir, NULL, MS_BIND, NULL))
			return -1;
		return umount2(bind_dir, 0) ? -1 : 0;
	}
}

/* Case c for about seconds on the calling thread (with writers running for busy). Returns ops
   per second, *ebusy the EBUSYs per op; -1 on an error (errno says which). */
static double rb_case(const struct bench_opts *o, int c, double *ebusy)
{
	uint64_t t0, end, t1;
	long ops = 0, busy = 0;
	int r = 0;

	if (c == BUSY && !bench_start(o->threads, 0, rb_writer, NULL))
		return -1;
	t0 = bench_now_ns();
	end = t0 + (uint64_t)(o->seconds * 1e9);
	while ((t1 = bench_now_ns()) < end && (r = rb_op(c)) >= 0) {
		ops++;
		busy += r;
	}
	if (c == BUSY)
		bench_finish(o->threads, NULL);
	*ebusy = ops ? (double)busy / (double)ops : 0;
	return r < 0 ? -1 : (double)ops / ((double)(t1 - t0) / 1e9);
}

static int rb_measure(const struct bench_opts *o)
{
	double ops[NCASES][BENCH_MAX_ROUNDS], ebusy[NCASES][BENCH_MAX_ROUNDS];

	for (int r = 0; r < o->rounds; r++)
		for (int c = 0; c < NCASES; c++)
			if ((ops[c][r] = rb_case(o, c, &ebusy[c][r])) < 0) {
				fprintf(stderr, "remountbench: %s: %s\n", case_names[c],
					strerror(errno));
				return -1;
			}
	for (int c = 0; c < NCASES; c++) {
		char extra[64] = "";

		if (c == BUSY)
			snprintf(extra, sizeof(extra), " ebusy_per_op=%.3f",
				 bench_median(ebusy[c], o->rounds));
		bench_result(case_names[c], c == BUSY ? o->threads : 1, ops[c], o->rounds, extra);
	}
	return 0;
}

static int rb_setup(void)
{
	snprintf(top, sizeof(top), "/tmp/remountbench.%d", (int)getpid());
	snprintf(mnt, sizeof(mnt), "%s/m", top);
	snprintf(bind_dir, sizeof(bind_dir), "%s/b", top);
	mkdir("/tmp", 0755);
	if (mkdir(top, 0755) || mkdir(mnt, 0755) || mkdir(bind_dir, 0755)) {
		fprintf(stderr, "remountbench: mkdir under %s: %s\n", top, strerror(errno));
		return -1;
	}
	if (mount("none", mnt, "tmpfs", 0, NULL)) {
		fprintf(stderr, "remountbench: mount tmpfs at %s: %s\n", mnt, strerror(errno));
		return -1;
	}
	return 0;
}

/* Unmounts and removes what rb_setup made; says what it could not. */
static void rb_cleanup(void)
{
	char path[128];

	for (int i = 0; i < BENCH_MAX_WORKERS; i++) {
		snprintf(path, sizeof(path), "%s/w%d", mnt, i);
		unlink(path);
	}
	if (umount2(mnt, 0) && errno != EINVAL)
		fprintf(stderr, "remountbench: umount %s: %s\n", mnt, strerror(errno));
	if (rmdir(bind_dir) || rmdir(mnt) || rmdir(top))
		fprintf(stderr, "remountbench: rmdir under %s: %s\n", top, strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"threads", 1, 0, 't'},
						 {"seconds", 1, 0, 's'},
						 {"rounds", 1, 0, 'r'},
						 {"help", 0, 0, 'h'},
						 {0, 0, 0, 0}};
	struct bench_opts o;
	int status, err;

	bench_init("remountbench", &o);
	if ((status = bench_parse_common(argc, argv, &o, "t:s:r:h", longopts, usage)) >= 0)
		return status;
	printf("remountbench: %d writer threads, %d CPUs, %.2f s per case, %d rounds\n", o.threads,
	       bench_cpus(), o.seconds, o.rounds);
	err = rb_setup();
	if (!err)
		err = rb_measure(&o);
	rb_cleanup();
	return err ? 1 : 0;
}
