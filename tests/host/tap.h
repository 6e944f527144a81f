/*
 * A tiny TAP producer for the host unit tests in tests/host.
 *
 * Each check prints one TAP line ("ok 3 - msg" or "not ok 3 - msg"); tap_done() prints the plan
 * "1..N" at the end (TAP allows the plan last) and returns the process exit status. The runner
 * (tests/run-tests) counts every line as one result.
 */
#ifndef TESTS_HOST_TAP_H
#define TESTS_HOST_TAP_H

#include <stdbool.h>

/* Report one result. fmt/... describe what was checked, printf-style. */
void tap_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a "# ..." diagnostic line (shown by the runner when a test fails). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the plan and return the exit status for main(): 0 if every check passed, else 1. */
int tap_done(void);

/*
 * Convenience checks: on failure they add a diagnostic with the file, line and both values.
 * Each evaluates its arguments exactly once.
 */
#define TAP_EXPECT_TRUE(cond, ...)                                                                 \
	do {                                                                                       \
		bool tap_ok_ = (cond);                                                             \
		tap_check(tap_ok_, __VA_ARGS__);                                                   \
		if (!tap_ok_)                                                                      \
			tap_diag("%s:%d: expected true: %s", __FILE__, __LINE__, #cond);           \
	} while (0)

#define TAP_EXPECT_EQ(a, b, ...)                                                                   \
	do {                                                                                       \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);                        \
		tap_check(tap_a_ == tap_b_, __VA_ARGS__);                                          \
		if (tap_a_ != tap_b_)                                                              \
			tap_diag("%s:%d: %s == %lld, expected %s == %lld", __FILE__, __LINE__, #a, \
				 tap_a_, #b, tap_b_);                                              \
	} while (0)

#define TAP_EXPECT_STREQ(a, b, ...)                                                                \
	do {                                                                                       \
		const char *tap_a_ = (a), *tap_b_ = (b);                                           \
		bool tap_ok_ = tap_a_ && tap_b_ && tap_strcmp(tap_a_, tap_b_) == 0;                \
		tap_check(tap_ok_, __VA_ARGS__);                                                   \
		if (!tap_ok_)                                                                      \
			tap_diag("%s:%d: got \"%s\", expected \"%s\"", __FILE__, __LINE__,         \
				 tap_a_ ? tap_a_ : "(null)", tap_b_ ? tap_b_ : "(null)");          \
	} while (0)

/* String compare that does not depend on the lib/ code under test. */
int tap_strcmp(const char *a, const char *b);

#endif
