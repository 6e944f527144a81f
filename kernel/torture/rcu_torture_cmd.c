/*
 * `torture rcu`: tortures RCU for the time asked, then runs the self-check with the broken
 * updater, which must be caught (kernel/torture/rcu_torture.h).
 */
#include "kernel/torture/rcu_torture.h"
#include "kernel/torture/torture.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/errno.h"

#define SELF_CHECK_MS 1000

static void print_result(enum rcu_torture_type type, const struct rcu_torture_result *r)
{
	kprintf("torture rcu: %s: %u readers, %llu ms: %llu reads, %llu updates (synchronize_rcu "
		"%llu, expedited %llu, call_rcu %llu), %llu freed, %llu grace periods, %llu "
		"barriers, %llu errors%s\n",
		rcu_torture_name(type), r->readers, (unsigned long long)r->ms,
		(unsigned long long)r->reads, (unsigned long long)r->updates,
		(unsigned long long)r->by_sync, (unsigned long long)r->by_expedited,
		(unsigned long long)r->by_call_rcu, (unsigned long long)r->freed,
		(unsigned long long)r->grace_periods, (unsigned long long)r->barriers,
		(unsigned long long)r->errors, r->interrupted ? " (stopped by Ctrl-C)" : "");
	kprintf("torture rcu: %s: reads by pipe count 0..%d:", rcu_torture_name(type),
		RCU_TORTURE_PIPE_LEN);
	for (int p = 0; p <= RCU_TORTURE_PIPE_LEN; p++)
		kprintf(" %llu", (unsigned long long)r->pipe[p]);
	kprintf("\n");
}

/* The broken updater must be caught, or the torture proves nothing. Returns 1 if it was not. */
static int self_check(void)
{
	struct rcu_torture_result r;

	if (num_online_cpus() < 2) {
		kprintf("torture rcu: self-check skipped: a reader can only overlap the broken "
			"writer with 2 or more CPUs\n");
		return 0;
	}
	if (rcu_torture_run(RCU_TORTURE_BROKEN, SELF_CHECK_MS, false, &r))
		return -ENOMEM;
	print_result(RCU_TORTURE_BROKEN, &r);
	if (r.errors == 0) {
		kprintf("torture rcu: SELF-CHECK FAILED: the broken updater ran %llu ms with no "
			"error found\n",
			(unsigned long long)r.ms);
		return 1;
	}
	kprintf("torture rcu: self-check passed: the broken updater was caught (%llu errors in "
		"%llu reads)\n",
		(unsigned long long)r.errors, (unsigned long long)r.reads);
	return 0;
}

static int torture_rcu_cmd(int argc, char **argv)
{
	struct rcu_torture_result r;
	unsigned int seconds = 10;
	int failed, err;

	for (int i = 1; i < argc; i += 2)
		if (i + 1 >= argc || torture_parse_seconds(argv[i], argv[i + 1], &seconds))
			return -EINVAL;
	err = rcu_torture_run(RCU_TORTURE_RCU, seconds * 1000, true, &r);
	if (err)
		return err;
	print_result(RCU_TORTURE_RCU, &r);
	if (r.interrupted) {
		kprintf("torture rcu: stopped\n");
		return 0;
	}
	failed = r.errors > 0 || r.reads == 0 || r.updates == 0;
	err = self_check();
	if (err < 0)
		return err;
	kprintf("torture rcu: %s\n", failed || err ? "FAILURE" : "SUCCESS");
	return 0;
}
TORTURE("rcu", "[--seconds S]",
	"readers on every CPU against a writer that frees through grace periods; then a broken "
	"writer that must be caught",
	torture_rcu_cmd);
