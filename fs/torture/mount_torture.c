/*
 * `torture mounts`: writers against remount,ro (fs/mnt_writers.c), on tmpfs mounts counting
 * their writers in the modes the run picks. Two loads (fs/torture/mount_torture.h):
 *
 * files. Writers (one bound to each CPU) pick a mount at random, open their own file there for
 * writing (an open that fails with EROFS is counted, not an error), read the mount's
 * generation, append a record holding it, and close, sometimes on another CPU: every tenth
 * round the thread moves to the next CPU between open and close, so the write reference is
 * dropped on a CPU that did not take it (with one CPU, it yields there instead: otherwise the
 * flipper would only ever run while no writer holds a reference). A flipper cycles over the
 * mounts: remount,ro (of the mount, or every other time of the superblock); when that succeeds
 * it makes the mount's generation odd; later it makes it even again and remounts rw, and every
 * other time leaves the mount writable for a tick before the next remount,ro. A remount,ro that
 * fails with EBUSY is counted. Checked: once remount,ro succeeded, no writer holds or gets a
 * write reference until rw again. Three ways: writers count themselves in holding[] between
 * their open and their close, and the flipper finds that count at zero after each successful
 * remount,ro; a writer finds its mount writable just before its close; and a writer reads the
 * generation while it holds a reference, so every record in every file must hold an even
 * generation. At the end every mount's writer sum must be zero, the file contents must parse,
 * the mounts must come off cleanly, and (real modes only) freeing them and every remount,ro's
 * sum must have reported no imbalanced writer count (mntstat's imbalanced).
 *
 * duel (fs/torture/mount_duel.c). The race itself, in lockstep: a remounter and a writer on
 * two CPUs call mnt_make_readonly and mnt_want_write on the same mount, round after round; at
 * most one of them may win a round.
 *
 * `torture mounts` runs each load on three mounts (percpu, atomic, cpu-cache), each without
 * and then with the delay point mnt-ro-summed on, then the self-check: each broken variant
 * (fs/mnt_writers_variants.c's WRITERS_BROKEN_*) on a mount of its own in the duel.
 *
 * Lock order: torture_mutex (one run at a time), then what the VFS calls take.
 */
#include "fs/torture/mount_torture_state.h"
#include "fs/torture/torture_leg.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/console_input.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/slab.h"

#define RECORD 16 /* "g%014llu\n" */
#define PREFIX "/tmp/torture_mnt"

static const enum mnt_writers_mode safe_modes[NR_MOUNTS] = {WRITERS_PERCPU, WRITERS_ATOMIC,
							    WRITERS_CPU_CACHE};

/* One run at a time. */
static DEFINE_MUTEX(torture_mutex);
struct mount_torture_state mount_run;

void mount_torture_error(const char *what, long long value)
{
	if (torture_error(&mount_run.errors))
		kprintf("torture mounts: error: %s (%lld)\n", what, value);
}

/* An error that is the invariant broken (not a failed call): what catches a broken variant. */
static void violation(const char *what, long long value)
{
	atomic64_inc(&mount_run.violations);
	mount_torture_error(what, value);
}

void mount_torture_dir(unsigned int m, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u", mount_run.prefix, m);
}

static void writer_file(unsigned int m, unsigned int w, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u/w%u", mount_run.prefix, m, w);
}

/* ---- the files load ---- */

/* Holding a write reference through fd: its mount must be writable. */
static void check_writable(int fd)
{
	struct file *f = fget(fd);

	if (!f)
		return;
	if (mnt_is_readonly(f->f_path.mnt))
		violation("read-only while a writer holds a write reference", fd);
	fput(f);
}

