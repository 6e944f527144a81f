/*
 * `torture mounts`: writers against remount,ro (seed 1), on tmpfs mounts counting their writers
 * in the modes the run picks. Two loads (fs/torture/mount_torture.h):
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
 * and the mounts must come off cleanly.
 *
 * duel. The race itself, in lockstep: a remounter starts round r, and one writer on another
 * CPU calls mnt_want_write while the remounter calls mnt_make_readonly, on the same mount. At
 * most one of them may win a round: a remount,ro that returned 0 while the writer's
 * mnt_want_write also returned 0 is the invariant broken, seen the round it happens. One side
 * waits a random number of loop turns before its call, and the run moves the mean of that wait
 * (from the writer's side to the remounter's and back) until each side wins about half the
 * rounds: the instant where the two handshakes overlap, whatever the speed of the machine.
 * With the delay point mnt-ro-summed on, every other round the writer aims instead: it calls
 * once the remounter is inside the point's window. The remounter stays on CPU 0; every
 * BOUT_ROUNDS rounds the writer moves to the next of the other CPUs and the duel to the next
 * mount. A pair, not every CPU: under TCG on a busy host more spinning CPUs than host cores
 * would take turns instead of racing.
 *
 * `torture mounts` runs each load on three mounts (percpu, atomic, cpu-cache), each without
 * and then with the delay point mnt-ro-summed on, then the self-check: each broken variant
 * (fs/mnt_writers.c's WRITERS_BROKEN_*) on a mount of its own in the duel.
 */
#include "fs/torture/mount_torture.h"
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

#define NR_MOUNTS   MOUNT_TORTURE_MAX_MOUNTS
#define RECORD	    16	  /* "g%014llu\n" */
#define BOUT_ROUNDS 4096  /* duel rounds before the pair moves */
#define MAX_SKEW    16384 /* loop turns a side may wait at most */
#define PREFIX	    "/tmp/torture_mnt"

static const enum mnt_writers_mode safe_modes[NR_MOUNTS] = {WRITERS_PERCPU, WRITERS_ATOMIC,
							    WRITERS_CPU_CACHE};

/* One run at a time: T is the run's state. */
static DEFINE_MUTEX(torture_mutex);

static struct mount_torture {
	char prefix[40]; /* the mounts are prefix0, prefix1... */
	unsigned int nr; /* mounts */
	enum mnt_writers_mode modes[NR_MOUNTS];
	enum mount_torture_load load;
	unsigned int nr_writers;	     /* files: one per online CPU */
	struct thread *threads[NR_CPUS + 1]; /* the writers, then the flipper or remounter */
	volatile uint64_t gen[NR_MOUNTS];    /* odd while the mount is read-only */
	atomic_t holding[NR_MOUNTS];	     /* writers between their open and their close */
	volatile bool stop;
	atomic64_t writes, erofs, remounts_ro, busy, moved;
	atomic64_t violations; /* of the errors, those that are the invariant broken */
	bool until_caught;     /* the run ends at the first violation */
	struct torture_errors errors;
} T;

/*
 * The duel's handshake: the remounter starts round r by setting round to r; the writer answers
 * in arrived, then in wrote once its mnt_want_write returned (won: it returned 0); the remounter
 * in checked once it judged the round, the writer in dropped once it put its write reference
 * back. The remounter makes its call only once the writer arrived: both CPUs are running then,
 * even when the host runs other work on its cores. A round once begun always ends, whatever
 * the stop: a writer that dropped its reference early would make a remount,ro that comes after
 * look like a winner beside it. Only the remounter looks at the stop, before it begins a
 * round, and sets quit when it leaves. Each side writes its own cache line.
 */
static struct duel {
	struct {
		volatile unsigned int round, checked;
		volatile bool quit;
		/* Before its call, the remounter waits 0..2*skew loop turns at random when
		   skew > 0, the writer 0..-2*skew when skew < 0. */
		volatile int skew;
		struct vfsmount *mnt;	 /* this bout's */
		unsigned int writer_cpu; /* this bout's */
	} __aligned(64);
	struct {
		volatile unsigned int arrived, wrote, dropped;
		volatile bool won;
	} __aligned(64);
	struct vfsmount *mnts[NR_MOUNTS]; /* the tree keeps them while the run lasts */
	unsigned int won_recent;	  /* rounds the writer won of the last rounds_recent */
	unsigned int rounds_recent;	  /* free rounds (not aimed) since skew last moved */
} D;

#define SKEW_WINDOW 64 /* free rounds between two moves of skew */

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void error(const char *what, long long value)
{
	if (torture_error(&T.errors))
		kprintf("torture mounts: error: %s (%lld)\n", what, value);
}

