/*
 * The shared tail of `torture mounts` and `torture longterm` (see torture_leg.h).
 */
#include "fs/torture/torture_leg.h"
#include "kernel/console_input.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"

/**
 * torture_leg_watch - sleep through one leg of a run
 *
 * With caught given (a run that ends at its first violation), returns once caught() is true
 * or ms have passed, and prints nothing. Otherwise sleeps ms in steps of 100 ms; when
 * elapsed_ms is given, adds each step to it, prints report("Ns: ") at each whole second of
 * it, and stops early on Ctrl-C. Returns true when Ctrl-C stopped the leg. May sleep.
 */
bool torture_leg_watch(unsigned int ms, unsigned int *elapsed_ms, bool (*caught)(void),
		       void (*report)(const char *when))
{
	uint64_t t0 = ktime_ns();

	if (caught) {
		while (!caught() && ktime_ns() - t0 < ms * 1000000ULL)
			msleep(10);
		return false;
	}
	for (unsigned int t = 0; t < ms; t += 100) {
		msleep(100);
		if (!elapsed_ms)
			continue;
		*elapsed_ms += 100;
		if (console_interrupted())
			return true;
		if (*elapsed_ms % 1000 == 0) {
			char when[24];

			snprintf(when, sizeof(when), "%us: ", *elapsed_ms / 1000);
			report(when);
		}
	}
	return false;
}

/**
 * torture_legs_main - the shell command of a torture made of legs and a self-check
 *
 * `torture KIND [--seconds S] [--broken VARIANT]`: with --broken, that variant alone for S
 * seconds; otherwise run_legs for S seconds, then (unless Ctrl-C stopped it) each broken
 * variant for a second, and the verdict. Returns 0, or -EINVAL for bad arguments.
 */
int torture_legs_main(const char *kind, int argc, char **argv, const struct torture_broken *broken,
		      torture_broken_fn run_broken,
		      long long (*run_legs)(unsigned int seconds, bool *stopped))
{
	struct torture_opts o = {0};
	bool stopped = false;
	long long errors;
	int not_caught = 0;

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	if (o.broken)
		return torture_run_broken(kind, broken, o.broken, o.seconds, run_broken);
	errors = run_legs(o.seconds, &stopped);
	if (!stopped)
		not_caught = torture_self_check(kind, broken, 1000, run_broken);
	torture_verdict_checked(kind, stopped, errors, not_caught);
	return 0;
}
