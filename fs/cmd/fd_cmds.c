/*
 * Shell commands that keep files open between commands, in the shell thread's descriptor
 * table, so a session can hold a write reference while it does something else:
 *
 *	open [-r | -w | -rw] FILE	opens FILE (read-only by default; -w and -rw create it)
 *					and prints its descriptor
 *	close FD			closes it, on whatever CPU the shell runs now
 *	fds				the shell's open descriptors: mode and path
 *
 * With taskset (kernel/cmd/taskset_cmd.c) they show the per-CPU mount writer counts at work
 * (docs/mounts.md): open -w on CPU 0, remount,ro refused ("busy (1 writer)"), close on CPU 1,
 * and `writers` shows +1 and -1 summing to 0.
 */
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/dcache.h"
#include "fs/syscalls.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static int cmd_open(int argc, char **argv)
{
	unsigned int flags = O_RDONLY;
	const char *path = argv[argc - 1];
	int fd;

	if (argc == 3 && !strcmp(argv[1], "-w"))
		flags = O_WRONLY | O_CREAT;
	else if (argc == 3 && !strcmp(argv[1], "-rw"))
		flags = O_RDWR | O_CREAT;
	else if (!(argc == 2 || (argc == 3 && !strcmp(argv[1], "-r"))))
		return shell_usage(argv[0]);
	fd = sys_open(path, flags, 0644);
	if (fd < 0)
		return fs_cmd_error("open", path, fd);
	kprintf("fd %d\n", fd);
	return 0;
}
SHELL_COMMAND("open", "[-r | -w | -rw] FILE",
	      "open FILE and keep it open (a write open holds a write reference on its mount)",
	      cmd_open);

static int cmd_close(int argc, char **argv)
{
	unsigned long long fd;
	int err;

	if (argc != 2 || parse_u64(argv[1], &fd, 10, 0) || fd >= NR_OPEN)
		return shell_usage(argv[0]);
	if ((err = sys_close((int)fd)))
		return fs_cmd_error("close", argv[1], err);
	return 0;
}
SHELL_COMMAND("close", "FD", "close a descriptor that open left open", cmd_close);

static int cmd_fds(int argc, char **argv)
{
	char where[PATH_MAX];

	if (argc != 1)
		return shell_usage(argv[0]);
	for (int fd = 0; fd < NR_OPEN; fd++) {
		struct file *f = fget(fd);

		if (!f)
			continue;
		if (d_path(&f->f_path, where, sizeof(where)))
			strlcpy(where, "?", sizeof(where));
		kprintf("%3d  %s%s%s  mount %d  %s\n", fd, f->f_mode & FMODE_READ ? "r" : "-",
			f->f_mode & FMODE_WRITE ? "w" : "-",
			f->f_mode & FMODE_WRITE_REF ? " (write reference)" : "", f->f_path.mnt->mnt_id,
			where);
		fput(f);
	}
	return 0;
}
SHELL_COMMAND("fds", "", "the shell's open descriptors: mode, mount and path", cmd_fds);
