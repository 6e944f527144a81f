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
	long long reported; /* owner-mntput: mounts mnt_longterm_check reported */
	long long errors;  /* one per leak, changed word, report round, failed call: 0 passed */
	uint64_t first_ms; /* when the first error came, from the start */
};

int longterm_torture_run(bool broken, unsigned int mntput_fast_us, unsigned int ms,
			 struct longterm_torture_result *res);

enum { LONGTERM_REAL = -1, LONGTERM_BROKEN_NO_GRACE_PERIOD, LONGTERM_BROKEN_OWNER_MNTPUT };
extern const struct torture_broken longterm_torture_broken[];
int longterm_torture_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r);
int longterm_torture_catch(unsigned int v, unsigned int max_ms, struct torture_broken_result *r);

#endif
