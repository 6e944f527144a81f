/*
 * KTAP suite "mount_longterm": per-CPU mount references (fs/mnt_count.c) and longterm mounts
 * (fs/mnt_longterm.c), under /tmp/mount_test (the fixture: mount_fixture.h). It checks that
 * mntput of longterm mounts (kern_mount, clone_private_mount) on every CPU never takes the
 * global mount lock, and of a detached mount always; kern_unmount_array of 16 mounts frees
 * all 16 and RCU's own count of grace periods moves by one (two if one was under way), where
 * kern_unmount one by one moves it by one per mount, at every CPU count; NULL entries are
 * fine; a mount referenced from another CPU is freed only by that CPU's last mntput; a
 * fast-path mntput held inside its read section (the delay point mntput-fast) keeps
 * kern_unmount_array in its grace period and the mount alive until it lands, and without the
 * grace period the mount leaks; a plain mntput of a longterm mount's owner reference is
 * reported by mnt_longterm_check; `torture longterm` (fs/torture/longterm_torture.c) sees a
 * mount leak within two seconds (milliseconds when the host gives the guest its CPUs) when
 * kern_unmount_array skips its grace period (the broken variant no-grace-period), and nothing
 * wrong with the real one under the same load and delay point.
 */
#include "tests/ktest/mount_fixture.h"
#include "kernel/ktest.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/torture/longterm_torture.h"
#include "fs/bench/unmount_cost.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/sched.h"
#include "kernel/smp.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ---- longterm mounts ---- */

#define PUTS_PER_CPU 500

/* On each CPU: PUTS_PER_CPU get/put pairs, then PUTS_PER_CPU puts of the test's references. */
static int put_many(void *arg)
{
	struct vfsmount *mnt = arg;

	for (int i = 0; i < PUTS_PER_CPU; i++) {
		mntget(mnt);
		mntput(mnt);
	}
	for (int i = 0; i < PUTS_PER_CPU; i++)
		mntput(mnt);
	return 0;
}

/* The mount_lock acquisitions that putting from every CPU takes. */
static uint64_t locks_for_puts(struct ktest *t, struct vfsmount *mnt)
{
	uint64_t before, refs = (uint64_t)num_online_cpus() * PUTS_PER_CPU;

	for (uint64_t i = 0; i < refs; i++)
		mntget(mnt);
	before = mnt_count_stats().mount_lock_taken;
	EXPECT_EQ(t, on_every_cpu(t, put_many, mnt), 0);
	EXPECT_EQ(t, mnt_get_count(mnt), 1); /* only the test's own reference is left */
	return mnt_count_stats().mount_lock_taken - before;
}

static void test_longterm_mntput_takes_no_lock(struct ktest *t)
{
	uint64_t per_cpu = 2 * PUTS_PER_CPU, cpus = num_online_cpus();
	struct mnt_count_stats s0, s1;
	struct vfsmount *km = NULL, *clone = NULL, *detached = NULL;
	struct path p;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_EQ(t, kern_path(BASE "/m", 0, &p), 0);
	EXPECT_EQ(t, clone_private_mount(&p, &clone), 0);
	EXPECT_EQ(t, clone_private_mount(&p, &detached), 0);
	path_put(&p);
	EXPECT_EQ(t, kern_mount("tmpfs", NULL, &km), 0);
	if (!km || !clone || !detached)
		goto out;
	EXPECT_EQ(t, locks_for_puts(t, km), 0u);
	EXPECT_EQ(t, locks_for_puts(t, clone), 0u);

	/* Short-term, as clone_private_mount was before Linux 5.8: every put takes the lock. */
	mnt_make_shortterm(detached);
	synchronize_rcu();
	s0 = mnt_count_stats();
	EXPECT_EQ(t, locks_for_puts(t, detached), per_cpu * cpus);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive); /* the test's reference keeps it */
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed);
	mntput(detached); /* the last one frees it, under the lock */
	detached = NULL;
	s0 = mnt_count_stats();
	EXPECT_EQ(t, s0.mounts_freed, s1.mounts_freed + 1);
	EXPECT_EQ(t, s0.mounts_alive, s1.mounts_alive - 1);
	EXPECT_EQ(t, s0.mount_lock_taken, s1.mount_lock_taken + 1);
