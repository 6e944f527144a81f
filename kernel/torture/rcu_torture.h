/*
 * RCU torture: readers on every CPU keep reading the one current element of a small pool
 * while a writer keeps replacing it and retiring the old one through grace periods; the readers
 * check that what they hold was not freed under them.
 *
 * Each element carries a pipe count, its age: 0 while it is current, 1 once the writer has
 * replaced it, and one more each time a grace period (begun after the removal) has passed,
 * up to RCU_TORTURE_PIPE_LEN, when it is poisoned and goes back to the pool. A reader that
 * finds a pipe count of 2 or more holds an element that a whole grace period has passed over
 * since its removal: RCU let the writer go on without waiting for that reader. A reader that
 * finds the poison, or the element reused (its serial number changed while the reader held
 * it), saw freed memory. Each is an error. The readers count the pipe counts they see in a
 * histogram: in a correct RCU only 0 and 1 appear.
 *
 * The writer retires elements in turn by synchronize_rcu(), synchronize_rcu_expedited() and
 * call_rcu() chains; a "fake writer" calls synchronize_rcu(), the expedited form and
 * rcu_barrier() now and then, so grace periods and barriers overlap the real writer's. The
 * broken type frees an element as soon as it is replaced, without a grace period, and must
 * produce errors: a torture that cannot catch that proves nothing.
 */
#ifndef KERNEL_TORTURE_RCU_TORTURE_H
#define KERNEL_TORTURE_RCU_TORTURE_H

#include <stdint.h>
#include <stdbool.h>

#define RCU_TORTURE_PIPE_LEN 10

enum rcu_torture_type {
	RCU_TORTURE_RCU,    /* the real thing */
	RCU_TORTURE_BROKEN, /* the self-check: frees without a grace period */
	RCU_TORTURE_NR_TYPES,
};

struct rcu_torture_result {
	uint64_t reads;				     /* read-side sections that found an element */
	uint64_t updates;			     /* elements the writer replaced */
	uint64_t by_sync, by_expedited, by_call_rcu; /* how the replaced ones were retired */
	uint64_t freed;				     /* elements back in the pool */
	uint64_t barriers;			     /* rcu_barrier() calls by the fake writer */
	uint64_t grace_periods;			     /* completed during the run (rcu_get_stats) */
	uint64_t errors; /* pipe count >= 2, poison, or reuse seen by a reader */
	uint64_t pipe[RCU_TORTURE_PIPE_LEN + 1]; /* reads by pipe count seen */
	unsigned int readers;
	uint64_t ms;	  /* how long it ran */
	bool interrupted; /* stopped by Ctrl-C */
};

const char *rcu_torture_name(enum rcu_torture_type type);
/*
 * Tortures RCU for ms milliseconds with one reader bound to each online CPU, the writer and
 * the fake writer, printing statistics every second when verbose. Returns 0, -EINVAL for a
 * bad type, or -ENOMEM.
 */
int rcu_torture_run(enum rcu_torture_type type, unsigned int ms, bool verbose,
		    struct rcu_torture_result *res);

#endif
