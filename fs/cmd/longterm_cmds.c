/*
 * Shell commands on longterm mounts (fs/mnt_longterm.c):
 *
 *	longterm		every longterm mount alive (kern_mount, clone_private_mount) with
 *				the sum of its reference counters; one whose owner put it with
 *				mntput instead of kern_unmount is reported, and leaks
 *	unmount-cost N [WAY]	makes N private mounts of /tmp with clone_private_mount and lets
 *				go of them: WAY each (kern_unmount one by one), array
 *				(kern_unmount_array) or expedited (as Linux's kern_unmount_array);
 *				without WAY, all three in turn. Prints RCU's count of the grace
 *				periods that passed and the time.
 */
#include "fs/bench/unmount_cost.h"
#include "fs/cmd/fs_cmd.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"

static void print_longterm(struct vfsmount *mnt, bool leaked, void *arg)
{
	(void)arg;
	kprintf("%4d  %-12s %-6s %6d  %s\n", mnt->mnt_id, mnt->mnt_devname,
		mnt->mnt_sb->s_type->name, mnt_get_count(mnt),
		leaked ? "LEAKED: its owner used mntput, not kern_unmount" : "");
}

static int cmd_longterm(int argc, char **argv)
{
	unsigned int leaked;

	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("%4s  %-12s %-6s %6s\n", "id", "source", "type", "refs");
	leaked = mnt_longterm_check(print_longterm, NULL);
	kprintf("%u leaked\n", leaked);
	return 0;
}
SHELL_COMMAND("longterm", "",
	      "longterm mounts alive and their references; reports those put with mntput",
	      cmd_longterm);

static int one_way(const struct path *path, unsigned int n, enum unmount_way way)
{
	struct unmount_cost c;
	int err = unmount_cost(path, n, way, &c);

	if (err)
		return fs_cmd_error("unmount-cost", "/tmp", err);
	kprintf("  %-10s %14llu %9llu.%03llu %12llu %9llu.%03llu\n", unmount_way_name(way),
		(unsigned long long)c.gps, (unsigned long long)(c.unmount_ns / 1000000),
		(unsigned long long)(c.unmount_ns / 1000 % 1000),
		(unsigned long long)(c.unmount_ns / n / 1000),
		(unsigned long long)(c.make_ns / 1000000),
		(unsigned long long)(c.make_ns / 1000 % 1000));
	return 0;
}

static int cmd_unmount_cost(int argc, char **argv)
{
	unsigned long long n;
	int way = -1, err = 0;
	struct path path;

	if (argc < 2 || argc > 3 || parse_u64(argv[1], &n, 10, 0) || n == 0 ||
	    n > UNMOUNT_COST_MAX || (argc == 3 && (way = unmount_way_parse(argv[2])) < 0))
		return shell_usage(argv[0]);
	if ((err = kern_path("/tmp", 0, &path)))
		return fs_cmd_error("unmount-cost", "/tmp", err);
	kprintf("unmount-cost: %llu private mounts of /tmp, %u CPUs online\n", n,
		num_online_cpus());
	kprintf("  %-10s %14s %13s %12s %13s\n", "way", "grace periods", "unmount ms",
		"us per mount", "make ms");
	for (int w = 0; w < NR_UNMOUNT_WAYS && !err; w++)
		if (way < 0 || way == w)
			err = one_way(&path, (unsigned int)n, (enum unmount_way)w);
	path_put(&path);
	return err;
}
SHELL_COMMAND("unmount-cost", "N [each|array|expedited]",
	      "make N private mounts and unmount them: grace periods waited and time",
	      cmd_unmount_cost);
