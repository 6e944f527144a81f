/*
 * Lock torture: many threads on every CPU take one lock over and over and check, inside it,
 * that nobody else is there. Each lock type is tortured in turn; a self-check then tortures a
 * deliberately broken lock (test, then set: two CPUs can both see it free) and must catch it,
 * which shows the torture can find a broken lock at all.
 *
 * Inside the critical section a writer checks the owner slot is empty, claims it, bumps two
 * counters a and b with a delay between them, checks the slot is still its own, and frees it.
 * A reader (rwlock, rwsem) checks there is no writer inside and that a == b. Every broken check
 * is an error; at the end a must equal the number of write acquisitions.
 */
#ifndef KERNEL_TORTURE_LOCK_TORTURE_H
#define KERNEL_TORTURE_LOCK_TORTURE_H

#include <stdint.h>
#include <stdbool.h>

enum lock_torture_type {
	LOCK_TORTURE_SPINLOCK,
	LOCK_TORTURE_RWLOCK,
	LOCK_TORTURE_MUTEX,
	LOCK_TORTURE_RWSEM,
	LOCK_TORTURE_BROKEN, /* the self-check: must produce errors */
	LOCK_TORTURE_NR_TYPES,
};

struct lock_torture_result {
	uint64_t write_acquisitions;
	uint64_t read_acquisitions;
	uint64_t errors;
	unsigned int threads;
	uint64_t ms;	  /* how long it ran */
	bool interrupted; /* stopped by Ctrl-C */
};

const char *lock_torture_name(enum lock_torture_type type);
/* Returns the type named name, or -1. */
int lock_torture_parse(const char *name);
/*
 * Tortures one lock type with threads threads (0: two per online CPU) for ms milliseconds,
 * printing progress every second when verbose. Returns 0 or -ENOMEM.
 */
int lock_torture_run(enum lock_torture_type type, unsigned int threads, unsigned int ms,
		     bool verbose, struct lock_torture_result *res);

#endif
