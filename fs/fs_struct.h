/*
 * A thread's working directory (fs/fs_struct.c). Its root is the namespace's (fs/mount.h).
 */
#ifndef FS_FS_STRUCT_H
#define FS_FS_STRUCT_H

#include "fs/fs.h"
#include "kernel/locking/spinlock.h"

struct fs_struct {
	spinlock_t lock;
	struct path pwd; /* the working directory; NULL mnt: the namespace root */
};

void get_fs_pwd(struct path *pwd);
int set_fs_pwd(const struct path *path);
void exit_fs(void); /* drops the working directory of the current thread (it is ending) */

#endif