/* One round: open, record the generation, close (perhaps on another CPU). */
static void write_round(unsigned int w, uint32_t *rnd)
{
	unsigned int m = next_random(rnd) % mount_run.nr;
	char name[64], rec[RECORD + 1];
	int fd;

	writer_file(m, w, name, sizeof(name));
	fd = sys_open(name, O_WRONLY | O_APPEND, 0);
	if (fd == -EROFS) {
		atomic64_inc(&mount_run.erofs);
		return;
	}
	if (fd < 0) {
		mount_torture_error("open", fd);
		return;
	}
	/* A locked instruction, a full barrier: we count ourselves holding before we read gen
	   and write. Pairs with the smp_mb() in flipper() between its remount,ro and its read of
	   holding: it sees us, or we see the mount read-only. */
	atomic_inc(&mount_run.holding[m]);
	snprintf(rec, sizeof(rec), "g%014llu\n", (unsigned long long)mount_run.gen[m]);
	if (sys_write(fd, rec, RECORD) != RECORD)
		mount_torture_error("write", m);
	if (mount_run.gen[m] & 1) /* read-only while we still hold the write reference */
		violation("generation odd while writing", (long long)mount_run.gen[m]);
	if (next_random(rnd) % 10 == 0) {
		unsigned int cpu = (smp_processor_id() + 1) % num_online_cpus();

		if (cpu == smp_processor_id())
			yield(); /* one CPU: the others run while this writer holds its reference */
		else if (sched_set_cpu(current, (int)cpu) == 0)
			atomic64_inc(&mount_run.moved);
	}
	check_writable(fd);
	atomic_dec(&mount_run.holding[m]);
	sys_close(fd);
	atomic64_inc(&mount_run.writes);
}

static int writer(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg;
	uint32_t rnd = 2654435761u * (w + 1);

	while (!READ_ONCE(mount_run.stop)) {
		write_round(w, &rnd);
		if ((atomic64_read(&mount_run.writes) & 63) == 0)
			yield();
	}
	return 0;
}

static int remount(unsigned int m, unsigned long flags)
{
	char dir[48];

	mount_torture_dir(m, dir, sizeof(dir));
	return sys_mount(NULL, dir, NULL, MS_REMOUNT | flags, NULL);
}

static int flipper(void *arg)
{
	unsigned int round = 0;

	(void)arg;
	while (!READ_ONCE(mount_run.stop)) {
		unsigned int m = round % mount_run.nr;
		unsigned long scope =
			(round / mount_run.nr) % 2 ? 0 : MS_BIND; /* sb, or the mount */
		int err = remount(m, scope | MS_RDONLY);

		round++;
		if (err == -EBUSY) {
			atomic64_inc(&mount_run.busy);
			continue;
		}
		if (err) {
			mount_torture_error("remount ro", err);
			continue;
		}
		atomic64_inc(&mount_run.remounts_ro);
		smp_mb(); /* our remount before the read of holding: pairs with the locked
			     atomic_inc of holding in write_round() */
		if (atomic_read(&mount_run.holding[m])) /* a writer still between open and close */
			violation("remount,ro succeeded under an open writer",
				  atomic_read(&mount_run.holding[m]));
		mount_run.gen[m]++; /* odd: read-only from here */
		msleep(1);
		mount_run.gen[m]++; /* even again before writes can start */
		if ((err = remount(m, scope)))
			mount_torture_error("remount rw", err);
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
		mount_torture_error("no memory for the check", -ENOMEM);
		return;
	}
	for (unsigned int m = 0; m < mount_run.nr; m++)
		for (unsigned int w = 0; w < nr_writers; w++) {
			char name[64];
			ssize_t n;
			int fd;

			writer_file(m, w, name, sizeof(name));
			if ((fd = sys_open(name, O_RDONLY, 0)) < 0) {
				mount_torture_error("reopen", fd);
				continue;
			}
			while ((n = sys_read(fd, buf, 4096)) > 0)
				for (ssize_t i = 0; i + RECORD <= n; i += RECORD) {
					uint64_t g = 0;

					for (int k = 1; k < RECORD - 1; k++)
						g = g * 10 + (uint64_t)(buf[i + k] - '0');
					if (buf[i] != 'g' || (g & 1))
						violation("odd generation in a file", (long long)g);
				}
			sys_close(fd);
		}
	kfree(buf);
}

/* Starts the files load's threads: a writer bound to each CPU, and the flipper. */
static void start_files(void)
{
	unsigned int n = mount_run.nr_writers;

	for (unsigned int i = 0; i < n; i++) {
		mount_run.threads[i] = kthread_create(writer, (void *)(uintptr_t)i, "mntw/%u", i);
		if (mount_run.threads[i]) {
			kthread_bind(mount_run.threads[i], i);
			wake_up_new_thread(mount_run.threads[i]);
		}
	}
	mount_run.threads[n] = kthread_create(flipper, NULL, "mntflip");
	if (mount_run.threads[n])
		wake_up_new_thread(mount_run.threads[n]);
}

/* ---- a run ---- */

