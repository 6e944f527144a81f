/*
 * `torture mounts`: writers on every CPU against remount,ro, on three tmpfs mounts, one per
 * safe writer-count mode (percpu, atomic, seed-cache).
 *
 *  - writers (one bound to each CPU) pick a mount at random, open their own file there for
 *    writing (an open that fails with EROFS is counted, not an error), read the mount's
 *    generation, append a record holding it, and close, sometimes on another CPU: every tenth
 *    round the thread moves to the next CPU between open and close, so the write reference is
 *    dropped on a CPU that did not take it (with one CPU, it yields there instead: otherwise
 *    the flipper would only ever run while no writer holds a reference).
 *  - a flipper cycles over the mounts: remount,ro (of the mount, or every other time of the
 *    superblock); when that succeeds it makes the mount's generation odd; later it makes it
 *    even again and remounts rw, and every other time leaves the mount writable for a tick
 *    before the next remount,ro. A remount,ro that fails with EBUSY is counted.
 *
 * Invariant checked: once remount,ro succeeded, no writer holds or gets a write reference
 * until rw again. Two ways: writers count themselves in holding[] between their open and their
 * close, and the flipper finds that count at zero after each successful remount,ro; and a
 * writer reads the generation while it holds a reference, so every record in every file must
 * hold an even generation. At the end every mount's writer
 * sum must be zero, the file contents must parse, and the mounts must come off cleanly.
 *
 * mount_torture_run (fs/mount_torture.h) runs it for a given time with the modes the caller
 * picks: the ktest suite "mount" runs it for a second, and once with WRITERS_NONE, which counts
 * no writers, to see that these checks catch a remount,ro that lets writers through.
 */
#include "kernel/torture/torture.h"
#include "fs/mount_torture.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/sleep.h"
#include "kernel/smp.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/slab.h"

#define NR_MOUNTS MOUNT_TORTURE_MAX_MOUNTS
#define RECORD	  16 /* "g%014llu\n" */

static const enum mnt_writers_mode shell_modes[NR_MOUNTS] = {WRITERS_PERCPU, WRITERS_ATOMIC,
							     WRITERS_SEED_CACHE};

/* One run at a time: T is the run's state. */
static DEFINE_MUTEX(torture_mutex);

static struct mount_torture {
	char prefix[40]; /* the mounts are prefix0, prefix1... */
	unsigned int nr; /* mounts */
	enum mnt_writers_mode modes[NR_MOUNTS];
	unsigned int nr_writers;	     /* one per online CPU */
	struct thread *threads[NR_CPUS + 1]; /* the writers, then the flipper */
	volatile uint64_t gen[NR_MOUNTS];    /* odd while the mount is read-only */
	atomic_t holding[NR_MOUNTS];	     /* writers between their open and their close */
	volatile bool stop;
	atomic64_t writes, erofs, remounts_ro, busy, moved, errors;
} T;

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void error(const char *what, long long value)
{
	if (atomic64_add_return(1, &T.errors) <= 5)
		kprintf("torture mounts: error: %s (%lld)\n", what, value);
}

static void mount_dir(unsigned int m, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u", T.prefix, m);
}

static void writer_file(unsigned int m, unsigned int w, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u/w%u", T.prefix, m, w);
}

/* One round: open, record the generation, close (perhaps on another CPU). */
static void write_round(unsigned int w, uint32_t *rnd)
{
	unsigned int m = next_random(rnd) % T.nr;
	char name[64], rec[RECORD + 1];
	int fd;

	writer_file(m, w, name, sizeof(name));
	fd = sys_open(name, O_WRONLY | O_APPEND, 0);
	if (fd == -EROFS) {
		atomic64_inc(&T.erofs);
		return;
	}
	if (fd < 0) {
		error("open", fd);
		return;
	}
	atomic_inc(&T.holding[m]); /* a locked instruction: ordered before what follows */
	snprintf(rec, sizeof(rec), "g%014llu\n", (unsigned long long)T.gen[m]);
	if (sys_write(fd, rec, RECORD) != RECORD)
		error("write", m);
	if (T.gen[m] & 1) /* read-only while we still hold the write reference */
		error("generation odd while writing", (long long)T.gen[m]);
	if (next_random(rnd) % 10 == 0) {
		unsigned int cpu = (smp_processor_id() + 1) % num_online_cpus();

		if (cpu == smp_processor_id())
			yield(); /* one CPU: the others run while this writer holds its reference */
		else if (sched_set_cpu(current, (int)cpu) == 0)
			atomic64_inc(&T.moved);
	}
	atomic_dec(&T.holding[m]);
	sys_close(fd);
	atomic64_inc(&T.writes);
}