out:
	kern_unmount(km);
	kern_unmount(clone);
	if (detached)
		kern_unmount(detached);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

#define ARRAY_MOUNTS 16

/* Half kern_mount, half clones of BASE/m; 0 when all were made. */
static int make_mounts(struct ktest *t, struct vfsmount **mnts, unsigned int n)
{
	struct path p;
	int err = 0;

	memset(mnts, 0, n * sizeof(*mnts));
	if (!EXPECT_EQ(t, kern_path(BASE "/m", 0, &p), 0))
		return -ENOENT;
	for (unsigned int i = 0; i < n && !err; i++)
		err = i % 2 ? clone_private_mount(&p, &mnts[i])
			    : kern_mount("tmpfs", NULL, &mnts[i]);
	path_put(&p);
	EXPECT_EQ(t, err, 0);
	return err;
}

/* RCU's own count of grace periods completed (kernel/rcu/rcu.c), not one of ours. */
static uint64_t rcu_gps(void)
{
	return rcu_get_stats().gp_completed;
}

/*
 * RCU's count of grace periods while mnts are unmounted (one array call, or one call per
 * mount), with an extra reference on each so that no free queues callbacks (whose grace
 * periods would be counted too); the references are put afterwards.
 */
static uint64_t rcu_gps_for_unmount(struct ktest *t, struct vfsmount **mnts, unsigned int n,
				    bool array)
{
	struct mnt_count_stats s0, s1;
	uint64_t gp0, gp1;

	for (unsigned int i = 0; i < n; i++)
		mntget(mnts[i]);
	rcu_barrier(); /* nothing of earlier cases is waiting for a grace period */
	s0 = mnt_count_stats();
	gp0 = rcu_gps();
	if (array)
		kern_unmount_array(mnts, n);
	else
		for (unsigned int i = 0; i < n; i++)
			kern_unmount(mnts[i]);
	gp1 = rcu_gps();
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed); /* our references keep them */
	for (unsigned int i = 0; i < n; i++)
		mntput(mnts[i]); /* short-term now: the last put frees */
	EXPECT_EQ(t, mnt_count_stats().mounts_freed - s1.mounts_freed, (uint64_t)n);
	return gp1 - gp0;
}

static void test_unmount_array_one_grace_period(struct ktest *t)
{
	struct vfsmount *mnts[ARRAY_MOUNTS];
	struct mnt_count_stats s0, s1;
	uint64_t gps;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	s0 = mnt_count_stats();
	if (make_mounts(t, mnts, ARRAY_MOUNTS)) {
		kern_unmount_array(mnts, ARRAY_MOUNTS);
		return;
	}
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, s0.mounts_alive + ARRAY_MOUNTS);
	kern_unmount_array(mnts, ARRAY_MOUNTS);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_freed - s0.mounts_freed, (uint64_t)ARRAY_MOUNTS);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive);

	/* RCU's count: one grace period (two if one was under way as the call began), not 16,
	   at every CPU count (with one CPU, one that passes at once). */
	if (make_mounts(t, mnts, ARRAY_MOUNTS)) {
		kern_unmount_array(mnts, ARRAY_MOUNTS);
		return;
	}
	gps = rcu_gps_for_unmount(t, mnts, ARRAY_MOUNTS, true);
	ktest_log(t, "kern_unmount_array of %u: %llu grace periods", ARRAY_MOUNTS,
		  (unsigned long long)gps);
	EXPECT_GE(t, gps, 1u);
	EXPECT_LE(t, gps, 2u);
	/* One by one, each pays its own. */
	if (make_mounts(t, mnts, 4)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	gps = rcu_gps_for_unmount(t, mnts, 4, false);
	ktest_log(t, "kern_unmount of 4, one by one: %llu grace periods", (unsigned long long)gps);
	EXPECT_GE(t, gps, 4u);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

static void test_unmount_null_entries(struct ktest *t)
{
	struct vfsmount *mnts[3] = {NULL, NULL, NULL};
	struct mnt_count_stats s0, s1;
	uint64_t gp0;

	rcu_barrier(); /* nothing of earlier cases is waiting for a grace period */
	s0 = mnt_count_stats();
	gp0 = rcu_gps();
	kern_unmount(NULL);
	kern_unmount_array(mnts, 3);
	kern_unmount_array(NULL, 0);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, rcu_gps(), gp0); /* nothing to wait for */
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed);
	ASSERT_EQ(t, kern_mount("tmpfs", NULL, &mnts[1]), 0);
	s0 = mnt_count_stats();
	gp0 = rcu_gps();
	kern_unmount_array(mnts, 3);
	s1 = mnt_count_stats();
	EXPECT_GE(t, rcu_gps(), gp0 + 1);
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed + 1);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive - 1);
}