static int setup(unsigned int nr_writers)
{
	for (unsigned int m = 0; m < mount_run.nr; m++) {
		char dir[48], opts[32], name[64];
		int err, fd;

		mount_torture_dir(m, dir, sizeof(dir));
		snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(mount_run.modes[m]));
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
	for (unsigned int m = 0; m < mount_run.nr; m++) {
		char dir[48];
		struct path p;
		int err;

		mount_torture_dir(m, dir, sizeof(dir));
		if (!kern_path(dir, 0, &p)) {
			if (mnt_get_writers(p.mnt) != 0)
				mount_torture_error("writers left on a mount",
						    mnt_get_writers(p.mnt));
			path_put(&p);
		}
		if ((err = sys_umount(dir)))
			mount_torture_error("umount", err);
		sys_rmdir(dir);
	}
}

static void report(const char *when)
{
	/* The duel counts in the same fields: its writer's wins are writes, its losses EROFS... */
	const char *fmt =
		mount_run.load == MOUNT_LOAD_DUEL
			? "%sduel: writer won %lld, lost %lld; remounter won %lld, lost %lld; "
			  "bouts %lld, errors %lld\n"
			: "%swrites %lld, EROFS %lld, remount ro %lld, busy %lld, moved %lld, "
			  "errors %lld\n";

	kprintf(fmt, when, (long long)atomic64_read(&mount_run.writes),
		(long long)atomic64_read(&mount_run.erofs),
		(long long)atomic64_read(&mount_run.remounts_ro),
		(long long)atomic64_read(&mount_run.busy),
		(long long)atomic64_read(&mount_run.moved),
		(long long)atomic64_read(&mount_run.errors.count));
}

/* Sets up the mounts and starts the load; on an error, undoes what it did. */
static int start(const char *prefix, const struct mount_torture_spec *spec)
{
	int err;

	memset(&mount_run, 0, sizeof(mount_run));
	torture_errors_start(&mount_run.errors);
	strlcpy(mount_run.prefix, prefix, sizeof(mount_run.prefix));
	mount_run.nr = spec->nr;
	mount_run.load = spec->load;
	mount_run.until_caught = spec->until_caught;
	memcpy(mount_run.modes, spec->modes, spec->nr * sizeof(*spec->modes));
	mount_run.nr_writers = spec->load == MOUNT_LOAD_FILES ? num_online_cpus() : 0;
	if ((err = setup(mount_run.nr_writers))) {
		kprintf("torture mounts: setup failed (%d)\n", err);
		mount_torture_error("setup", err);
		teardown();
		return err;
	}
	mount_run.errors.start_ns = ktime_ns(); /* the load starts now */
	if (spec->load == MOUNT_LOAD_DUEL && (err = mount_duel_start())) {
		mount_torture_error("duel: setup", err);
		teardown();
		return err;
	}
	if (spec->load == MOUNT_LOAD_FILES)
		start_files();
	if (spec->ro_summed_us)
		delay_point_set("mnt-ro-summed", spec->ro_summed_us, 1);
	return 0;
}

/* Stops the threads, checks the files and takes the mounts down. */
static void finish(void)
{
	unsigned int threads = mount_run.load == MOUNT_LOAD_DUEL ? 2 : mount_run.nr_writers + 1;

	WRITE_ONCE(mount_run.stop, true);
	for (unsigned int i = 0; i < threads; i++)
		if (mount_run.threads[i])
			kthread_join(mount_run.threads[i]);
	delay_point_set("mnt-ro-summed", 0, 0);
	if (mount_run.load == MOUNT_LOAD_FILES)
		check_files(mount_run.nr_writers);
	teardown();
	if (mount_run.load == MOUNT_LOAD_FILES &&
	    (atomic64_read(&mount_run.writes) == 0 || atomic64_read(&mount_run.remounts_ro) == 0))
		mount_torture_error("no writes or no successful remount,ro: nothing was tested", 0);
	if (mount_run.load == MOUNT_LOAD_DUEL &&
	    atomic64_read(&mount_run.writes) + atomic64_read(&mount_run.erofs) == 0)
		mount_torture_error("duel: no round: nothing was tested", 0);
}

static bool caught(void)
{
	return atomic64_read(&mount_run.violations) != 0;
}

