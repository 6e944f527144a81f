/*
 * The mounts torture (fs/torture/mount_torture.c) as functions: the shell's `torture mounts`
 * runs them with progress lines, the ktest suites for a second with loads of their choosing.
 */
#ifndef FS_TORTURE_MOUNT_TORTURE_H
#define FS_TORTURE_MOUNT_TORTURE_H

#include "fs/mount.h"
#include "kernel/torture/torture.h"

#define MOUNT_TORTURE_MAX_MOUNTS 3
/* The wait of the delay point mnt-ro-summed where a run turns it on. */
#define MOUNT_TORTURE_RO_SUMMED_US 5000

enum mount_torture_load {
	/* Writers on every CPU open, append and close files through the mounts while a flipper
	   remounts them ro and rw with sys_mount. */
	MOUNT_LOAD_FILES,
	/* A remounter and a writer on two CPUs race, round after round, mnt_make_readonly against
	   mnt_want_write on one mount, in lockstep: at most one of them may win a round. Needs two
	   CPUs. */
	MOUNT_LOAD_DUEL,
};

struct mount_torture_spec {
	const enum mnt_writers_mode *modes; /* one mount per mode */
	unsigned int nr;		    /* 1..MOUNT_TORTURE_MAX_MOUNTS */
	enum mount_torture_load load;
	unsigned int ro_summed_us; /* the delay point mnt-ro-summed while it runs; 0: off */
	bool until_caught;	   /* end at the first violation, or after the time given */
};

struct mount_torture_result {
	/* files: opens that got a write reference, opens refused with EROFS, remount,ro that
	   succeeded or were refused with EBUSY, writers moved between open and close. The duel:
	   rounds the writer won, lost (EROFS), the remounter won, lost (EBUSY), bouts (pairs of
	   CPUs). */
	long long writes, erofs, remounts_ro, busy, moved;
	long long errors;     /* invariant violations and failed calls: 0 when it passed */
	long long violations; /* of them, the invariant broken */
	uint64_t first_ms;    /* when the first error came, from the start */
};

int mount_torture_run(const char *prefix, const struct mount_torture_spec *spec, unsigned int ms,
		      struct mount_torture_result *res);

/* The broken variants of `torture mounts`, in the order of mount_torture_broken[]. */
enum { MOUNT_BROKEN_NO_WRITE_HOLD, MOUNT_BROKEN_NO_WRITER_MB };
extern const struct torture_broken mount_torture_broken[];
int mount_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r);
int mount_torture_catch(unsigned int v, unsigned int max_ms, struct torture_broken_result *r);

#endif
