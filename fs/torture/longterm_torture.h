/*
 * `torture longterm` (fs/torture/longterm_torture.c) as functions: the shell's command runs
 * them with progress lines, the ktest suite "mount_longterm" with the loads of its choosing.
 */
#ifndef FS_TORTURE_LONGTERM_TORTURE_H
#define FS_TORTURE_LONGTERM_TORTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/torture/torture.h"

/* The wait of the delay point mntput-fast where a run turns it on. */
#define LONGTERM_TORTURE_MNTPUT_FAST_US 1000

struct longterm_torture_result {
	long long rounds, unmounted; /* kern_unmount_array calls, and the mounts they took */
	long long leaked;	     /* mounts whose last reference no one saw go */
	long long changed; /* words of quarantined (freed) mounts written after their free */
	long long errors;  /* leaked + changed + failed calls: 0 when it passed */
	uint64_t first_ms; /* when the first error came, from the start */
};

/*
 * Runs `torture longterm` for ms milliseconds: rounds of longterm mounts unmounted with
 * kern_unmount_array while a thread on each other CPU puts its references to them, with the
 * delay point mntput-fast at mntput_fast_us (0: off). broken: the mounts are marked
 * MNT_BROKEN_NO_GP (no grace period; their frees go to the quarantine). Fills *res. 0,
 * -EINVAL, -ENODEV for broken on one CPU, -EBUSY while another run is going on, or the error
 * that stopped the setup.
 */
int longterm_torture_run(bool broken, unsigned int mntput_fast_us, unsigned int ms,
			 struct longterm_torture_result *res);

enum { LONGTERM_BROKEN_NO_GRACE_PERIOD };
extern const struct torture_broken longterm_torture_broken[];
/* Runs broken variant v of `torture longterm` for ms (a torture_broken_fn): r->errors counts
   the mounts leaked and the words changed after their free; -EIO when a call failed or nothing
   was tested. */
int longterm_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r);
/* The same, ending at the first leak (or after max_ms when nothing was caught). */
int longterm_torture_catch(unsigned int v, unsigned int max_ms, struct torture_broken_result *r);

#endif
