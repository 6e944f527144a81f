/*
 * The mounts torture (fs/mount_torture.c) as a function: the shell's `torture mounts` runs it
 * with progress lines, the ktest suite "mount" for a second with modes of its choosing.
 */
#ifndef FS_MOUNT_TORTURE_H
#define FS_MOUNT_TORTURE_H

#include "fs/mount.h"

#define MOUNT_TORTURE_MAX_MOUNTS 3

struct mount_torture_result {
	long long writes, erofs, remounts_ro, busy, moved;
	long long errors; /* invariant violations and failed calls: 0 when it passed */
};

/*
 * Mounts nr (1..MOUNT_TORTURE_MAX_MOUNTS) tmpfs at prefix0, prefix1... ("/tmp/x/m" gives
 * /tmp/x/m0...; the parent must exist), mount i counting its writers the way modes[i] says,
 * runs the writers and the flipper for ms milliseconds, checks, unmounts and removes the
 * directories. Fills *res. 0, -EINVAL for bad arguments, -EBUSY while another run is going on,
 * or the error that stopped the setup (res->errors counts it too).
 */
int mount_torture_run(const char *prefix, const enum mnt_writers_mode *modes, unsigned int nr,
		      unsigned int ms, struct mount_torture_result *res);

#endif
