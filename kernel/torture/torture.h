/*
 * Torture runs: bounded-time stress tests that count errors instead of hoping to crash, run
 * from the shell as `torture NAME [options]`. Each kind registers itself with TORTURE(); the
 * shell command (kernel/torture/torture_cmd.c) finds it by name and passes it the arguments
 * after the name. A run prints progress every second, stops early on Ctrl-C
 * (console_interrupted()), and ends with a line saying passed, FAILED or stopped.
 */
#ifndef KERNEL_TORTURE_TORTURE_H
#define KERNEL_TORTURE_TORTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/atomic.h"
#include "lib/compiler.h"

/*
 * A broken variant: the mechanism with the one piece that keeps its invariant taken out (the
 * idea of Linux's locktorture lock_busted and rcutorture's busted). A torture that cannot
 * catch its broken variants proves nothing, so `torture KIND` ends with a self-check that runs
 * each of them and fails unless every one is caught.
 */
struct torture_broken {
	const char *name;    /* as `torture KIND --broken NAME` takes it */
	const char *removes; /* what is taken out, and what the torture must then see */
	/* A race this machine may not show within the self-check's time (the kind's doc page
	   says why and how often it is caught): the self-check reports it, but does not fail
	   when it escapes. */
	bool may_escape;
};

struct torture_kind {
	const char *name;
	const char *args; /* synopsis of its options */
	const char *help;
	/* argv[0] is the kind's name. Returns 0 when it ran (passed or not), or -EINVAL for bad
	   arguments (the shell then prints the usage). */
	int (*run)(int argc, char **argv);
	const struct torture_broken *broken; /* its broken variants, ending with a NULL name */
};

#define TORTURE(name_, args_, help_, fn_)                                                          \
	static const struct torture_kind torture_##fn_ __used __aligned(8)                         \
		__section(".tortures") = {name_, args_, help_, fn_, NULL}
#define TORTURE_WITH_BROKEN(name_, args_, help_, fn_, broken_)                                     \
	static const struct torture_kind torture_##fn_ __used __aligned(8)                         \
		__section(".tortures") = {name_, args_, help_, fn_, broken_}

const struct torture_kind *torture_next(const struct torture_kind *prev); /* NULL: first */

/* Parses the "--seconds S" option every kind takes: opt is the option word, val the word after
   it. Returns 0 and sets *seconds, or -EINVAL (after saying what is allowed). */
int torture_parse_seconds(const char *opt, const char *val, unsigned int *seconds);
/* For the kinds whose only option is --seconds: argv after the kind's name; 5 s by default. */
int torture_parse_seconds_only(int argc, char **argv, unsigned int *seconds);
/* For the kinds that run on a disk: --seconds S (5 by default) and --dev NAME (vda). */
int torture_parse_seconds_and_dev(int argc, char **argv, unsigned int *seconds, const char **dev);

/* The options of the kinds that have broken variants: --seconds S (5 by default), --broken NAME
   (NULL: the real mechanism), --delay US (how long the kind's delay points wait; -1, the
   default, leaves it to the kind; 0 turns them off), and with dev set, --dev NAME (*dev is the
   default on entry). */
struct torture_opts {
	unsigned int seconds;
	const char *broken;
	const char *dev;
	int delay_us;
};
/* Parses argv after the kind's name into *o. Returns 0 or -EINVAL. */
int torture_parse(int argc, char **argv, struct torture_opts *o);

/* The errors of one run: how many, and how long after its start the first one came. */
struct torture_errors {
	atomic64_t count;
	uint64_t start_ns;
	atomic64_t first_ns; /* 0 until the first error */
};
void torture_errors_start(struct torture_errors *e);
/* Counts one error. True for the first five: worth a line each, where a broken run would
   flood the console with them. */
bool torture_error(struct torture_errors *e);
/* Milliseconds from the start to the first error (0 when there was none). */
uint64_t torture_errors_first_ms(const struct torture_errors *e);

/* What a run of one broken variant found. */
struct torture_broken_result {
	long long errors;
	uint64_t first_ms; /* when the first error came, from the start of the run */
	uint64_t ms;	   /* how long it ran */
};
/* Runs broken variant v (an index into the kind's broken[]) for about ms milliseconds and
   fills *r. Returns 0, -ENODEV when this machine cannot show it (one CPU, for a race between
   two), or the error that kept it from running. */
typedef int (*torture_broken_fn)(unsigned int v, unsigned int ms, struct torture_broken_result *r);

/* The self-check that ends `torture KIND`: each broken variant for ms, a line each ("caught:
   N errors, the first after T ms" or "NOT caught"). Returns how many were not caught, leaving
   out those marked may_escape. */
int torture_self_check(const char *kind, const struct torture_broken *broken, unsigned int ms,
		       torture_broken_fn run);
/* `torture KIND --broken NAME`: that variant alone for the seconds asked, ending "torture
   KIND: failed (N errors)" (the variant was caught) or "torture KIND: NOT caught". -EINVAL for
   a name that is not among broken[] (after listing them). */
int torture_run_broken(const char *kind, const struct torture_broken *broken, const char *name,
		       unsigned int seconds, torture_broken_fn run);
/* The index of the variant named name in broken[], or -1. */
int torture_broken_index(const struct torture_broken *broken, const char *name);

/* Sleeps for the run, calling report("Ns: ") every second; true if Ctrl-C stopped it. */
bool torture_watch(unsigned int seconds, void (*report)(const char *when));
/* The last line of a run: "torture NAME: stopped", "passed" or "FAILED". */
void torture_verdict(const char *name, bool stopped, long long errors);
/* The same after the self-check: "passed" only when the real run had no errors and
   not_caught is 0. */
void torture_verdict_checked(const char *name, bool stopped, long long errors, int not_caught);

#endif