/* An error that is the invariant broken (not a failed call): what catches a broken variant. */
static void violation(const char *what, long long value)
{
	atomic64_inc(&T.violations);
	error(what, value);
}

static void mount_dir(unsigned int m, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u", T.prefix, m);
}

static void writer_file(unsigned int m, unsigned int w, char *buf, size_t size)
{
	snprintf(buf, size, "%s%u/w%u", T.prefix, m, w);
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
		violation("generation odd while writing", (long long)T.gen[m]);
	if (next_random(rnd) % 10 == 0) {
		unsigned int cpu = (smp_processor_id() + 1) % num_online_cpus();

		if (cpu == smp_processor_id())
			yield(); /* one CPU: the others run while this writer holds its reference */
		else if (sched_set_cpu(current, (int)cpu) == 0)
			atomic64_inc(&T.moved);
	}
	check_writable(fd);
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
		smp_mb(); /* our remount before the read of holding: pairs with the locked
			     atomic_inc in write_round */
		if (atomic_read(&T.holding[m])) /* a writer still between open and close */
			violation("remount,ro succeeded under an open writer",
				  atomic_read(&T.holding[m]));
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
						violation("odd generation in a file", (long long)g);
				}
			sys_close(fd);
		}
	kfree(buf);
}

/* Starts the files load's threads: a writer bound to each CPU, and the flipper. */
static void start_files(void)
{
	unsigned int n = T.nr_writers;

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
}

/* ---- the duel ---- */

/* Spins until *var reaches r (the other side of the duel is running on its own CPU, so no
   pause: under TCG one exits the translated code). */
static void duel_wait(volatile unsigned int *var, unsigned int r)
{
	while (READ_ONCE(*var) != r)
		;
}

/* The writer waits for round r; false when the remounter quit instead. */
static bool next_round(unsigned int r)
{
	while (READ_ONCE(D.round) != r)
		if (READ_ONCE(D.quit))
			return false;
	return true;
}

/* Waits 0..2*turns loop turns at random (none when turns <= 0). */
static void skew(uint32_t *rnd, int turns)
{
	unsigned int n = turns > 0 ? next_random(rnd) % (2 * (unsigned int)turns + 1) : 0;

	for (unsigned int i = 0; i < n; i++)
		barrier();
}

/*
 * With the delay point mnt-ro-summed on, the writer aims at its window every other round: it
 * asks for its write reference only once the remounter is inside (the point's hits move), so
 * that the window the point widens is the one the round tests. The other rounds race freely.
 */
static bool aiming(unsigned int r)
{
	return READ_ONCE(dp_mnt_ro_summed.us) && r % 2;
}

/* Waits until the remounter passes the delay point mnt-ro-summed (hits left was read before
   arriving, so that it cannot be this round's pass). */
static void aim(int64_t hits)
{
	while (atomic64_read(&dp_mnt_ro_summed.hits) == hits && READ_ONCE(dp_mnt_ro_summed.us))
		;
}

static int duel_writer(void *arg)
{
	uint32_t rnd = 0x7f4a7c15;

	(void)arg;
	for (unsigned int r = 1; next_round(r); r++) {
		struct vfsmount *mnt = READ_ONCE(D.mnt);
		unsigned int cpu = READ_ONCE(D.writer_cpu);
		int64_t hits;
		bool won;

		if (smp_processor_id() != cpu)
			sched_set_cpu(current, (int)cpu); /* a new bout */
		hits = atomic64_read(&dp_mnt_ro_summed.hits);
		WRITE_ONCE(D.arrived, r);
		if (aiming(r))
			aim(hits);
		else
			skew(&rnd, -D.skew);
		won = mnt_want_write(mnt) == 0;
		D.won = won;
		smp_wmb(); /* won before wrote: pairs with duel_remounter's smp_rmb() */
		WRITE_ONCE(D.wrote, r);
		duel_wait(&D.checked, r);
		if (won)
			mnt_drop_write(mnt);
		WRITE_ONCE(D.dropped, r);
	}
	return 0;
}

/* Round r's verdict: the remounter's err against whether the writer won. */
static void judge(unsigned int r, int err, bool won)
{
	if (err && err != -EBUSY)
		error("duel: remount,ro", err);
	atomic64_inc(err ? &T.busy : &T.remounts_ro);
	atomic64_inc(won ? &T.writes : &T.erofs);
	if (!err && won)
		atomic64_inc(&T.violations);
	if (!err && won && torture_error(&T.errors))
		kprintf("torture mounts: error: duel on %s, round %u%s: remount,ro returned 0 "
			"while "
			"the writer holds a write reference\n",
			writers_mode_name(READ_ONCE(D.mnt)->mnt_writers_mode), r,
			aiming(r) ? " (aimed)" : "");
}

