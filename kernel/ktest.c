/*
 * The KTAP runner. Output (KTAP version 1, as KUnit writes it):
 *
 *	KTAP version 1
 *	1..2                          one line per suite follows at the top level
 *	    KTAP version 1
 *	    # Subtest: printf
 *	    1..3
 *	    ok 1 test_int             a passing case
 *	    # test_pad: lib/printf_test.c:40: expected ...
 *	    not ok 2 test_pad         a failing case, after its diagnostics
 *	    ok 3 test_float # SKIP no floating point in the kernel
 *	# printf: pass:1 fail:1 skip:1 total:3
 *	not ok 1 printf               a suite fails when any of its cases fails
 *
 * The host runner (tests/run-tests) parses this and also feeds it to Perl's TAP::Parser.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

static const struct ktest_suite *suite_by_name(const char *name, size_t len)
{
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

bool ktest_check(struct ktest *t, bool ok, const char *file, int line, const char *what)
{
	if (!ok) {
		t->failures++;
		kprintf("    # %s: %s:%d: expected %s\n", t->name, file, line, what);
	}
	return ok;
}

bool ktest_check_eq(struct ktest *t, bool ok, const char *file, int line, const char *what,
		    uint64_t a, uint64_t b)
{
	if (!ok) {
		t->failures++;
		kprintf("    # %s: %s:%d: expected %s, got %lld (0x%llx) and %lld (0x%llx)\n",
			t->name, file, line, what, (long long)a, (unsigned long long)a,
			(long long)b, (unsigned long long)b);
	}
	return ok;
}

bool ktest_check_str(struct ktest *t, const char *file, int line, const char *what, const char *a,
		     const char *b)
{
	bool ok = a && b && strcmp(a, b) == 0;
	if (!ok) {
		t->failures++;
		kprintf("    # %s: %s:%d: expected %s, got \"%s\" and \"%s\"\n", t->name, file,
			line, what, a ? a : "(null)", b ? b : "(null)");
	}
	return ok;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	strlcpy(t->skip_reason, reason, sizeof(t->skip_reason));
}

void ktest_wait_for_all_cpus(int *arrived)
{
	uint64_t end = ktime_ns() + 5000000000ULL;

	__atomic_fetch_add(arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(arrived, __ATOMIC_ACQUIRE) < (int)num_online_cpus() &&
	       ktime_ns() < end)
		cpu_relax();
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("    # %s: %s\n", t->name, buf);
}

/* One case between its suite's hooks: exit runs whenever init succeeded, whatever the case did. */
static void run_case(const struct ktest_suite *s, const struct ktest_case *c, struct ktest *t)
{
	int err = s->init ? s->init(t) : 0;

	if (err) {
		if (!t->skipped) { /* an init that called ktest_skip skips the case */
			ktest_log(t, "the suite's init failed (%d): the case did not run", err);
			t->failures++;
		}
		return;
	}
	c->run(t);
	if (s->exit)
		s->exit(t);
}

static bool run_suite(const struct ktest_suite *s, unsigned index, struct ktest_totals *tot)
{
	unsigned pass = 0, fail = 0, skip = 0;

	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", s->name, s->ncases);
	for (unsigned i = 0; i < s->ncases; i++) {
		struct ktest t = {.name = s->cases[i].name};
		run_case(s, &s->cases[i], &t);
		if (t.failures) {
			kprintf("    not ok %u %s\n", i + 1, t.name);
			fail++;
		} else if (t.skipped) {
			kprintf("    ok %u %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
			skip++;
		} else {
			kprintf("    ok %u %s\n", i + 1, t.name);
			pass++;
		}
	}
	kprintf("# %s: pass:%u fail:%u skip:%u total:%u\n", s->name, pass, fail, skip, s->ncases);
	kprintf("%s %u %s\n", fail ? "not ok" : "ok", index, s->name);
	tot->passed += pass;
	tot->failed += fail;
	tot->skipped += skip;
	return fail == 0;
}

/* Calls fn for each name in the filter, or for every suite when the filter is "all". */
static unsigned for_each_selected(const char *filter,
				  void (*fn)(const char *name, size_t len, void *arg), void *arg)
{
	unsigned n = 0;

	if (strcmp(filter, "all") == 0) {
		for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end;
		     s++, n++)
			if (fn)
				fn(s->name, strlen(s->name), arg);
		return n;
	}
	while (*filter) {
		const char *end = strchr(filter, ',');
		size_t len = end ? (size_t)(end - filter) : strlen(filter);
		if (len) {
			if (fn)
				fn(filter, len, arg);
			n++;
		}
		filter += len + (end ? 1 : 0);
	}
	return n;
}

struct run_state {
	unsigned index;
	struct ktest_totals tot;
};

static void run_one(const char *name, size_t len, void *arg)
{
	struct run_state *st = arg;
	const struct ktest_suite *s = suite_by_name(name, len);

	st->index++;
	if (!s) {
		kprintf("# no test suite named '%.*s' (the shell's 'test' lists them)\n", (int)len,
			name);
		kprintf("not ok %u %.*s\n", st->index, (int)len, name);
		st->tot.failed++;
		return;
	}
	run_suite(s, st->index, &st->tot);
}

struct ktest_totals ktest_run(const char *filter)
{
	struct run_state st = {0};

	kprintf("KTAP version 1\n1..%u\n", for_each_selected(filter, NULL, NULL));
	for_each_selected(filter, run_one, &st);
	kprintf("# Totals: pass:%u fail:%u skip:%u total:%u\n", st.tot.passed, st.tot.failed,
		st.tot.skipped, st.tot.passed + st.tot.failed + st.tot.skipped);
	return st.tot;
}

void ktest_list(void)
{
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		kprintf("  %-16s %u cases\n", s->name, s->ncases);
}
