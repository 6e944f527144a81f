/* The `torture` shell command (kernel/torture/torture.h). */
#include "kernel/torture/torture.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/errno.h"

#define MAX_SECONDS 3600

extern const struct torture_kind __tortures_start[], __tortures_end[];

const struct torture_kind *torture_next(const struct torture_kind *prev)
{
	const struct torture_kind *k = prev ? prev + 1 : __tortures_start;
	return k < __tortures_end ? k : NULL;
}

int torture_parse_seconds(const char *opt, const char *val, unsigned int *seconds)
{
	unsigned long long n;

	if (strcmp(opt, "--seconds") != 0)
		return -EINVAL;
	if (!val || parse_u64(val, &n, 10, 0) || n == 0 || n > MAX_SECONDS) {
		kprintf("torture: --seconds takes 1 to %d\n", MAX_SECONDS);
		return -EINVAL;
	}
	*seconds = (unsigned int)n;
	return 0;
}

static void list_kinds(void)
{
	kprintf("torture kinds:\n");
	for (const struct torture_kind *k = torture_next(NULL); k; k = torture_next(k)) {
		kprintf("  torture %s %s\n      %s\n", k->name, k->args, k->help);
		for (const struct torture_broken *b = k->broken; b && b->name; b++)
			kprintf("      --broken %-20s %s\n", b->name, b->removes);
	}
	kprintf("A kind with broken variants ends with a self-check that runs each of them: it "
		"passes only\nwhen every one is caught. `delay` lists the delay points that widen "
		"race windows.\n");
}

static int cmd_torture(int argc, char **argv)
{
	const struct torture_kind *k;
	int err;

	if (argc < 2) {
		shell_usage(argv[0]);
		list_kinds();
		return 0;
	}
	for (k = torture_next(NULL); k; k = torture_next(k))
		if (strcmp(k->name, argv[1]) == 0)
			break;
	if (!k) {
		kprintf("torture: no torture named %s\n", argv[1]);
		list_kinds();
		return -ENOENT;
	}
	err = k->run(argc - 1, argv + 1);
	if (err == -EINVAL)
		kprintf("usage: torture %s %s\n", k->name, k->args);
	return err;
}
SHELL_COMMAND_MORE_HELP("torture", "NAME [options] (alone: list them)",
			"stress a mechanism from every CPU and count errors (Ctrl-C stops)",
			cmd_torture, list_kinds);