/* Moves the mean wait of the free rounds until each side wins about half of them. */
static void balance_skew(bool won, unsigned int r)
{
	int step = 1 + (D.skew < 0 ? -D.skew : D.skew) / 8;

	if (aiming(r))
		return;
	D.won_recent += won;
	if (++D.rounds_recent < SKEW_WINDOW)
		return;
	D.rounds_recent = 0;
	if (D.won_recent > SKEW_WINDOW * 5 / 8 && D.skew > -MAX_SKEW)
		D.skew -= step; /* the writer is early: it waits more, or the remounter less */
	else if (D.won_recent < SKEW_WINDOW * 3 / 8 && D.skew < MAX_SKEW)
		D.skew += step;
	D.won_recent = 0;
}

/* Bout b: the writer on the next CPU but the remounter's (CPU 0), on mount b. The writer moves
   at its next round, from one CPU the remounter does not use to another. */
static void start_bout(unsigned int b)
{
	WRITE_ONCE(D.mnt, D.mnts[b % T.nr]);
	WRITE_ONCE(D.writer_cpu, 1 + b % (num_online_cpus() - 1));
	atomic64_inc(&T.moved);
}

static int duel_remounter(void *arg)
{
	uint32_t rnd = 0x9e3779b9;
	unsigned int r;

	(void)arg;
	for (r = 1; !READ_ONCE(T.stop); r++) {
		struct vfsmount *mnt;
		int err;

		if (r % BOUT_ROUNDS == 1)
			start_bout(r / BOUT_ROUNDS);
		mnt = D.mnt;
		WRITE_ONCE(D.round, r);
		duel_wait(&D.arrived, r);
		skew(&rnd, D.skew);
		read_seqlock_excl(&mount_lock);
		err = mnt_make_readonly(mnt);
		read_sequnlock_excl(&mount_lock);
		duel_wait(&D.wrote, r);
		smp_rmb(); /* wrote before won: pairs with duel_writer's smp_wmb() */
		judge(r, err, D.won);
		WRITE_ONCE(D.checked, r);
		duel_wait(&D.dropped, r);
		if (!err) {
			read_seqlock_excl(&mount_lock);
			mnt_make_writable(mnt);
			read_sequnlock_excl(&mount_lock);
		}
		balance_skew(D.won, r);
	}
	WRITE_ONCE(D.quit, true);
	return 0;
}

/* Looks up the duel's mounts and starts the remounter and the writer. */
static int start_duel(void)
{
	memset(&D, 0, sizeof(D));
	D.skew = 0;
	for (unsigned int m = 0; m < T.nr; m++) {
		char dir[48];
		struct path p;
		int err;

		mount_dir(m, dir, sizeof(dir));
		if ((err = kern_path(dir, 0, &p)))
			return err;
		D.mnts[m] = p.mnt; /* the tree holds it until teardown */
		path_put(&p);
	}
	D.mnt = D.mnts[0];
	D.writer_cpu = 1;
	T.threads[0] = kthread_create(duel_writer, NULL, "mntduel-w");
	T.threads[1] = kthread_create(duel_remounter, NULL, "mntduel-r");
	if (!T.threads[0] || !T.threads[1]) { /* each side would wait for the other for ever */
		for (unsigned int i = 0; i < 2; i++)
			if (T.threads[i])
				kthread_stop(T.threads[i]);
		T.threads[0] = T.threads[1] = NULL;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < 2; i++) {
		kthread_bind(T.threads[i], 1 - i);
		wake_up_new_thread(T.threads[i]);
	}
	return 0;
}

/* ---- a run ---- */

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
	long long errors = atomic64_read(&T.errors.count);

	if (T.load == MOUNT_LOAD_DUEL)
		kprintf("%sduel: writer won %lld, lost %lld; remounter won %lld, lost %lld; bouts "
			"%lld, errors %lld\n",
			when, (long long)atomic64_read(&T.writes),
			(long long)atomic64_read(&T.erofs),
			(long long)atomic64_read(&T.remounts_ro), (long long)atomic64_read(&T.busy),
			(long long)atomic64_read(&T.moved), errors);
	else
		kprintf("%swrites %lld, EROFS %lld, remount ro %lld, busy %lld, moved %lld, errors "
			"%lld\n",
			when, (long long)atomic64_read(&T.writes),
			(long long)atomic64_read(&T.erofs),
			(long long)atomic64_read(&T.remounts_ro), (long long)atomic64_read(&T.busy),
			(long long)atomic64_read(&T.moved), errors);
}

