/*
 * `torture longterm`: kern_unmount_array against mntput's fast path (fs/mnt_longterm.c).
 *
 * Rounds. The owner (a thread on CPU 0) makes NR_MOUNTS longterm mounts, half kern_mount of a
 * new tmpfs, half clone_private_mount of a tmpfs in the tree. A putter on each other CPU takes
 * a reference to every one of them (legal: the owner keeps them alive) and says so; the owner
 * lets them go, and while they put their references, first on the fast path, it unmounts the
 * array. When every putter is done, every mount of the round must have been freed: the last
 * reference of each went through a slow-path mntput that summed the counts and found zero.
 *
 * The grace period in kern_unmount_array is what guarantees it: a fast-path mntput that saw
 * mnt_ns set finishes before the owner's put sums. Without it (the broken variant
 * no-grace-period), the owner's sum still counts the reference of a putter inside its fast
 * path, so the owner does not free, and the putter's decrement then drops the last reference
 * where no one looks: the mount leaks. The delay point mntput-fast holds each putter inside its
 * fast path, after it saw mnt_ns set, and the owner unmounts only once every putter is there
 * (the point's hits moved), so that every round shows it. A mount freed by the broken variant
 * goes to the quarantine (fs/mnt_longterm_broken.c), poisoned; the run ends by checking the
 * poison, so a put through a mount freed too early would be counted too. The torture frees
 * what leaked itself (a get and a put, now on the slow path) once no one else can reach it.
 *
 * The broken variant owner-mntput takes out the destructor instead: the owner lets go of the
 * round's mounts with a plain mntput, so they stay longterm and nobody frees them. What must
 * catch it is mnt_longterm_check, which the round then calls: it must report every one of
 * them. The torture then gives each its owner's reference back and calls the real destructor.
 * One round shows it, every time: the run ends after it.
 *
 * `torture longterm` runs the real mechanism, the second half with mntput-fast on, then the
 * self-check.
 *
 * Lock order: longterm_mutex (one run at a time), then what the mount calls take.
 */
#include "fs/torture/longterm_torture.h"
#include "fs/torture/torture_leg.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/console_input.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NR_MOUNTS   4
#define BASE_DIR    "/tmp/torture_lt"
#define AIM_WAIT_NS 20000000 /* the owner waits at most this long for the putters' passes */

static DEFINE_MUTEX(longterm_mutex);

static struct longterm {
	bool broken;	   /* no-grace-period: the mounts are marked MNT_BROKEN_NO_GP */
	bool owner_mntput; /* owner-mntput: the owner lets go with mntput */
	struct path base;		  /* the tmpfs the clones are made of */
	struct vfsmount *mnts[NR_MOUNTS]; /* this round's */
	unsigned int nr_putters;
	struct thread *threads[NR_CPUS + 1]; /* the putters, then the owner */
	volatile unsigned int round, go;     /* the owner's: round r begins, then its puts */
	atomic_t ready, done;		     /* putters holding their references, done */
	volatile bool stop;		     /* the run's end: the owner ends its rounds */
	volatile bool quit;		     /* the owner's: no round comes any more */
	atomic64_t rounds, unmounted, leaked, changed, reported;
	atomic64_t failures; /* of the errors, those that are not the invariant broken */
	bool until_caught;   /* the run ends at the first leak */
	struct torture_errors errors;
} longterm_run;

static void error(const char *what, long long value)
{
	if (torture_error(&longterm_run.errors))
		kprintf("torture longterm: error: %s (%lld)\n", what, value);
}

/* An error that is no catch: a call failed, or nothing was tested. */
static void failure(const char *what, long long value)
{
	atomic64_inc(&longterm_run.failures);
	error(what, value);
}

/*
 * Waits until *var reaches r; false once the owner quit. Yields: with one CPU the owner and
 * the putter take turns. A round, once begun, always ends: only the owner looks at stop,
 * between rounds, so no mount of a round is put by its owner while a putter may still take a
 * reference.
 */
