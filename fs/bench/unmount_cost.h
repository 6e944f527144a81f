/*
 * What letting go of N longterm mounts costs (fs/mnt_longterm.c), for `unmount-cost` in the shell
 * (fs/cmd/longterm_cmds.c) and `bench unmount` (fs/bench/bench_unmount.c): N private mounts
 * made with clone_private_mount, then unmounted one of three ways, timed, with RCU's own count of
 * the grace periods that passed meanwhile.
 */
#ifndef FS_BENCH_UNMOUNT_COST_H
#define FS_BENCH_UNMOUNT_COST_H

#include <stdint.h>

struct path;

enum unmount_way {
	UNMOUNT_EACH,	   /* kern_unmount of each: one grace period per mount (the "before") */
	UNMOUNT_ARRAY,	   /* kern_unmount_array: one grace period for all (ours) */
	UNMOUNT_EXPEDITED, /* as Linux's kern_unmount_array: one expedited grace period */
	NR_UNMOUNT_WAYS
};

#define UNMOUNT_COST_MAX 1024 /* mounts in one measure */

struct unmount_cost {
	uint64_t make_ns;    /* the N clone_private_mount calls */
	uint64_t unmount_ns; /* letting go of all N */
	uint64_t gps;	     /* grace periods RCU completed during the unmount */
};

const char *unmount_way_name(enum unmount_way way);
/* The way named name, or -EINVAL. */
int unmount_way_parse(const char *name);
int unmount_cost(const struct path *path, unsigned int n, enum unmount_way way,
		 struct unmount_cost *cost);

#endif
