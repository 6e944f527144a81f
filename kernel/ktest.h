/*
 * In-kernel tests with KTAP output (the format of Linux's KUnit). A suite is a named array of
 * cases, registered in the .ktest_suites linker section by KTEST_SUITE, so adding a suite needs
 * no list to edit. Each case receives a struct ktest and reports through the EXPECT_ (record a
 * failure, go on) and ASSERT_ (record a failure, return from the case) macros, or KTEST_SKIP.
 *
 *	static void test_sum(struct ktest *t) { EXPECT_EQ(t, 1 + 1, 2); }
 *	KTEST_SUITE(math, KTEST_CASE(test_sum));
 *
 * A suite whose cases share a fixture names its hooks, as KUnit's struct kunit_suite does:
 * init runs before each case and exit after it, even when the case failed or returned early
 * from an ASSERT, so a case's function is the test itself (`break test_sum` in gdb stops there)
 * and the clean-up cannot be skipped. init returns 0, or a negative errno: the case then does
 * not run, and is skipped if init called ktest_skip (no disk, say), failed otherwise. The
 * fixture's state goes in t->priv.
 *
 *	KTEST_SUITE_HOOKS(files, files_init, files_exit, KTEST_CASE(test_create));
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/compiler.h"

struct ktest {
	const char *name;
	int failures;
	bool skipped;
	char skip_reason[96];
	void *priv; /* the suite's fixture: set by its init, read by the case and by exit */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned ncases;
	int (*init)(struct ktest *t);  /* optional: before each case; nonzero skips the case */
	void (*exit)(struct ktest *t); /* optional: after each case whose init succeeded */
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, ...) KTEST_SUITE_HOOKS(sname, NULL, NULL, __VA_ARGS__)

#define KTEST_SUITE_HOOKS(sname, init_, exit_, ...)                                    \
	static const struct ktest_case ktest_cases_##sname[] = { __VA_ARGS__ };        \
	static const struct ktest_suite ktest_suite_##sname __used __aligned(8)        \
		__section(".ktest_suites") = { #sname, ktest_cases_##sname,             \
					      ARRAY_SIZE(ktest_cases_##sname), init_, exit_ }

/* Records a failed check with its location; returns ok so ASSERT can return on false. */
bool ktest_check(struct ktest *t, bool ok, const char *file, int line, const char *what);
bool ktest_check_eq(struct ktest *t, bool ok, const char *file, int line, const char *what,
		    uint64_t a, uint64_t b);
bool ktest_check_str(struct ktest *t, const char *file, int line, const char *what, const char *a,
		     const char *b);
void ktest_skip(struct ktest *t, const char *reason);
/* A diagnostic line ("# ...") inside the current case. */
void ktest_log(struct ktest *t, const char *fmt, ...) __printf(2, 3);

/* A start line for a case that runs on every CPU at once (on_each_cpu): each CPU counts itself
   in *arrived (zeroed by the case beforehand) and spins until every online CPU has, or 5 s
   have passed (a bound against a lost CPU, not a timing test). Safe with interrupts off. */
void ktest_wait_for_all_cpus(int *arrived);

#define EXPECT_TRUE(t, c)  ktest_check(t, !!(c), __FILE__, __LINE__, #c)
#define EXPECT_FALSE(t, c) ktest_check(t, !(c), __FILE__, __LINE__, "!(" #c ")")
#define EXPECT_EQ(t, a, b) __ktest_cmp(t, a, b, ==)
#define EXPECT_NE(t, a, b) __ktest_cmp(t, a, b, !=)
#define EXPECT_LT(t, a, b) __ktest_cmp(t, a, b, <)
#define EXPECT_LE(t, a, b) __ktest_cmp(t, a, b, <=)
#define EXPECT_GT(t, a, b) __ktest_cmp(t, a, b, >)
#define EXPECT_GE(t, a, b) __ktest_cmp(t, a, b, >=)
#define EXPECT_NULL(t, p)     ktest_check(t, (p) == NULL, __FILE__, __LINE__, #p " == NULL")
#define EXPECT_NOT_NULL(t, p) ktest_check(t, (p) != NULL, __FILE__, __LINE__, #p " != NULL")
#define EXPECT_STREQ(t, a, b) ktest_check_str(t, __FILE__, __LINE__, #a " == " #b, a, b)

#define __ktest_cmp(t, a, b, op)                                                        \
	({                                                                              \
		__typeof__(a) _ka = (a);                                                \
		__typeof__(b) _kb = (b);                                                \
		ktest_check_eq(t, _ka op _kb, __FILE__, __LINE__, #a " " #op " " #b,    \
			       (uint64_t)_ka, (uint64_t)_kb);                           \
	})

#define __ktest_assert(check)  \
	do {                   \
		if (!(check))  \
			return; \
	} while (0)

#define ASSERT_TRUE(t, c)     __ktest_assert(EXPECT_TRUE(t, c))
#define ASSERT_FALSE(t, c)    __ktest_assert(EXPECT_FALSE(t, c))
#define ASSERT_EQ(t, a, b)    __ktest_assert(EXPECT_EQ(t, a, b))
#define ASSERT_NE(t, a, b)    __ktest_assert(EXPECT_NE(t, a, b))
#define ASSERT_LT(t, a, b)    __ktest_assert(EXPECT_LT(t, a, b))
#define ASSERT_LE(t, a, b)    __ktest_assert(EXPECT_LE(t, a, b))
#define ASSERT_GT(t, a, b)    __ktest_assert(EXPECT_GT(t, a, b))
#define ASSERT_GE(t, a, b)    __ktest_assert(EXPECT_GE(t, a, b))
#define ASSERT_NOT_NULL(t, p) __ktest_assert(EXPECT_NOT_NULL(t, p))
#define ASSERT_NULL(t, p)     __ktest_assert(EXPECT_NULL(t, p))

#define KTEST_SKIP(t, reason)         \
	do {                          \
		ktest_skip(t, reason); \
		return;               \
	} while (0)

struct ktest_totals {
	unsigned passed, failed, skipped;
};

/*
 * Runs the suites named in filter ("all", or names separated by commas) and prints one KTAP
 * document. An unknown name is reported as a failed suite. Returns the totals over all cases.
 */
struct ktest_totals ktest_run(const char *filter);
/* Prints the registered suites with their case counts. */
void ktest_list(void);

#endif