static bool wait_for(volatile unsigned int *var, unsigned int r)
{
	while (READ_ONCE(*var) != r) {
		if (READ_ONCE(longterm_run.quit))
			return false;
		yield();
	}
	return true;
}

static void wait_count(atomic_t *v, int n)
{
	while (atomic_read(v) < n)
		yield();
}

static int putter(void *arg)
{
	unsigned int p = (unsigned int)(uintptr_t)arg;

	for (unsigned int r = 1; wait_for(&longterm_run.round, r); r++) {
		struct vfsmount *mnts[NR_MOUNTS];

		for (int i = 0; i < NR_MOUNTS; i++)
			mnts[i] = mntget(READ_ONCE(longterm_run.mnts[i]));
		/* A locked instruction: our mntgets are visible before ready counts us. Pairs with
		   the wait_count(&ready) in owner_round(), after which the owner may sum them. */
		atomic_inc(&longterm_run.ready);
		wait_for(&longterm_run.go, r);
		for (unsigned int i = 0; i < NR_MOUNTS; i++) /* each putter starts on its own */
			mntput(mnts[(p + i) % NR_MOUNTS]);
		atomic_inc(&longterm_run.done);
	}
	return 0;
}

/* Half kern_mount, half clones of the base; 0 or the first error (what was made is put). */
static int make_mounts(void)
{
	int err = 0;

	memset(longterm_run.mnts, 0, sizeof(longterm_run.mnts));
	for (int i = 0; i < NR_MOUNTS && !err; i++)
		err = i % 2 ? clone_private_mount(&longterm_run.base, &longterm_run.mnts[i])
			    : kern_mount("tmpfs", NULL, &longterm_run.mnts[i]);
	for (int i = 0; i < NR_MOUNTS && longterm_run.broken; i++)
		if (longterm_run.mnts[i])
			mnt_set_broken_no_gp(longterm_run.mnts[i]);
	if (err)
		kern_unmount_array(longterm_run.mnts, NR_MOUNTS);
	return err;
}

/* With mntput-fast on: waits until every putter is inside its fast path (or AIM_WAIT_NS). */
static void wait_putters_inside(int64_t hits)
{
	uint64_t t0 = ktime_ns();

	if (!READ_ONCE(dp_mntput_fast.us) || num_online_cpus() < 2)
		return; /* with one CPU the putter runs only when the owner waits */
	while (atomic64_read(&dp_mntput_fast.hits) - hits < (int64_t)longterm_run.nr_putters &&
	       ktime_ns() - t0 < AIM_WAIT_NS)
		cpu_relax();
}

/*
 * Broken runs: once the frees queued have run, a mount of the round not in the quarantine
 * leaked. No one else can reach it now: a get and a put (on the slow path) free it.
 */
static void free_leaked(void)
{
	rcu_barrier();
	for (int i = 0; i < NR_MOUNTS; i++)
		if (!mnt_in_quarantine(longterm_run.mnts[i])) {
			mntget(longterm_run.mnts[i]);
			mntput(longterm_run.mnts[i]);
		}
}

/* The owner lets go of the round's mounts: kern_unmount_array, or in owner-mntput a plain
   mntput of each (the wrong destructor: they stay longterm, and leak). */
static void let_go(void)
{
	if (!longterm_run.owner_mntput) {
		kern_unmount_array(longterm_run.mnts, NR_MOUNTS);
		return;
	}
	for (int i = 0; i < NR_MOUNTS; i++)
		mntput(longterm_run.mnts[i]);
}

/* owner-mntput, once the putters are done: mnt_longterm_check must report the round's mounts;
   then each gets its owner's reference back and the real destructor. */
