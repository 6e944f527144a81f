/*
 * A thread's working directory (fs/fs_struct.c). Its root is the namespace's (fs/mount.h).
 */
#ifndef FS_FS_STRUCT_H
#define FS_FS_STRUCT_H

#include "fs/fs.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"

struct fs_struct {
	atomic_t count;	 /* threads sharing it (CLONE_FS) */
	spinlock_t lock;
	struct path pwd; /* the working directory; NULL mnt: the namespace root */
};

void get_fs_pwd(struct path *pwd);
int set_fs_pwd(const struct path *path);
void exit_fs(void); /* drops the current thread's reference (it is ending) */
void put_fs_struct(struct fs_struct *fs);
struct thread;
/* clone's part: the child shares the caller's working directory (CLONE_FS) or gets a copy.
   0 or -ENOMEM. */
int copy_fs(unsigned long clone_flags, struct thread *child);

#endif
