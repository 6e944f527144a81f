/*
 * Filesystem types and superblocks. A filesystem registers its type once at boot; mounting
 * by type name makes a new superblock and lets the type fill it in. A superblock lives while
 * it has active references (one per mount of it, fs/namespace.c); the last one goes through
 * deactivate_super, which drops its dentries and inodes and frees it.
 */
#ifndef FS_SUPER_H
#define FS_SUPER_H

#include "fs/fs.h"

void register_filesystem(struct file_system_type *type);
struct file_system_type *get_fs_type(const char *name);

/* A new superblock of type with one active reference; NULL and *err on failure. */
struct super_block *mount_fs(struct file_system_type *type, const char *source,
			     const char *options, unsigned int sb_flags, int *err);
/* Drops an active reference; the last one tears the superblock down. */
void deactivate_super(struct super_block *sb);

/* Walks all superblocks under the list lock. */
void iterate_supers(void (*fn)(struct super_block *sb, void *arg), void *arg);

/* Writes every filesystem's dirty data (super_operations.sync_fs; fs/sync.c); the first error. */
int sync_filesystems(void);

#endif
