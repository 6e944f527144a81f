/*
 * The duel of `torture mounts`: the race itself, in lockstep. A remounter on CPU 0 starts
 * round r, and one writer on another CPU calls mnt_want_write while the remounter calls
 * mnt_make_readonly, on the same mount. At most one of them may win a round: a remount,ro that
 * returned 0 while the writer's mnt_want_write also returned 0 is the invariant broken, seen
 * the round it happens.
 *
 * One side waits a random number of loop turns before its call, and the run moves the mean of
 * that wait (from the writer's side to the remounter's and back) until each side wins about
 * half the rounds: the instant where the two handshakes overlap, whatever the speed of the
 * machine. With the delay point mnt-ro-summed on, every other round the writer aims instead:
 * it calls once the remounter is inside the point's window. Every BOUT_ROUNDS rounds the writer
 * moves to the next of the other CPUs and the duel to the next mount. A pair, not every CPU:
 * under TCG on a busy host more spinning CPUs than host cores would take turns, not race.
 */
#include "fs/torture/mount_torture_state.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BOUT_ROUNDS 4096  /* duel rounds before the pair moves */
#define MAX_SKEW    16384 /* loop turns a side may wait at most */

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
} duel;

#define SKEW_WINDOW 64 /* free rounds between two moves of skew */

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
	while (READ_ONCE(duel.round) != r)
		if (READ_ONCE(duel.quit))
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
		struct vfsmount *mnt = READ_ONCE(duel.mnt);
		unsigned int cpu = READ_ONCE(duel.writer_cpu);
		int64_t hits;
		bool won;

		if (smp_processor_id() != cpu)
			sched_set_cpu(current, (int)cpu); /* a new bout */
		hits = atomic64_read(&dp_mnt_ro_summed.hits);
		WRITE_ONCE(duel.arrived, r);
		if (aiming(r))
			aim(hits);
		else
			skew(&rnd, -duel.skew);
		won = mnt_want_write(mnt) == 0;
		duel.won = won;
		smp_wmb(); /* won before wrote: pairs with duel_remounter's smp_rmb() */
		WRITE_ONCE(duel.wrote, r);
		duel_wait(&duel.checked, r);
		if (won)
			mnt_drop_write(mnt);
		WRITE_ONCE(duel.dropped, r);
	}
	return 0;
}

/* Round r's verdict: the remounter's err against whether the writer won. */
static void judge(unsigned int r, int err, bool won)
{
	if (err && err != -EBUSY)
		mount_torture_error("duel: remount,ro", err);
	atomic64_inc(err ? &mount_run.busy : &mount_run.remounts_ro);
	atomic64_inc(won ? &mount_run.writes : &mount_run.erofs);
	if (!err && won)
		atomic64_inc(&mount_run.violations);
	if (!err && won && torture_error(&mount_run.errors))
		kprintf("torture mounts: error: duel on %s, round %u%s: remount,ro returned 0 "
			"while "
			"the writer holds a write reference\n",
			writers_mode_name(READ_ONCE(duel.mnt)->mnt_writers_mode), r,
			aiming(r) ? " (aimed)" : "");
}

/* Moves the mean wait of the free rounds until each side wins about half of them. */
static void balance_skew(bool won, unsigned int r)
{
	int step = 1 + (duel.skew < 0 ? -duel.skew : duel.skew) / 8;

	if (aiming(r))
		return;
	duel.won_recent += won;
	if (++duel.rounds_recent < SKEW_WINDOW)
		return;
	duel.rounds_recent = 0;
	if (duel.won_recent > SKEW_WINDOW * 5 / 8 && duel.skew > -MAX_SKEW)
		duel.skew -= step; /* the writer is early: it waits more, or the remounter less */
	else if (duel.won_recent < SKEW_WINDOW * 3 / 8 && duel.skew < MAX_SKEW)
		duel.skew += step;
	duel.won_recent = 0;
}

/* Bout b: the writer on the next CPU but the remounter's (CPU 0), on mount b. The writer moves
   at its next round, from one CPU the remounter does not use to another. */
static void start_bout(unsigned int b)
{
	WRITE_ONCE(duel.mnt, duel.mnts[b % mount_run.nr]);
	WRITE_ONCE(duel.writer_cpu, 1 + b % (num_online_cpus() - 1));
	atomic64_inc(&mount_run.moved);
}

static int duel_remounter(void *arg)
{
	uint32_t rnd = 0x9e3779b9;
	unsigned int r;

	(void)arg;
	for (r = 1; !READ_ONCE(mount_run.stop); r++) {
		struct vfsmount *mnt;
		int err;

		if (r % BOUT_ROUNDS == 1)
			start_bout(r / BOUT_ROUNDS);
		mnt = duel.mnt;
		WRITE_ONCE(duel.round, r);
		duel_wait(&duel.arrived, r);
		skew(&rnd, duel.skew);
		read_seqlock_excl(&mount_lock);
		err = mnt_make_readonly(mnt);
		read_sequnlock_excl(&mount_lock);
		duel_wait(&duel.wrote, r);
		smp_rmb(); /* wrote before won: pairs with duel_writer's smp_wmb() */
		judge(r, err, duel.won);
		WRITE_ONCE(duel.checked, r);
		duel_wait(&duel.dropped, r);
		if (!err) {
			read_seqlock_excl(&mount_lock);
			mnt_make_writable(mnt);
			read_sequnlock_excl(&mount_lock);
		}
		balance_skew(duel.won, r);
	}
	WRITE_ONCE(duel.quit, true);
	return 0;
}

/* Looks up the duel's mounts and starts the remounter and the writer. */
int mount_duel_start(void)
{
	memset(&duel, 0, sizeof(duel));
	duel.skew = 0;
	for (unsigned int m = 0; m < mount_run.nr; m++) {
		char dir[48];
		struct path p;
		int err;

		mount_torture_dir(m, dir, sizeof(dir));
		if ((err = kern_path(dir, 0, &p)))
			return err;
		duel.mnts[m] = p.mnt; /* the tree holds it until teardown */
		path_put(&p);
	}
	duel.mnt = duel.mnts[0];
	duel.writer_cpu = 1;
	mount_run.threads[0] = kthread_create(duel_writer, NULL, "mntduel-w");
	mount_run.threads[1] = kthread_create(duel_remounter, NULL, "mntduel-r");
	if (!mount_run.threads[0] ||
	    !mount_run.threads[1]) { /* each side would wait for the other for ever */
		for (unsigned int i = 0; i < 2; i++)
			if (mount_run.threads[i])
				kthread_stop(mount_run.threads[i]);
		mount_run.threads[0] = mount_run.threads[1] = NULL;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < 2; i++) {
		kthread_bind(mount_run.threads[i], 1 - i);
		wake_up_new_thread(mount_run.threads[i]);
	}
	return 0;
}