/* A thread on another CPU holds a reference to a mount across kern_unmount_array. */
struct holder {
	struct vfsmount *mnt;
	volatile bool held, put, done;
};

static int hold_then_put(void *arg)
{
	struct holder *h = arg;

	mntget(h->mnt);
	WRITE_ONCE(h->held, true);
	while (!READ_ONCE(h->put))
		yield();
	mntput(h->mnt); /* the last reference: frees it, here */
	WRITE_ONCE(h->done, true);
	return 0;
}

static void test_mount_held_on_another_cpu_outlives_unmount(struct ktest *t)
{
	unsigned int me = smp_processor_id(), other = (me + 1) % num_online_cpus();
	struct vfsmount *mnts[4];
	struct mnt_count_stats s0, s1;
	static struct holder h;
	struct thread *th;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	if (make_mounts(t, mnts, 4)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	h = (struct holder){.mnt = mnts[1]};
	th = kthread_create(hold_then_put, &h, "ktest-holder");
	if (!EXPECT_NOT_NULL(t, th)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	kthread_bind(th, other);
	wake_up_new_thread(th);
	while (!READ_ONCE(h.held))
		yield();
	s0 = mnt_count_stats();
	kern_unmount_array(mnts, 4);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed + 3); /* not the held one */
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive - 3);
	EXPECT_FALSE(t, READ_ONCE(h.mnt->mnt_flags) & MNT_DOOMED);
	EXPECT_EQ(t, mnt_get_count(h.mnt), 1);
	EXPECT_NULL(t, READ_ONCE(h.mnt->mnt_ns)); /* short-term now: its last put frees it */
	WRITE_ONCE(h.put, true);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_TRUE(t, h.done);
	s0 = mnt_count_stats();
	EXPECT_EQ(t, s0.mounts_freed, s1.mounts_freed + 1);
	EXPECT_EQ(t, s0.mounts_alive, s1.mounts_alive - 1);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* ---- a fast-path mntput in flight while kern_unmount_array clears mnt_ns ---- */

struct in_flight {
	struct vfsmount *mnts[1];
	volatile bool unmounted; /* kern_unmount_array has returned */
};

static int put_in_flight(void *arg)
{
	struct in_flight *f = arg;

	mntput(f->mnts[0]); /* held by mntput-fast: it saw mnt_ns set, not yet decremented */
	return 0;
}

static int unmount_in_flight(void *arg)
{
	struct in_flight *f = arg;

	kern_unmount_array(f->mnts, 1);
	WRITE_ONCE(f->unmounted, true);
	return 0;
}

static struct thread *start_on(int (*fn)(void *), void *arg, const char *name, unsigned int cpu)
{
	struct thread *th = kthread_create(fn, arg, "%s", name);

	if (th)
		kthread_bind(th, cpu);
	return th;
}

/*
 * The longterm mount mnt, its owner's reference and one more: a putter on another CPU puts
 * that one and is held inside mntput's fast path (delay point mntput-fast); then an unmounter
 * on this CPU calls kern_unmount_array. Waits for a state, not a time: the unmounter has
 * returned, or it cleared mnt_ns and sleeps (in its grace period). Checks, while the put is
 * held, that the mount is not freed and both references count; lets the put go, joins both.
 * Returns whether kern_unmount_array returned while the put was in flight.
 */
static bool race_put_with_unmount(struct ktest *t, struct vfsmount *mnt)
{
	unsigned int me = smp_processor_id(), other = (me + 1) % num_online_cpus();
	uint64_t freed = mnt_count_stats().mounts_freed;
	static struct in_flight f;
	struct thread *putter, *unmounter;
	bool early;

	f = (struct in_flight){.mnts = {mntget(mnt)}};
	kthread_bind(current, me); /* the putter's CPU spins: stay off it */
	putter = start_on(put_in_flight, &f, "ktest-putter", other);
	unmounter = start_on(unmount_in_flight, &f, "ktest-unmounter", me);
	if (!EXPECT_NOT_NULL(t, putter) || !EXPECT_NOT_NULL(t, unmounter) ||
	    !EXPECT_EQ(t, delay_point_hold(&dp_mntput_fast, putter), 0)) {
		if (putter)
			kthread_stop(putter);
		if (unmounter)
			kthread_stop(unmounter);
		mntput(mnt);
		return false;
	}
	wake_up_new_thread(putter);
	while (!delay_point_held(&dp_mntput_fast))
		yield();
	wake_up_new_thread(unmounter);
	while (!READ_ONCE(f.unmounted) &&
	       !(!READ_ONCE(mnt->mnt_ns) && READ_ONCE(unmounter->state) == THREAD_SLEEPING))
		yield();
	early = READ_ONCE(f.unmounted);
	EXPECT_TRUE(t, delay_point_held(&dp_mntput_fast));
	EXPECT_FALSE(t, READ_ONCE(mnt->mnt_flags) & MNT_DOOMED);
	EXPECT_EQ(t, mnt_count_stats().mounts_freed, freed);
	if (!early)
		EXPECT_EQ(t, mnt_get_count(mnt), 2); /* the owner's and the one in flight */
	delay_point_release(&dp_mntput_fast);
	EXPECT_EQ(t, kthread_join(putter), 0);
	EXPECT_EQ(t, kthread_join(unmounter), 0);
	return early;
}

/* A clone of BASE/m, longterm. */
static struct vfsmount *clone_m(struct ktest *t)
{
	struct vfsmount *mnt = NULL;
	struct path p;

	if (!EXPECT_EQ(t, kern_path(BASE "/m", 0, &p), 0))
		return NULL;
	EXPECT_EQ(t, clone_private_mount(&p, &mnt), 0);
	path_put(&p);
	return mnt;
}

/* The grace period waits for the put in flight; the unmounter's put is then the last. */
static void test_put_in_flight_holds_off_the_free(struct ktest *t)
{
	struct mnt_count_stats s0, s1;
	struct vfsmount *mnt;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the held put spins on one");
	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_NOT_NULL(t, mnt = clone_m(t));
	s0 = mnt_count_stats();
	EXPECT_FALSE(t, race_put_with_unmount(t, mnt));
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed + 1);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive - 1);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* Without the grace period (broken variant no-grace-period) the unmounter returns while the
   put is in flight, sums the reference still counted, and the put then drops the last one on
   the fast path: the mount leaks. */
