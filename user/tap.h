/*
 * A TAP producer for user test programs, in one header: the same shape as the kernel's KTAP
 * output (kernel/ktest.c), so tests/ktap.py and Perl's prove read both.
 *
 *	tap_plan(3);
 *	tap_ok(getpid() > 0, "getpid is positive");
 *	tap_diag("pid %d", getpid());
 *	return tap_done();
 *
 * prints "TAP version 13", the plan "1..3", one "ok N - description" or "not ok N -
 * description" per check (tap_skip: "ok N - description # SKIP why" for one that cannot run),
 * "# ..." diagnostics, and a closing "# pass:P fail:F total:T" line.
 * tap_done returns the exit status: 0 when every planned check ran and passed, 1 otherwise.
 * Only ISO C and stdio: it builds with musl and with glibc. Each line is flushed as it is
 * printed, so a program that crashes still shows every check before the crash.
 */
#ifndef USER_TAP_H
#define USER_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_planned, tap_ran, tap_failed;

/* Prints the header and the plan: n checks will follow. Call it once, first. */
static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Prints one "# ..." diagnostic line (fmt as printf's, without the newline). */
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

/* Records one check: "ok N - description" when cond is true, else "not ok". Returns cond. */
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_ran++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_ran);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

/* Records one check that did not run: "ok N - description # SKIP why" (TAP counts it). */
static inline void tap_skip(const char *why, const char *description)
{
	tap_ran++;
	printf("ok %d - %s # SKIP %s\n", tap_ran, description, why);
	fflush(stdout);
}

/* Prints the summary; returns the exit status (0: all planned checks ran and passed). */
static inline int tap_done(void)
{
	if (tap_ran != tap_planned)
		tap_diag("planned %d checks but ran %d", tap_planned, tap_ran);
	printf("# pass:%d fail:%d total:%d\n", tap_ran - tap_failed, tap_failed, tap_ran);
	fflush(stdout);
	return tap_failed || tap_ran != tap_planned;
}

#endif
