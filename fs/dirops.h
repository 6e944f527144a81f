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

#endif