static int writer(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg;
	uint32_t rnd = 2654435761u * (w + 1);

	while (!READ_ONCE(T.stop)) {
		write_round(w, &rnd);
		if ((atomic64_read(&T.writes) & 63) == 0)
			yield();
	}
	return 0;
}

static int remount(unsigned int m, unsigned long flags)
{
	char dir[48];

	mount_dir(m, dir, sizeof(dir));
	return sys_mount(NULL, dir, NULL, MS_REMOUNT | flags, NULL);
}

static int flipper(void *arg)
{
	unsigned int round = 0;

	(void)arg;
	while (!READ_ONCE(T.stop)) {
		unsigned int m = round % T.nr;
		unsigned long scope = (round / T.nr) % 2 ? 0 : MS_BIND; /* sb, or the mount */
		int err = remount(m, scope | MS_RDONLY);

		round++;
		if (err == -EBUSY) {
			atomic64_inc(&T.busy);
			continue;
		}
		if (err) {
			error("remount ro", err);
			continue;
		}
		atomic64_inc(&T.remounts_ro);
		smp_mb();
		if (atomic_read(&T.holding[m])) /* a writer still between open and close */
			error("remount,ro succeeded under an open writer", atomic_read(&T.holding[m]));
		T.gen[m]++; /* odd: read-only from here */
		msleep(1);
		T.gen[m]++; /* even again before writes can start */
		if ((err = remount(m, scope)))
			error("remount rw", err);
		if (round % 2) /* every other time the writers get a while to pile in */
			msleep(1);
	}
	return 0;
}

/* Every record of every file must hold an even generation. */
static void check_files(unsigned int nr_writers)
{
	char *buf = kmalloc(4096);

	if (!buf) {
		error("no memory for the check", -ENOMEM);
		return;
	}
	for (unsigned int m = 0; m < T.nr; m++)
		for (unsigned int w = 0; w < nr_writers; w++) {
			char name[64];
			ssize_t n;
			int fd;

			writer_file(m, w, name, sizeof(name));
			if ((fd = sys_open(name, O_RDONLY, 0)) < 0) {
				error("reopen", fd);
				continue;
			}
			while ((n = sys_read(fd, buf, 4096)) > 0)
				for (ssize_t i = 0; i + RECORD <= n; i += RECORD) {
					uint64_t g = 0;

					for (int k = 1; k < RECORD - 1; k++)
						g = g * 10 + (uint64_t)(buf[i + k] - '0');
					if (buf[i] != 'g' || (g & 1))
						error("odd generation in a file", (long long)g);
				}
			sys_close(fd);
		}
	kfree(buf);
}

