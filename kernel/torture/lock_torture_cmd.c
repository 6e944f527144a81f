/*
 * `torture locks`: tortures every lock type in turn, then runs the self-check with the broken
 * lock (kernel/torture/lock_torture.h).
 */
#include "kernel/torture/lock_torture.h"
#include "kernel/torture/torture.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/errno.h"

struct lock_torture_opts {
	unsigned int seconds;
	unsigned int threads;
	int type; /* -1: every real type, then the self-check */
};

static int parse_opts(int argc, char **argv, struct lock_torture_opts *o)
{
	for (int i = 1; i < argc; i += 2) {
		unsigned long long n;

		if (i + 1 >= argc)
			return -EINVAL;
		if (strcmp(argv[i], "--type") == 0) {
			o->type = lock_torture_parse(argv[i + 1]);
			if (o->type < 0) {
				kprintf("torture: unknown lock type %s (spinlock, rwlock, mutex, "
					"rwsem, broken)\n",
					argv[i + 1]);
				return -EINVAL;
			}
		} else if (strcmp(argv[i], "--seconds") == 0) {
			if (torture_parse_seconds(argv[i], argv[i + 1], &o->seconds))
				return -EINVAL;
		} else if (strcmp(argv[i], "--threads") == 0) {
			if (parse_u64(argv[i + 1], &n, 10, 0) || n == 0 || n > 32)
				return -EINVAL;
			o->threads = (unsigned int)n;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int run_one(enum lock_torture_type type, const struct lock_torture_opts *o, bool *stopped)
{
	struct lock_torture_result r;
	int err = lock_torture_run(type, o->threads, o->seconds * 1000, true, &r);

	if (err)
		return err;
	kprintf("torture locks: %-8s %u threads, %llu ms: %llu writes, %llu reads, %llu errors%s\n",
		lock_torture_name(type), r.threads, (unsigned long long)r.ms,
		(unsigned long long)r.write_acquisitions, (unsigned long long)r.read_acquisitions,
		(unsigned long long)r.errors, r.interrupted ? " (stopped by Ctrl-C)" : "");
	*stopped = r.interrupted;
	return (int)(r.errors > 0 ? 1 : 0);
}

/* The broken lock must be caught, or the torture proves nothing. */
static int self_check(const struct lock_torture_opts *o)
{
	struct lock_torture_result r;
	unsigned int ms = o->seconds * 1000 < 2000 ? o->seconds * 1000 : 2000;

	if (num_online_cpus() < 2) {
		kprintf("torture locks: self-check skipped: the broken lock can only be caught with "
			"2 or more CPUs\n");
		return 0;
	}
	if (lock_torture_run(LOCK_TORTURE_BROKEN, o->threads, ms, false, &r))
		return -ENOMEM;
	if (r.errors == 0) {
		kprintf("torture locks: SELF-CHECK FAILED: the broken lock ran %llu ms with no error "
			"found\n",
			(unsigned long long)r.ms);
		return 1;
	}
	kprintf("torture locks: self-check passed: the broken lock was caught (%llu errors in "
		"%llu writes)\n",
		(unsigned long long)r.errors, (unsigned long long)r.write_acquisitions);
	return 0;
}

static int torture_locks(const struct lock_torture_opts *o)
{
	int failed = 0, err;
	bool stopped = false;

	if (o->type >= 0) {
		err = run_one((enum lock_torture_type)o->type, o, &stopped);
		return err < 0 ? err : 0;
	}
	for (int t = 0; t < LOCK_TORTURE_BROKEN && !stopped; t++) {
		err = run_one((enum lock_torture_type)t, o, &stopped);
		if (err < 0)
			return err;
		failed += err;
	}
	if (!stopped)
		failed += self_check(o);
	kprintf("torture locks: %s\n", stopped ? "stopped" : failed ? "FAILED" : "passed");
	return 0;
}

static int torture_locks_cmd(int argc, char **argv)
{
	struct lock_torture_opts o = { .seconds = 5, .threads = 0, .type = -1 };

	if (parse_opts(argc, argv, &o))
		return -EINVAL;
	return torture_locks(&o);
}
TORTURE("locks", "[--type spinlock|rwlock|mutex|rwsem|broken] [--seconds S] [--threads N]",
	"every lock type from every CPU, then a broken lock that must be caught",
	torture_locks_cmd);
