/*
 * Changes to directories: create, mkdir, unlink, rmdir, rename. Each one takes the directory's
 * i_rwsem for writing and a write reference on the mount (mnt_want_write) for its duration, so
 * a read-only mount or superblock refuses it with EROFS, and remount,ro waits for none of them.
 */
#ifndef FS_DIROPS_H
#define FS_DIROPS_H

#include "fs/fs.h"

/* The file name in parent, created if absent (open's O_CREAT): fs/dirops.c. */
int vfs_create_at(const struct path *parent, const char *name, umode_t mode, bool excl,
		  struct path *out);

/* A character device name in parent whose opens get fops (fs/dirops.c). */
int vfs_mknod_at(const struct path *parent, const char *name, umode_t mode, unsigned int rdev,
		 const struct file_operations *fops);

/* sys_mkdir, sys_rmdir or sys_unlink, and sys_rename with relative names read from a
   directory (the *at calls) instead of the working directory, which NULL names. */
int vfs_mkdirat(const struct path *base, const char *name, umode_t mode);
int vfs_removeat(const struct path *base, const char *name, bool dir_wanted);
int vfs_renameat(const struct path *obase, const char *from, const struct path *nbase,
		 const char *to);

#endif