static void test_put_in_flight_without_grace_period_leaks(struct ktest *t)
{
	struct mnt_count_stats s0, s1;
	struct vfsmount *mnt;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the held put spins on one");
	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_NOT_NULL(t, mnt = clone_m(t));
	mnt_set_broken_no_gp(mnt);
	s0 = mnt_count_stats();
	EXPECT_TRUE(t, race_put_with_unmount(t, mnt));
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive); /* leaked */
	EXPECT_EQ(t, mnt_get_count(mnt), 0);
	mntget(mnt); /* nobody else can reach it: a get and a put on the slow path free it */
	mntput(mnt);
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, s0.mounts_alive - 1);
	rcu_barrier(); /* its free has reached the quarantine */
	EXPECT_EQ(t, mnt_quarantine_release(), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* ---- the destructor of a longterm mount is kern_unmount, not mntput ---- */

struct leak_seen {
	const struct vfsmount *mnt;
	int seen, leaked;
};

static void note_longterm(struct vfsmount *mnt, bool leaked, void *arg)
{
	struct leak_seen *ls = arg;

	if (mnt == ls->mnt) {
		ls->seen++;
		ls->leaked += leaked;
	}
}

static void test_owner_mntput_reported(struct ktest *t)
{
	struct leak_seen ls = {0};
	struct mnt_count_stats s0;
	struct vfsmount *mnt;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_NOT_NULL(t, mnt = clone_m(t));
	ls.mnt = mnt;
	EXPECT_EQ(t, mnt_longterm_check(note_longterm, &ls), 0u);
	EXPECT_EQ(t, ls.seen, 1); /* listed, alive, not reported */
	EXPECT_EQ(t, ls.leaked, 0);
	s0 = mnt_count_stats();
	mntput(mnt); /* the wrong destructor: the fast path, and nothing will free it */
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, s0.mounts_alive);
	ls.seen = 0;
	EXPECT_EQ(t, mnt_longterm_check(note_longterm, &ls), 1u);
	EXPECT_EQ(t, ls.seen, 1);
	EXPECT_EQ(t, ls.leaked, 1);
	mntget(mnt); /* the owner's reference back, then the right destructor */
	kern_unmount(mnt);
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, s0.mounts_alive - 1);
	ls = (struct leak_seen){.mnt = mnt};
	EXPECT_EQ(t, mnt_longterm_check(note_longterm, &ls), 0u);
	EXPECT_EQ(t, ls.seen, 0); /* off the list */
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* ---- the cost of letting go: `unmount-cost` and `bench unmount` ---- */

