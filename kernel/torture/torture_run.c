/* What every torture kind's run does alike (kernel/torture/torture.h). */
#include "kernel/torture/torture.h"
#include "kernel/console_input.h"
#include "kernel/printk.h"
#include "kernel/sched/sleep.h"
#include "kernel/delay_point.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

bool torture_watch(unsigned int seconds, void (*report)(const char *when))
{
	for (unsigned int s = 1; s <= seconds; s++) {
		char when[24];

		for (int i = 0; i < 10; i++) {
			msleep(100);
			if (console_interrupted())
				return true;
		}
		snprintf(when, sizeof(when), "%us: ", s);
		report(when);
	}
	return false;
}

int torture_parse(int argc, char **argv, struct torture_opts *o)
{
	bool with_dev = o->dev != NULL;

	unsigned long long us;

	o->seconds = 5;
	o->broken = NULL;
	o->delay_us = -1;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return -EINVAL;
		if (with_dev && !strcmp(argv[i], "--dev")) {
			o->dev = argv[i + 1];
		} else if (!strcmp(argv[i], "--broken")) {
			o->broken = argv[i + 1];
		} else if (!strcmp(argv[i], "--delay")) {
			if (parse_u64(argv[i + 1], &us, 10, 0) || us > 100000) {
				kprintf("torture: --delay takes 0 to 100000 (microseconds)\n");
				return -EINVAL;
			}
			o->delay_us = (int)us;
		} else if (torture_parse_seconds(argv[i], argv[i + 1], &o->seconds)) {
			return -EINVAL;
		}
	}
	return 0;
}

int torture_parse_seconds_only(int argc, char **argv, unsigned int *seconds)
{
	struct torture_opts o = {0};

	if (torture_parse(argc, argv, &o) || o.broken)
		return -EINVAL;
	*seconds = o.seconds;
	return 0;
}

int torture_parse_seconds_and_dev(int argc, char **argv, unsigned int *seconds, const char **dev)
{
	struct torture_opts o = {.dev = "vda"};

	if (torture_parse(argc, argv, &o) || o.broken)
		return -EINVAL;
	*seconds = o.seconds;
	*dev = o.dev;
	return 0;
}

void torture_errors_start(struct torture_errors *e)
{
	atomic64_set(&e->count, 0);
	atomic64_set(&e->first_ns, 0);
	e->start_ns = ktime_ns();
}

bool torture_error(struct torture_errors *e)
{
	int64_t n = atomic64_add_return(1, &e->count);

	if (n == 1)
		atomic64_set(&e->first_ns, (int64_t)(ktime_ns() - e->start_ns));
	return n <= 5;
}

uint64_t torture_errors_first_ms(const struct torture_errors *e)
{
	return (uint64_t)atomic64_read(&e->first_ns) / 1000000;
}

int torture_broken_index(const struct torture_broken *broken, const char *name)
{
	for (int v = 0; broken && broken[v].name; v++)
		if (!strcmp(broken[v].name, name))
			return v;
	return -1;
}

/* Runs variant v with every delay point off before and after; prints what it found in *r.
   Returns 1 when it was not caught, 0 when it was (or could not run here), -errno when it
   could not run. */
static int run_one(const char *kind, const struct torture_broken *b, unsigned int v,
		   unsigned int ms, torture_broken_fn run, struct torture_broken_result *res)
{
	struct torture_broken_result r = {0};
	int err;

	delay_points_off();
	err = run(v, ms, &r);
	delay_points_off();
	*res = r;
	if (err == -ENODEV) {
		kprintf("torture %s: broken %s: skipped: this machine cannot show it (one CPU)\n",
			kind, b[v].name);
		return 0;
	}
	if (err) {
		kprintf("torture %s: broken %s: could not run (%s)\n", kind, b[v].name,
			errno_name(err));
		return err;
	}
	if (r.errors > 0) {
		kprintf("torture %s: broken %s: caught: %lld errors in %llu ms, the first after "
			"%llu ms\n",
			kind, b[v].name, r.errors, (unsigned long long)r.ms,
			(unsigned long long)r.first_ms);
		return 0;
	}
	kprintf("torture %s: broken %s: NOT caught in %llu ms (%s)%s\n", kind, b[v].name,
		(unsigned long long)r.ms, b[v].removes,
		b[v].may_escape ? "; it may escape here: not required" : "");
	return 1;
}

int torture_self_check(const char *kind, const struct torture_broken *broken, unsigned int ms,
		       torture_broken_fn run)
{
	int not_caught = 0;

	kprintf("torture %s: self-check: every broken variant must be caught\n", kind);
	for (unsigned int v = 0; broken[v].name; v++) {
		struct torture_broken_result res;
		int r = run_one(kind, broken, v, ms, run, &res);

		/* one that could not run was not caught either */
		not_caught += r != 0 && !(r == 1 && broken[v].may_escape);
		if (console_interrupted())
			break;
	}
	return not_caught;
}

int torture_run_broken(const char *kind, const struct torture_broken *broken, const char *name,
		       unsigned int seconds, torture_broken_fn run)
{
	int v = torture_broken_index(broken, name);
	struct torture_broken_result res;
	int r;

	if (v < 0) {
		kprintf("torture %s: no broken variant named %s; there are:\n", kind, name);
		for (unsigned int i = 0; broken && broken[i].name; i++)
			kprintf("  %-22s %s\n", broken[i].name, broken[i].removes);
		return -EINVAL;
	}
	kprintf("torture %s: broken %s for %u s: %s\n", kind, name, seconds, broken[v].removes);
	r = run_one(kind, broken, (unsigned int)v, seconds * 1000, run, &res);
	if (r == 1)
		kprintf("torture %s: NOT caught\n", kind);
	else if (r == 0 && res.errors)
		kprintf("torture %s: failed (%lld errors)\n", kind, res.errors);
	return 0;
}

void torture_verdict(const char *name, bool stopped, long long errors)
{
	if (stopped)
		kprintf("torture %s: stopped\n", name);
	else
		kprintf("torture %s: %s\n", name, errors ? "FAILED" : "passed");
}

void torture_verdict_checked(const char *name, bool stopped, long long errors, int not_caught)
{
	if (!stopped && not_caught)
		kprintf("torture %s: %d broken variant%s NOT caught\n", name, not_caught,
			not_caught == 1 ? "" : "s");
	torture_verdict(name, stopped, errors + not_caught);
}