static void check_reported(unsigned int r)
{
	unsigned int n = mnt_longterm_check(NULL, NULL);

	atomic64_add_return(n, &longterm_run.reported);
	if (n)
		error("longterm mounts put with mntput by their owner, reported, round", r);
	for (int i = 0; i < NR_MOUNTS; i++)
		mntget(longterm_run.mnts[i]);
	kern_unmount_array(longterm_run.mnts, NR_MOUNTS);
}

/* One round; false when no mount could be made. */
static bool owner_round(unsigned int r)
{
	uint64_t freed;
	int64_t hits;
	int err;

	if ((err = make_mounts())) {
		failure("kern_mount or clone_private_mount", err);
		return false;
	}
	atomic_set(&longterm_run.ready, 0);
	atomic_set(&longterm_run.done, 0);
	freed = mnt_count_stats().mounts_freed;
	WRITE_ONCE(longterm_run.round, r);
	/* Every putter's mntgets are in before we let go: pairs with the locked atomic_inc of
	   ready in putter(). */
	wait_count(&longterm_run.ready, (int)longterm_run.nr_putters);
	hits = atomic64_read(&dp_mntput_fast.hits);
	WRITE_ONCE(longterm_run.go, r);
	wait_putters_inside(hits);
	let_go();
	wait_count(&longterm_run.done, (int)longterm_run.nr_putters);
	if (longterm_run.owner_mntput)
		check_reported(r);
	atomic64_inc(&longterm_run.rounds);
	atomic64_add_return(NR_MOUNTS, &longterm_run.unmounted);
	freed = mnt_count_stats().mounts_freed - freed;
	if (freed < NR_MOUNTS) {
		atomic64_add_return((int64_t)(NR_MOUNTS - freed), &longterm_run.leaked);
		for (uint64_t i = freed; i < NR_MOUNTS; i++)
			error("a mount leaked: its last reference went on mntput's fast path, "
			      "round",
			      r);
		if (longterm_run.broken)
			free_leaked();
	}
	return true;
}

static int owner(void *arg)
{
	(void)arg;
	for (unsigned int r = 1; !READ_ONCE(longterm_run.stop) && owner_round(r); r++)
		if (longterm_run.owner_mntput)
			break; /* one round shows it */
	WRITE_ONCE(longterm_run.quit, true);
	return 0;
}

static int setup(void)
{
	int err = sys_mkdir(BASE_DIR, 0755);

	if (err && err != -EEXIST)
		return err;
	if ((err = sys_mount("torture", BASE_DIR, "tmpfs", 0, NULL)))
		return err;
	return kern_path(BASE_DIR, 0, &longterm_run.base);
}

static void teardown(void)
{
	int err;

	path_put(&longterm_run.base);
	if ((err = sys_umount(BASE_DIR)))
		failure("umount", err);
	sys_rmdir(BASE_DIR);
}

/* A putter bound to each CPU but the owner's (CPU 0; with one CPU, there too), then the owner.
   Without an owner, or without a putter, there is no round: the run fails. */
static void start_threads(void)
{
	unsigned int n = num_online_cpus(), want = n > 1 ? n - 1 : 1;
	struct thread *t;

	for (unsigned int i = 0; i < want; i++) {
		t = kthread_create(putter, (void *)(uintptr_t)longterm_run.nr_putters, "ltput/%u",
				   i);
		if (t) {
			kthread_bind(t, n > 1 ? i + 1 : 0);
			longterm_run.threads[longterm_run.nr_putters++] = t;
		}
	}
	t = longterm_run.nr_putters ? kthread_create(owner, NULL, "ltowner") : NULL;
	if (t)
		kthread_bind(t, 0);
	else
		longterm_run.quit = true;
	longterm_run.threads[longterm_run.nr_putters] = t;
	for (unsigned int i = 0; i <= longterm_run.nr_putters; i++)
		if (longterm_run.threads[i])
			wake_up_new_thread(longterm_run.threads[i]);
}

