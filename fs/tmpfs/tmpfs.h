/*
 * tmpfs: a filesystem in memory. Its dcache is its directory tree (every name is a hashed
 * dentry, fs/dcache.h) and each file's data is its page cache (mm/filemap.h), with nothing
 * behind either. A size limit in pages (mount option size=N, with k, m or g) makes writes past
 * it fail with ENOSPC; pages of holes are never allocated.
 */
#ifndef FS_TMPFS_TMPFS_H
#define FS_TMPFS_TMPFS_H

void init_tmpfs(void);

#endif
