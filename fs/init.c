/*
 * The VFS's start (see init.h): the order matters, each step uses the ones before it.
 */
#include "fs/init.h"
#include "fs/aio.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/syscalls.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/ext2/ext2.h"
#include "kernel/kthread.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

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
	kthread_set_exit_hook(exit_files);
	if ((err = sys_mkdir("/tmp", 01777)) || (err = sys_mkdir("/mnt", 0755)))
		panic("vfs_init: cannot make /tmp and /mnt (%d)", err);
	pr_info("vfs: root is a tmpfs; /tmp and /mnt made\n");
}