static bool spec_ok(const char *prefix, const struct mount_torture_spec *spec)
{
	if (spec->nr == 0 || spec->nr > NR_MOUNTS || strlen(prefix) + 1 >= sizeof(mount_run.prefix))
		return false;
	for (unsigned int m = 0; m < spec->nr; m++)
		if (spec->modes[m] >= NR_WRITERS_MODES)
			return false;
	return true;
}

/* Whether every mode of spec is a real one (not a broken variant). */
static bool real_modes(const struct mount_torture_spec *spec)
{
	for (unsigned int i = 0; i < spec->nr; i++)
		if (spec->modes[i] > WRITERS_NONE)
			return false;
	return true;
}

/* One run; elapsed_ms, when given, numbers its progress lines. */
static int run(const char *prefix, const struct mount_torture_spec *spec, unsigned int ms,
	       unsigned int *elapsed_ms, struct mount_torture_result *res, bool *stopped)
{
	uint64_t imbalanced = mnt_writers_stats().imbalanced;
	int err;

	memset(res, 0, sizeof(*res));
	*stopped = false;
	if (!spec_ok(prefix, spec))
		return -EINVAL;
	if (spec->load == MOUNT_LOAD_DUEL && num_online_cpus() < 2)
		return -ENODEV;
	if (!mutex_trylock(&torture_mutex))
		return -EBUSY;
	if (!(err = start(prefix, spec))) {
		*stopped = torture_leg_watch(ms, elapsed_ms, mount_run.until_caught ? caught : NULL,
					     report);
		finish();
		/* The mounts are freed now: their sums were checked (fs/mnt_writers.c). */
		imbalanced = mnt_writers_stats().imbalanced - imbalanced;
		if (imbalanced && real_modes(spec))
			mount_torture_error("mounts reported with imbalanced writer counts",
					    (long long)imbalanced);
	}
	*res = (struct mount_torture_result){
		.writes = atomic64_read(&mount_run.writes),
		.erofs = atomic64_read(&mount_run.erofs),
		.remounts_ro = atomic64_read(&mount_run.remounts_ro),
		.busy = atomic64_read(&mount_run.busy),
		.moved = atomic64_read(&mount_run.moved),
		.errors = atomic64_read(&mount_run.errors.count),
		.violations = atomic64_read(&mount_run.violations),
		.first_ms = torture_errors_first_ms(&mount_run.errors),
	};
	mutex_unlock(&torture_mutex);
	return err;
}

/**
 * mount_torture_run - one run of `torture mounts` with the load and modes of spec
 *
 * Mounts spec->nr tmpfs at prefix0, prefix1... ("/tmp/x/m" gives /tmp/x/m0...; the parent must
 * exist), mount i counting its writers the way spec->modes[i] says, runs the load for ms
 * milliseconds, checks, unmounts and removes the directories. Fills *res. Returns 0, -EINVAL
 * for bad arguments, -ENODEV for the duel on one CPU, -EBUSY while another run is going on,
 * or the error that stopped the setup (res->errors counts it too). Sleeps.
 */
int mount_torture_run(const char *prefix, const struct mount_torture_spec *spec, unsigned int ms,
		      struct mount_torture_result *res)
{
	bool stopped;

	return run(prefix, spec, ms, NULL, res, &stopped);
}

/* ---- the broken variants and the shell command ---- */

const struct torture_broken mount_torture_broken[] = {
	[MOUNT_BROKEN_NO_WRITE_HOLD] = {.name = "no-write-hold",
					.removes =
						"remount,ro sums the writers and sets read-only "
						"with no WRITE_HOLD: the duel's writer wins with "
						"the remount"},
	/* may escape: only the host's store buffer can show it, a few times a second under
	   TCG when the host is quiet, not at all when it is busy (docs/mounts.md) */
	[MOUNT_BROKEN_NO_WRITER_MB] = {.name = "no-writer-mb",
				       .removes =
					       "mnt_want_write reads the flags with no smp_mb "
					       "after its count: the duel's writer wins with the "
					       "remount",
				       .may_escape = true},
	{.name = NULL},
};

/* Each variant's mount, and the delay point it turns on. */
static const enum mnt_writers_mode broken_modes[] = {
	[MOUNT_BROKEN_NO_WRITE_HOLD] = WRITERS_BROKEN_NO_HOLD,
	[MOUNT_BROKEN_NO_WRITER_MB] = WRITERS_BROKEN_NO_MB,
};
static const unsigned int broken_ro_summed_us[] = {
	/* a writer that comes in the window between the sum and read-only wins */
	[MOUNT_BROKEN_NO_WRITE_HOLD] = MOUNT_TORTURE_RO_SUMMED_US,
	/* none: the window is the store buffer's, which any wait would drain */
	[MOUNT_BROKEN_NO_WRITER_MB] = 0,
};