/* RCU's count while unmount_cost lets go of n mounts the way given. */
static uint64_t cost_gps(struct ktest *t, unsigned int n, enum unmount_way way)
{
	struct snapshot before = mount_snapshot();
	struct unmount_cost c;
	struct path p;

	if (!EXPECT_EQ(t, kern_path(BASE "/m", 0, &p), 0))
		return 0;
	EXPECT_EQ(t, unmount_cost(&p, n, way, &c), 0);
	path_put(&p);
	ktest_log(t, "%s of %u: %llu grace periods, %llu us", unmount_way_name(way), n,
		  (unsigned long long)c.gps, (unsigned long long)(c.unmount_ns / 1000));
	EXPECT_EQ(t, mount_snapshot().mounts_alive, before.mounts_alive);
	return c.gps;
}

/* Each way frees all n; kern_unmount one by one costs n grace periods, both array ways one
   (two if the frees' callbacks got one of their own before the count was read), at every CPU
   count; bad arguments are refused. */
static void test_unmount_cost(struct ktest *t)
{
	struct unmount_cost c;
	struct path p;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	EXPECT_GE(t, cost_gps(t, 8, UNMOUNT_EACH), 8u);
	EXPECT_LE(t, cost_gps(t, 8, UNMOUNT_ARRAY), 2u);
	EXPECT_LE(t, cost_gps(t, 8, UNMOUNT_EXPEDITED), 2u);
	ASSERT_EQ(t, kern_path(BASE "/m", 0, &p), 0);
	EXPECT_EQ(t, unmount_cost(&p, 0, UNMOUNT_ARRAY, &c), -EINVAL);
	EXPECT_EQ(t, unmount_cost(&p, UNMOUNT_COST_MAX + 1, UNMOUNT_ARRAY, &c), -EINVAL);
	EXPECT_EQ(t, unmount_cost(&p, 1, NR_UNMOUNT_WAYS, &c), -EINVAL);
	EXPECT_EQ(t, unmount_way_parse("array"), (int)UNMOUNT_ARRAY);
	EXPECT_EQ(t, unmount_way_parse("arrays"), -EINVAL);
	path_put(&p);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* clone_private_mount out of memory (the mount, then its counters): -ENOMEM, nothing left
   behind; and unmount_cost lets go of the clones made before one failed. */
static void test_clone_private_mount_enomem(struct ktest *t)
{
	struct vfsmount *mnt = NULL;
	struct snapshot before, after;
	struct unmount_cost c;
	struct path p;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_EQ(t, kern_path(BASE "/m", 0, &p), 0);
	for (unsigned int nth = 1; nth <= 2; nth++) {
		int active = atomic_read(&p.mnt->mnt_sb->s_active);

		before = mount_snapshot();
		alloc_fail_inject(nth);
		EXPECT_EQ(t, clone_private_mount(&p, &mnt), -ENOMEM);
		alloc_fail_cancel();
		EXPECT_SAME_SNAPSHOT(t, before, mount_snapshot());
		EXPECT_EQ(t, atomic_read(&p.mnt->mnt_sb->s_active), active);
	}
	before = mount_snapshot();
	alloc_fail_inject(6); /* the array, two clones, then the third clone's mount */
	EXPECT_EQ(t, unmount_cost(&p, 4, UNMOUNT_ARRAY, &c), -ENOMEM);
	alloc_fail_cancel();
	after = mount_snapshot(); /* not free_pages: the frees in rcuc may leave a slab page */
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
	EXPECT_EQ(t, after.objects, before.objects);
	EXPECT_EQ(t, after.dentries, before.dentries);
	path_put(&p);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* ---- 8: `torture longterm` and its broken variant ---- */

/* The bound on catching it: the run ends at its first leak, or after CATCH_MS (room for a
   busy host that gives the guest's CPUs no time for a while). */
#define CATCH_MS   2000
#define TORTURE_MS 300

/* Without kern_unmount_array's grace period, the torture must see a mount leak, and end with
   every mount freed (the leaked ones by the torture) and the quarantine's poison checked. */
static void test_torture_catches_no_grace_period(struct ktest *t)
{
	struct torture_broken_result r = {0};
	struct snapshot before, after;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: a fast-path mntput must race the unmount");
	before = mount_snapshot();
	ASSERT_EQ(t, longterm_torture_catch(LONGTERM_BROKEN_NO_GRACE_PERIOD, CATCH_MS, &r), 0);
	ktest_log(t, "no-grace-period: %s after %llu ms (%lld errors)",
		  r.errors ? "caught" : "NOT caught",
		  (unsigned long long)(r.errors ? r.first_ms : r.ms), r.errors);
	EXPECT_GT(t, r.errors, 0);
	after = mount_snapshot();
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
}

/* The owner lets go with mntput: mnt_longterm_check must report the round's mounts, and the
   torture then frees them with their real destructor. At every CPU count. */
static void test_torture_catches_owner_mntput(struct ktest *t)
{
	struct torture_broken_result r = {0};
	struct snapshot before = mount_snapshot();

	ASSERT_EQ(t, longterm_torture_catch(LONGTERM_BROKEN_OWNER_MNTPUT, CATCH_MS, &r), 0);
	ktest_log(t, "owner-mntput: %lld reported after %llu ms", r.errors,
		  (unsigned long long)r.first_ms);
	EXPECT_GT(t, r.errors, 0);
	EXPECT_EQ(t, mount_snapshot().mounts_alive, before.mounts_alive);
	EXPECT_EQ(t, mnt_longterm_check(NULL, NULL), 0u);
}

/* The real kern_unmount_array under the same load and delay point: nothing leaks. */
static void test_torture_longterm_real(struct ktest *t)
{
	struct longterm_torture_result r;
	struct snapshot before = mount_snapshot(), after;

	EXPECT_EQ(t, longterm_torture_run(false, LONGTERM_TORTURE_MNTPUT_FAST_US, TORTURE_MS, &r),
		  0);
	ktest_log(t, "delayed: rounds %lld, unmounted %lld, leaked %lld, errors %lld", r.rounds,
		  r.unmounted, r.leaked, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_GT(t, r.rounds, 0);
	EXPECT_EQ(t, longterm_torture_run(false, 0, TORTURE_MS / 2, &r), 0);
	ktest_log(t, "rounds %lld, unmounted %lld, leaked %lld, errors %lld", r.rounds, r.unmounted,
		  r.leaked, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_GT(t, r.rounds, 0);
	after = mount_snapshot();
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
}

KTEST_SUITE_HOOKS(mount_longterm, mount_fixture_init, mount_fixture_exit,
		  KTEST_CASE(test_longterm_mntput_takes_no_lock),
		  KTEST_CASE(test_unmount_array_one_grace_period),
		  KTEST_CASE(test_unmount_null_entries),
		  KTEST_CASE(test_mount_held_on_another_cpu_outlives_unmount),
		  KTEST_CASE(test_put_in_flight_holds_off_the_free),
		  KTEST_CASE(test_put_in_flight_without_grace_period_leaks),
		  KTEST_CASE(test_owner_mntput_reported),
		  KTEST_CASE(test_unmount_cost),
		  KTEST_CASE(test_clone_private_mount_enomem),
		  KTEST_CASE(test_torture_catches_no_grace_period),
		  KTEST_CASE(test_torture_catches_owner_mntput),
		  KTEST_CASE(test_torture_longterm_real));
