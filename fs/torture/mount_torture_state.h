/*
 * The state of one `torture mounts` run, shared by its two files: fs/torture/mount_torture.c
 * (the run, the files load, the broken variants, the command) and fs/torture/mount_duel.c (the
 * duel load). One run at a time, under mount_torture.c's mutex.
 */
#ifndef FS_TORTURE_MOUNT_TORTURE_STATE_H
#define FS_TORTURE_MOUNT_TORTURE_STATE_H

#include "fs/torture/mount_torture.h"
#include "kernel/sched/sched.h"
#include "kernel/smp.h"

#define NR_MOUNTS MOUNT_TORTURE_MAX_MOUNTS

struct mount_torture_state {
	char prefix[40]; /* the mounts are prefix0, prefix1... */
	unsigned int nr; /* mounts */
	enum mnt_writers_mode modes[NR_MOUNTS];
	enum mount_torture_load load;
	unsigned int nr_writers;	     /* files: one per online CPU */
	struct thread *threads[NR_CPUS + 1]; /* the writers, then the flipper; or the duel's two */
	volatile uint64_t gen[NR_MOUNTS];    /* odd while the mount is read-only */
	atomic_t holding[NR_MOUNTS];	     /* writers between their open and their close */
	volatile bool stop;
	/* files: opens that got a write reference, refused with EROFS, remount,ro that succeeded,
	   refused with EBUSY, writers moved between open and close; the duel: rounds each side
	   won and lost, and bouts */
	atomic64_t writes, erofs, remounts_ro, busy, moved;
	atomic64_t violations; /* of the errors, those that are the invariant broken */
	bool until_caught;     /* the run ends at the first violation */
	struct torture_errors errors;
};
extern struct mount_torture_state mount_run;

/* Counts an error of the run, with a line for the first few. */
void mount_torture_error(const char *what, long long value);
/* The mount point of mount m of the run: prefix and m. */
void mount_torture_dir(unsigned int m, char *buf, size_t size);

/* fs/torture/mount_duel.c: looks up the run's mounts and starts the remounter on CPU 0 and
   the writer on CPU 1 (threads[0] and [1]); 0 or an errno (nothing started). */
int mount_duel_start(void);

/* A xorshift step: the tortures' cheap random numbers. */
static inline uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

#endif
