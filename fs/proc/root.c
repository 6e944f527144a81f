/*
 * The proc filesystem type and its tree (Linux's fs/proc/root.c holds the type; the tables
 * here are our own way of listing what Linux registers file by file with proc_create).
 *
 *	/proc/cmdline, interrupts, meminfo, mounts, vmstat
 *	/proc/self/			the reader's process (a directory here, a symlink in Linux)
 *	/proc/PID/			every process: mounts, stat, status (fs/proc/base.c)
 *	/proc/sys/fs/aio-nr, aio-max-nr
 *
 * docs/procfs.md says what feeds each file and where it differs from Linux.
 */
#include "fs/proc/proc_fs.h"
#include "fs/proc/internal.h"
#include "fs/dcache.h"
#include "fs/inode.h"
#include "fs/super.h"
#include "fs/syscalls.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "lib/errno.h"

#define DIR_MODE  (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)

/* The files of a process's directory, /proc/PID/ and /proc/self/. */
static const struct proc_entry pid_entries[] = {
	{.name = "mounts", .mode = FILE_MODE, .show = proc_mounts_show},
	{.name = "stat", .mode = FILE_MODE, .show = proc_pid_stat_show},
	{.name = "status", .mode = FILE_MODE, .show = proc_pid_status_show},
	{0},
};

static const struct proc_entry sys_fs_entries[] = {
	{.name = "aio-max-nr",
	 .mode = S_IFREG | 0644,
	 .show = proc_aio_max_nr_show,
	 .write = proc_aio_max_nr_write},
	{.name = "aio-nr", .mode = FILE_MODE, .show = proc_aio_nr_show, .write = proc_aio_nr_write},
	{0},
};

static const struct proc_entry sys_entries[] = {
	{.name = "fs", .mode = DIR_MODE, .children = sys_fs_entries},
	{0},
};

static const struct proc_entry root_entries[] = {
	{.name = "cmdline", .mode = FILE_MODE, .show = proc_cmdline_show},
	{.name = "interrupts", .mode = FILE_MODE, .show = proc_interrupts_show},
	{.name = "meminfo", .mode = FILE_MODE, .show = proc_meminfo_show},
	{.name = "mounts", .mode = FILE_MODE, .show = proc_mounts_show},
	{.name = "self", .mode = DIR_MODE, .children = pid_entries, .self = true},
	{.name = "sys", .mode = DIR_MODE, .children = sys_entries},
	{.name = "vmstat", .mode = FILE_MODE, .show = proc_vmstat_show},
	{0},
};

const struct proc_entry proc_root = {.name = "/", .mode = DIR_MODE, .children = root_entries};
const struct proc_entry proc_pid_dir = {.name = "PID", .mode = DIR_MODE, .children = pid_entries};

/* /proc/cmdline: the kernel's command line and a newline, as Linux prints it. */
int proc_cmdline_show(struct seq_buf *s, int pid)
{
	(void)pid;
	seq_buf_printf(s, "%s\n", cmdline_raw());
	return 0;
}

static int proc_fill_super(struct super_block *sb, const char *source, const char *options)
{
	struct inode *root;

	(void)source;
	if (options[0])
		return -EINVAL;
	sb->s_op = &proc_sops;
	root = proc_get_inode(sb, &proc_root, PROC_PID_NONE);
	if (!root || !(sb->s_root = d_make_root(root))) {
		if (root)
			iput(root);
		return -ENOMEM;
	}
	return 0;
}

static struct file_system_type proc_fs_type = {
	.name = "proc",
	.fill_super = proc_fill_super,
};

/*
 * Registers the "proc" type and mounts it at /proc, as Linux's init does (here the kernel does
 * it itself, so programs find /proc at once). vfs_init calls it once, after the root mount; a
 * failure is reported and the kernel goes on without /proc.
 */
void proc_root_init(void)
{
	int err;

	register_filesystem(&proc_fs_type);
	if ((err = sys_mkdir("/proc", 0555)) || (err = sys_mount("proc", "/proc", "proc", 0, NULL)))
		pr_err("proc: cannot mount /proc (%d)\n", err);
}
