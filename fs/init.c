/*
 * The VFS's start (see init.h): the order matters, each step uses the ones before it.
 */
#include "fs/init.h"
#include "fs/aio.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/syscalls.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/proc/proc_fs.h"
#include "fs/ext2/ext2.h"
#include "kernel/kthread.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

/* The kthread exit hook: what Linux's do_exit drops of the VFS (exit_files, exit_fs). */
static void vfs_thread_exit(void)
{
	exit_files();
	exit_fs();
}

/*
 * The VFS's start: the caches, the tmpfs and ext2 types, the root mount, /tmp and /mnt, /proc, and the
 * hook that drops a thread's files and working directory when it ends. kmain calls it once, after
 * the scheduler and RCU are up; panics when it cannot.
 */
void vfs_init(void)
{
	int err;

	inode_init();
	dcache_init();
	files_init();
	mnt_init();
	init_tmpfs();
	init_ext2();
	init_mount_tree();
	aio_init();
	kthread_set_exit_hook(vfs_thread_exit);
	if ((err = sys_mkdir("/tmp", 01777)) || (err = sys_mkdir("/mnt", 0755)))
		panic("vfs_init: cannot make /tmp and /mnt (%d)", err);
	proc_root_init();
	pr_info("vfs: root is a tmpfs; /tmp and /mnt made, proc on /proc\n");
}