static int setup(unsigned int nr_writers)
{
	for (unsigned int m = 0; m < T.nr; m++) {
		char dir[48], opts[32], name[64];
		int err, fd;

		mount_dir(m, dir, sizeof(dir));
		snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(T.modes[m]));
		if ((err = sys_mkdir(dir, 0755)) && err != -EEXIST)
			return err;
		if ((err = sys_mount("torture", dir, "tmpfs", 0, opts)))
			return err;
		for (unsigned int w = 0; w < nr_writers; w++) {
			writer_file(m, w, name, sizeof(name));
			if ((fd = sys_open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
				return fd;
			sys_close(fd);
		}
	}
	return 0;
}

static void teardown(void)
{
	for (unsigned int m = 0; m < T.nr; m++) {
		char dir[48];
		struct path p;
		int err;

		mount_dir(m, dir, sizeof(dir));
		if (!kern_path(dir, 0, &p)) {
			if (mnt_get_writers(p.mnt) != 0)
				error("writers left on a mount", mnt_get_writers(p.mnt));
			path_put(&p);
		}
		if ((err = sys_umount(dir)))
			error("umount", err);
		sys_rmdir(dir);
	}
}

static void report(const char *when)
{
	kprintf("%swrites %lld, EROFS %lld, remount ro %lld, busy %lld, moved %lld, errors %lld\n",
		when, (long long)atomic64_read(&T.writes), (long long)atomic64_read(&T.erofs),
		(long long)atomic64_read(&T.remounts_ro), (long long)atomic64_read(&T.busy),
		(long long)atomic64_read(&T.moved), (long long)atomic64_read(&T.errors));
}

/* Sets up the mounts and starts the threads; on an error, undoes what it did. */
static int start(const char *prefix, const enum mnt_writers_mode *modes, unsigned int nr)
{
	unsigned int n = num_online_cpus();
	int err;

	memset(&T, 0, sizeof(T));
	strlcpy(T.prefix, prefix, sizeof(T.prefix));
	T.nr = nr;
	memcpy(T.modes, modes, nr * sizeof(*modes));
	T.nr_writers = n;
	if ((err = setup(n))) {
		kprintf("torture mounts: setup failed (%d)\n", err);
		error("setup", err);
		teardown();
		return err;
	}
	for (unsigned int i = 0; i < n; i++) {
		T.threads[i] = kthread_create(writer, (void *)(uintptr_t)i, "mntw/%u", i);
		if (T.threads[i]) {
			kthread_bind(T.threads[i], i);
			wake_up_new_thread(T.threads[i]);
		}
	}
	T.threads[n] = kthread_create(flipper, NULL, "mntflip");
	if (T.threads[n])
		wake_up_new_thread(T.threads[n]);
	return 0;
}

/* Stops the threads, checks the files and takes the mounts down. */
static void finish(void)
{
	WRITE_ONCE(T.stop, true);
	for (unsigned int i = 0; i <= T.nr_writers; i++)
		if (T.threads[i])
			kthread_join(T.threads[i]);
	check_files(T.nr_writers);
	teardown();
	if (atomic64_read(&T.writes) == 0 || atomic64_read(&T.remounts_ro) == 0)
		error("no writes or no successful remount,ro: nothing was tested", 0);
}

int mount_torture_run(const char *prefix, const enum mnt_writers_mode *modes, unsigned int nr,
		      unsigned int ms, struct mount_torture_result *res)
{
	int err;

	memset(res, 0, sizeof(*res));
	if (nr == 0 || nr > NR_MOUNTS || strlen(prefix) + 1 >= sizeof(T.prefix))
		return -EINVAL;
	for (unsigned int m = 0; m < nr; m++)
		if (modes[m] >= NR_WRITERS_MODES)
			return -EINVAL;
	if (!mutex_trylock(&torture_mutex))
		return -EBUSY;
	if (!(err = start(prefix, modes, nr))) {
		msleep(ms);
		finish();
	}
	*res = (struct mount_torture_result){
		.writes = atomic64_read(&T.writes),
		.erofs = atomic64_read(&T.erofs),
		.remounts_ro = atomic64_read(&T.remounts_ro),
		.busy = atomic64_read(&T.busy),
		.moved = atomic64_read(&T.moved),
		.errors = atomic64_read(&T.errors),
	};
	mutex_unlock(&torture_mutex);
	return err;
}

static int mount_torture(int argc, char **argv)
{
	unsigned int seconds;
	bool stopped;

	if (torture_parse_seconds_only(argc, argv, &seconds))
		return -EINVAL;
	if (!mutex_trylock(&torture_mutex)) {
		kprintf("torture mounts: another run is going on\n");
		return 0;
	}
	if (start("/tmp/torture_mnt", shell_modes, NR_MOUNTS)) {
		mutex_unlock(&torture_mutex);
		return 0;
	}
	stopped = torture_watch(seconds, report);
	finish();
	report("end: ");
	torture_verdict("mounts", stopped, atomic64_read(&T.errors));
	mutex_unlock(&torture_mutex);
	return 0;
}

TORTURE("mounts", "[--seconds S]",
	"writers on every CPU against remount,ro flips on three mounts (writer-count modes)",
	mount_torture);