/* Stops the threads; broken runs check and free the quarantine. */
static void finish(void)
{
	long changed;

	WRITE_ONCE(longterm_run.stop, true);
	for (unsigned int i = 0; i <= longterm_run.nr_putters; i++)
		if (longterm_run.threads[i])
			kthread_join(longterm_run.threads[i]);
	delay_point_set("mntput-fast", 0, 0);
	if (longterm_run.broken) {
		rcu_barrier(); /* every free queued has reached the quarantine */
		if ((changed = mnt_quarantine_release())) {
			atomic64_add_return(changed, &longterm_run.changed);
			error("words of freed mounts written after their free", changed);
		}
	}
	teardown();
	if (atomic64_read(&longterm_run.rounds) == 0)
		failure("no round: nothing was tested", 0);
}

static void report(const char *when)
{
	kprintf("%srounds %lld, mounts unmounted %lld, leaked %lld, changed after free %lld, "
		"reported put with mntput %lld, errors %lld\n",
		when, (long long)atomic64_read(&longterm_run.rounds),
		(long long)atomic64_read(&longterm_run.unmounted),
		(long long)atomic64_read(&longterm_run.leaked),
		(long long)atomic64_read(&longterm_run.changed),
		(long long)atomic64_read(&longterm_run.reported),
		(long long)atomic64_read(&longterm_run.errors.count));
}

static bool caught(void)
{
	return atomic64_read(&longterm_run.leaked) || atomic64_read(&longterm_run.changed) ||
	       atomic64_read(&longterm_run.reported);
}

/* variant: a LONGTERM_BROKEN_* or LONGTERM_REAL. */
static int run(int variant, bool until_caught, unsigned int us, unsigned int ms,
	       unsigned int *elapsed_ms, struct longterm_torture_result *res, bool *stopped)
{
	bool broken = variant == LONGTERM_BROKEN_NO_GRACE_PERIOD;
	int err;

	memset(res, 0, sizeof(*res));
	*stopped = false;
	if (broken && num_online_cpus() < 2)
		return -ENODEV;
	if (!mutex_trylock(&longterm_mutex))
		return -EBUSY;
	memset(&longterm_run, 0, sizeof(longterm_run));
	longterm_run.broken = broken;
	longterm_run.owner_mntput = variant == LONGTERM_BROKEN_OWNER_MNTPUT;
	longterm_run.until_caught = until_caught;
	torture_errors_start(&longterm_run.errors);
	if ((err = setup())) {
		kprintf("torture longterm: setup failed (%d)\n", err);
		sys_umount(BASE_DIR);
		sys_rmdir(BASE_DIR);
	} else {
		if (us)
			delay_point_set("mntput-fast", us, 1);
		start_threads();
		*stopped = torture_leg_watch(ms, elapsed_ms, until_caught ? caught : NULL, report);
		finish();
	}
	*res = (struct longterm_torture_result){
		.rounds = atomic64_read(&longterm_run.rounds),
		.unmounted = atomic64_read(&longterm_run.unmounted),
		.leaked = atomic64_read(&longterm_run.leaked),
		.changed = atomic64_read(&longterm_run.changed),
		.reported = atomic64_read(&longterm_run.reported),
		.errors = atomic64_read(&longterm_run.errors.count),
		.first_ms = torture_errors_first_ms(&longterm_run.errors),
	};
	mutex_unlock(&longterm_mutex);
	return err;
}

/**
 * longterm_torture_run - one run of `torture longterm` for ms milliseconds
 *
 * Rounds of longterm mounts unmounted with kern_unmount_array while a thread on each other CPU
 * puts its references to them, with the delay point mntput-fast at mntput_fast_us (0: off).
 * broken: the mounts are marked MNT_BROKEN_NO_GP (no grace period; their frees go to the
 * quarantine). Fills *res. Returns 0, -EINVAL, -ENODEV for broken on one CPU, -EBUSY while
 * another run is going on, or the error that stopped the setup. Sleeps.
 */
