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
#include "lib/compiler.h"

struct torture_kind {
	const char *name;
	const char *args; /* synopsis of its options */
	const char *help;
	/* argv[0] is the kind's name. Returns 0 when it ran (passed or not), or -EINVAL for bad
	   arguments (the shell then prints the usage). */
	int (*run)(int argc, char **argv);
};

#define TORTURE(name_, args_, help_, fn_)                                                  \
	static const struct torture_kind torture_##fn_ __used __aligned(8)                 \
		__section(".tortures") = { name_, args_, help_, fn_ }

const struct torture_kind *torture_next(const struct torture_kind *prev); /* NULL: first */

/* Parses the "--seconds S" option every kind takes: opt is the option word, val the word after
   it. Returns 0 and sets *seconds, or -EINVAL (after saying what is allowed). */
int torture_parse_seconds(const char *opt, const char *val, unsigned int *seconds);
/* For the kinds whose only option is --seconds: argv after the kind's name; 5 s by default. */
int torture_parse_seconds_only(int argc, char **argv, unsigned int *seconds);
/* For the kinds that run on a disk: --seconds S (5 by default) and --dev NAME (vda). */
int torture_parse_seconds_and_dev(int argc, char **argv, unsigned int *seconds, const char **dev);

/* Sleeps for the run, calling report("Ns: ") every second; true if Ctrl-C stopped it. */
bool torture_watch(unsigned int seconds, void (*report)(const char *when));
/* The last line of a run: "torture NAME: stopped", "passed" or "FAILED". */
void torture_verdict(const char *name, bool stopped, long long errors);

#endif
