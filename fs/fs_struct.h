/*
 * A thread's working directory and umask (fs/fs_struct.c). Its root is the namespace's
 * (fs/mount.h). Threads made with CLONE_FS share one fs_struct: a chdir or umask by one is
 * seen by the others.
 */
#ifndef FS_FS_STRUCT_H
#define FS_FS_STRUCT_H

#include "kernel/process.h" /* CLONE_FILES, CLONE_FS */
#include "fs/fs.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"


#define DEFAULT_UMASK 022 /* a thread that never set one */

struct fs_struct {
	atomic_t users;	 /* threads using it */
	spinlock_t lock; /* pwd */
	struct path pwd; /* the working directory; NULL mnt: the namespace root */
	unsigned int umask;
};

struct thread;

void get_fs_pwd(struct path *pwd);
int set_fs_pwd(const struct path *path);
/* The current thread's umask; and setting it, returning the old one (umask(2)). */
unsigned int current_umask(void);
int set_current_umask(unsigned int mask);
/* The fs_struct of a new thread: shared with CLONE_FS, else a copy (fs/fs_struct.c). */
int copy_fs(unsigned long clone_flags, struct thread *child);
/* True when other threads use the current thread's fs_struct too. */
bool current_fs_shared(void);
void exit_fs(void); /* drops the current thread's use of its fs_struct (it is ending) */
void put_fs_struct(struct fs_struct *fs);

#endif
