/*
 * torture aio (fs/torture/aio_torture.c): updaters set up and destroy aio contexts while
 * readers on every CPU look them up, with the lockless lookup_ioctx() and with the rwlock
 * "before", and I/O threads make round trips through their own contexts.
 *
 * Its broken variant, free-at-once, runs the same load against an mm whose contexts are
 * freed at their last put without the grace period (IOCTX_FREE_AT_ONCE, fs/aio_variants.c).
 * The delay points in both lookups (lookup-ioctx-found, lookup-rwlock-found) widen the window
 * between a lookup finding its context and checking it, so that an updater's free lands inside
 * it. A lockless lookup that then stands on the freed context reads the quarantine's poison:
 * the torture counts each such walk as an error. The rwlock lookups stay clean: their read
 * side keeps io_destroy from unlinking the context they stand on.
 */
#ifndef FS_TORTURE_AIO_TORTURE_H
#define FS_TORTURE_AIO_TORTURE_H

#include <stdint.h>
#include <stdbool.h>

enum aio_torture_type {
	AIO_TORTURE_REAL,	  /* the mechanism as it is */
	AIO_TORTURE_FREE_AT_ONCE, /* broken: contexts freed without their grace period */
};

struct aio_torture_result {
	long long errors;	 /* every error: the threads', the quarantine's and the end's */
	long long rwlock_errors; /* the rwlock lookups' own: 0 in either type */
	uint64_t reached;	 /* lockless walks that stood on a freed (quarantined) context */
	unsigned long damaged;	 /* words of freed contexts written after their free */
	uint64_t lookups, rwlock_lookups, destroys;
	uint64_t delay_hits; /* passes that waited at the two delay points */
	uint64_t first_ms;   /* when the first error came, from the start (0: none) */
	uint64_t ms;	     /* how long it ran */
	bool stopped;	     /* by Ctrl-C */
};

/* How aio_torture_run() runs: flags. */
#define AIO_TORTURE_VERBOSE	 1u /* a progress line every second */
#define AIO_TORTURE_UNTIL_CAUGHT 2u /* end soon after the first error (a test's catch) */

/*
 * Runs the torture of type for about ms milliseconds. The delay points go on at delays_at_ms
 * (0: from the start; ms or more: never) and off at the end. flags: AIO_TORTURE_*. Fills *r
 * and returns 0; -ENODEV for free-at-once on one CPU (a lookup cannot be overtaken by a free
 * there: its read side keeps the updater off the CPU), -ENOMEM when the threads or the I/O
 * contexts could not be made. Sleeps.
 */
int aio_torture_run(enum aio_torture_type type, unsigned int ms, unsigned int delays_at_ms,
		    unsigned int flags, struct aio_torture_result *r);

#endif