/* Broken variant v for ms, or until its first violation. */
static int run_broken(unsigned int v, unsigned int ms, bool until_caught,
		      struct torture_broken_result *r)
{
	struct mount_torture_spec spec = {&broken_modes[v], 1, MOUNT_LOAD_DUEL,
					  broken_ro_summed_us[v], until_caught};
	struct mount_torture_result res;
	uint64_t t0 = ktime_ns();
	bool stopped;
	int err;

	if (v >= ARRAY_SIZE(broken_modes))
		return -EINVAL;
	err = run(PREFIX, &spec, ms, NULL, &res, &stopped);
	kprintf("torture mounts: broken %s: the duel ran %lld rounds (the writer won %lld, the "
		"remounter %lld)\n",
		mount_torture_broken[v].name, res.writes + res.erofs, res.writes, res.remounts_ro);
	if (!err && res.errors > res.violations)
		err = -EIO; /* a call failed, or nothing was tested: not a catch */
	r->errors = res.violations;
	r->first_ms = res.first_ms;
	r->ms = (ktime_ns() - t0) / 1000000;
	return err;
}

/**
 * mount_torture_run_broken - broken variant v for ms, as the self-check runs it
 *
 * A torture_broken_fn: r->errors counts the violations. Returns 0, -ENODEV with one CPU, or
 * -EIO when a call failed or nothing was tested (which is no catch). Sleeps.
 */
int mount_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	return run_broken(v, ms, false, r);
}

/**
 * mount_torture_catch - mount_torture_run_broken, ending at the first violation
 *
 * r->first_ms is how long it took to catch; the run ends after max_ms when nothing was caught.
 */
int mount_torture_catch(unsigned int v, unsigned int max_ms, struct torture_broken_result *r)
{
	return run_broken(v, max_ms, true, r);
}

/* The real run's legs: each load, without and with the delay point. */
static const struct mount_torture_spec legs[] = {
	{safe_modes, NR_MOUNTS, MOUNT_LOAD_FILES, 0, false},
	{safe_modes, NR_MOUNTS, MOUNT_LOAD_FILES, MOUNT_TORTURE_RO_SUMMED_US, false},
	{safe_modes, NR_MOUNTS, MOUNT_LOAD_DUEL, 0, false},
	{safe_modes, NR_MOUNTS, MOUNT_LOAD_DUEL, MOUNT_TORTURE_RO_SUMMED_US, false},
};

/* The real mechanism for seconds, leg after leg; adds up the errors. */
static long long run_legs(unsigned int seconds, bool *stopped)
{
	unsigned int elapsed = 0, ms = seconds * 1000 / ARRAY_SIZE(legs);
	long long errors = 0;

	for (size_t i = 0; i < ARRAY_SIZE(legs) && !*stopped; i++) {
		struct mount_torture_result res;
		int err;

		kprintf("torture mounts: %s on percpu, atomic, cpu-cache, %s for %u ms\n",
			legs[i].load == MOUNT_LOAD_DUEL ? "duel" : "files",
			legs[i].ro_summed_us ? "delay point mnt-ro-summed on" : "no delay point",
			ms);
		err = run(PREFIX, &legs[i], ms, &elapsed, &res, stopped);
		if (err == -ENODEV) {
			kprintf("torture mounts: duel skipped: it needs two CPUs\n");
			elapsed += ms;
			continue;
		}
		if (err)
			kprintf("torture mounts: could not run (%s)\n", errno_name(err));
		report("leg: ");
		errors += res.errors + (err != 0);
	}
	return errors;
}

static int mount_torture(int argc, char **argv)
{
	return torture_legs_main("mounts", argc, argv, mount_torture_broken,
				 mount_torture_run_broken, run_legs);
}

TORTURE_WITH_BROKEN("mounts", "[--seconds S] [--broken VARIANT]",
		    "writers on every CPU against remount,ro on percpu, atomic and cpu-cache "
		    "mounts, files and duel; then the broken variants",
		    mount_torture, mount_torture_broken);