int longterm_torture_run(bool broken, unsigned int mntput_fast_us, unsigned int ms,
			 struct longterm_torture_result *res)
{
	bool stopped;

	return run(broken ? LONGTERM_BROKEN_NO_GRACE_PERIOD : LONGTERM_REAL, false, mntput_fast_us,
		   ms, NULL, res, &stopped);
}

const struct torture_broken longterm_torture_broken[] = {
	[LONGTERM_BROKEN_NO_GRACE_PERIOD] = {.name = "no-grace-period",
					     .removes = "kern_unmount_array puts with no grace "
							"period: a fast-path mntput drops the last "
							"reference, the mount leaks"},
	[LONGTERM_BROKEN_OWNER_MNTPUT] = {.name = "owner-mntput",
					  .removes = "the owner lets go with mntput, not "
						     "kern_unmount: the mounts stay longterm and "
						     "leak; mnt_longterm_check must report them"},
	{.name = NULL},
};

/* Broken variant v for ms, or until its first leak. */
static int run_broken(unsigned int v, unsigned int ms, bool until_caught,
		      struct torture_broken_result *r)
{
	struct longterm_torture_result res;
	uint64_t t0 = ktime_ns();
	bool stopped;
	int err;

	if (v != LONGTERM_BROKEN_NO_GRACE_PERIOD && v != LONGTERM_BROKEN_OWNER_MNTPUT)
		return -EINVAL;
	err = run((int)v, until_caught, LONGTERM_TORTURE_MNTPUT_FAST_US, ms, NULL, &res, &stopped);
	if (!err && atomic64_read(&longterm_run.failures))
		err = -EIO; /* a call failed, or nothing was tested: not a catch */
	r->errors = res.leaked + res.changed + res.reported;
	r->first_ms = res.first_ms;
	r->ms = (ktime_ns() - t0) / 1000000;
	return err;
}

/**
 * longterm_torture_run_broken - broken variant v for ms, as the self-check runs it
 *
 * A torture_broken_fn: r->errors counts the mounts leaked, the words changed after their free
 * and the mounts mnt_longterm_check reported. Returns 0, -ENODEV for no-grace-period with one
 * CPU, or -EIO when a call failed or nothing was tested.
 */
int longterm_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	return run_broken(v, ms, false, r);
}

/* longterm_torture_run_broken, ending at the first leak (or after max_ms with none). */
int longterm_torture_catch(unsigned int v, unsigned int max_ms, struct torture_broken_result *r)
{
	return run_broken(v, max_ms, true, r);
}

/* The real mechanism for seconds: half without, half with the delay point mntput-fast. */
static long long run_legs(unsigned int seconds, bool *stopped)
{
	struct longterm_torture_result res;
	unsigned int elapsed = 0, half = seconds * 1000 / 2;
	long long errors = 0;

	for (int leg = 0; leg < 2 && !*stopped; leg++) {
		unsigned int us = leg ? LONGTERM_TORTURE_MNTPUT_FAST_US : 0;
		int err;

		kprintf("torture longterm: %u mounts a round, a putter on each other CPU, %s for "
			"%u ms\n",
			NR_MOUNTS, us ? "delay point mntput-fast on" : "no delay point", half);
		err = run(LONGTERM_REAL, false, us, half, &elapsed, &res, stopped);
		if (err)
			kprintf("torture longterm: could not run (%s)\n", errno_name(err));
		report("leg: ");
		errors += res.errors + (err != 0);
	}
	return errors;
}

static int longterm_torture(int argc, char **argv)
{
	return torture_legs_main("longterm", argc, argv, longterm_torture_broken,
				 longterm_torture_run_broken, run_legs);
}

TORTURE_WITH_BROKEN("longterm", "[--seconds S] [--broken VARIANT]",
		    "kern_unmount_array of longterm mounts against mntput's fast path on every "
		    "other CPU; then the broken variant",
		    longterm_torture, longterm_torture_broken);