/* Sets up the mounts and starts the load; on an error, undoes what it did. */
static int start(const char *prefix, const struct mount_torture_spec *spec)
{
	int err;

	memset(&T, 0, sizeof(T));
	torture_errors_start(&T.errors);
	strlcpy(T.prefix, prefix, sizeof(T.prefix));
	T.nr = spec->nr;
	T.load = spec->load;
	T.until_caught = spec->until_caught;
	memcpy(T.modes, spec->modes, spec->nr * sizeof(*spec->modes));
	T.nr_writers = spec->load == MOUNT_LOAD_FILES ? num_online_cpus() : 0;
	if ((err = setup(T.nr_writers))) {
		kprintf("torture mounts: setup failed (%d)\n", err);
		error("setup", err);
		teardown();
		return err;
	}
	T.errors.start_ns = ktime_ns(); /* the load starts now */
	if (spec->load == MOUNT_LOAD_DUEL && (err = start_duel())) {
		error("duel: setup", err);
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
	unsigned int threads = T.load == MOUNT_LOAD_DUEL ? 2 : T.nr_writers + 1;

	WRITE_ONCE(T.stop, true);
	for (unsigned int i = 0; i < threads; i++)
		if (T.threads[i])
			kthread_join(T.threads[i]);
	delay_point_set("mnt-ro-summed", 0, 0);
	if (T.load == MOUNT_LOAD_FILES)
		check_files(T.nr_writers);
	teardown();
	if (T.load == MOUNT_LOAD_FILES &&
	    (atomic64_read(&T.writes) == 0 || atomic64_read(&T.remounts_ro) == 0))
		error("no writes or no successful remount,ro: nothing was tested", 0);
	if (T.load == MOUNT_LOAD_DUEL && atomic64_read(&T.writes) + atomic64_read(&T.erofs) == 0)
		error("duel: no round: nothing was tested", 0);
}

/* Sleeps ms, with a progress line at each whole second of *elapsed_ms when it is given; true
   when Ctrl-C stopped it. */
static bool watch(unsigned int ms, unsigned int *elapsed_ms)
{
	uint64_t t0 = ktime_ns();

	if (T.until_caught) {
		while (!atomic64_read(&T.violations) && ktime_ns() - t0 < ms * 1000000ULL)
			msleep(10);
		return false;
	}
	if (!elapsed_ms) {
		msleep(ms);
		return false;
	}
	for (unsigned int t = 0; t < ms; t += 100) {
		msleep(100);
		*elapsed_ms += 100;
		if (console_interrupted())
			return true;
		if (*elapsed_ms % 1000 == 0) {
			char when[24];

			snprintf(when, sizeof(when), "%us: ", *elapsed_ms / 1000);
			report(when);
		}
	}
	return false;
}

static bool spec_ok(const char *prefix, const struct mount_torture_spec *spec)
{
	if (spec->nr == 0 || spec->nr > NR_MOUNTS || strlen(prefix) + 1 >= sizeof(T.prefix))
		return false;
	for (unsigned int m = 0; m < spec->nr; m++)
		if (spec->modes[m] >= NR_WRITERS_MODES)
			return false;
	return true;
}

/* One run; elapsed_ms, when given, numbers its progress lines. */
static int run(const char *prefix, const struct mount_torture_spec *spec, unsigned int ms,
	       unsigned int *elapsed_ms, struct mount_torture_result *res, bool *stopped)
{
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
		*stopped = watch(ms, elapsed_ms);
		finish();
	}
	*res = (struct mount_torture_result){
		.writes = atomic64_read(&T.writes),
		.erofs = atomic64_read(&T.erofs),
		.remounts_ro = atomic64_read(&T.remounts_ro),
		.busy = atomic64_read(&T.busy),
		.moved = atomic64_read(&T.moved),
		.errors = atomic64_read(&T.errors.count),
		.violations = atomic64_read(&T.violations),
		.first_ms = torture_errors_first_ms(&T.errors),
	};
	mutex_unlock(&torture_mutex);
	return err;
}

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

int mount_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	return run_broken(v, ms, false, r);
}

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
	struct torture_opts o = {0};
	bool stopped = false;
	long long errors;
	int not_caught = 0;

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	if (o.broken)
		return torture_run_broken("mounts", mount_torture_broken, o.broken, o.seconds,
					  mount_torture_run_broken);
	errors = run_legs(o.seconds, &stopped);
	if (!stopped)
		not_caught = torture_self_check("mounts", mount_torture_broken, 1000,
						mount_torture_run_broken);
	torture_verdict_checked("mounts", stopped, errors, not_caught);
	return 0;
}

TORTURE_WITH_BROKEN("mounts", "[--seconds S] [--broken VARIANT]",
		    "writers on every CPU against remount,ro on percpu, atomic and cpu-cache "
		    "mounts, files and duel; then the broken variants",
		    mount_torture, mount_torture_broken);
