/*
 * The measure behind `unmount-cost` and `bench unmount` (fs/bench/unmount_cost.h).
 *
 * Each way makes every mount short-term before any put, so that fast-path mntputs in flight
 * land before the sum (fs/mnt_longterm.c); they differ in the grace periods they wait for.
 * The expedited way is what Linux's kern_unmount_array does (since 5.8, when it came with
 * "ovl: make private mounts longterm"): it asks every CPU for its quiescent state by IPI
 * instead of waiting for their ticks. Linux's kern_unmount of one mount still waits a normal one.
 */
#include "fs/bench/unmount_cost.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "kernel/rcu/rcu.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

static const char *const way_names[NR_UNMOUNT_WAYS] = {
	[UNMOUNT_EACH] = "each",
	[UNMOUNT_ARRAY] = "array",
	[UNMOUNT_EXPEDITED] = "expedited",
};

const char *unmount_way_name(enum unmount_way way)
{
	return way < NR_UNMOUNT_WAYS ? way_names[way] : "?";
}

int unmount_way_parse(const char *name)
{
	for (int w = 0; w < NR_UNMOUNT_WAYS; w++)
		if (!strcmp(name, way_names[w]))
			return w;
	return -EINVAL;
}

/* Linux's kern_unmount_array: all short-term, one expedited grace period, the puts. */
static void unmount_expedited(struct vfsmount **mnts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		mnt_make_shortterm(mnts[i]);
	synchronize_rcu_expedited();
	for (unsigned int i = 0; i < n; i++)
		mntput(mnts[i]);
}

static void unmount_all(struct vfsmount **mnts, unsigned int n, enum unmount_way way)
{
	switch (way) {
	case UNMOUNT_EACH:
		for (unsigned int i = 0; i < n; i++)
			kern_unmount(mnts[i]);
		break;
	case UNMOUNT_ARRAY:
		kern_unmount_array(mnts, n);
		break;
	default:
		unmount_expedited(mnts, n);
		break;
	}
}

/**
 * unmount_cost - make n private mounts of path, let go of them the way given, and time it
 *
 * Fills *cost. Returns 0; -EINVAL for n outside 1..UNMOUNT_COST_MAX or a way unknown; -ENOMEM
 * or clone_private_mount's error (the mounts made are let go of first). Sleeps.
 */
int unmount_cost(const struct path *path, unsigned int n, enum unmount_way way,
		 struct unmount_cost *cost)
{
	struct vfsmount **mnts;
	uint64_t t0, gp0;
	unsigned int made;
	int err = 0;

	if (n == 0 || n > UNMOUNT_COST_MAX || way >= NR_UNMOUNT_WAYS)
		return -EINVAL;
	if (!(mnts = kzalloc(n * sizeof(*mnts))))
		return -ENOMEM;
	t0 = ktime_ns();
	for (made = 0; made < n && !err; made += !err)
		err = clone_private_mount(path, &mnts[made]);
	cost->make_ns = ktime_ns() - t0;
	gp0 = rcu_get_stats().gp_completed;
	t0 = ktime_ns();
	unmount_all(mnts, made, way);
	cost->unmount_ns = ktime_ns() - t0;
	cost->gps = rcu_get_stats().gp_completed - gp0;
	kfree(mnts);
	return err;
}
