/*
 * The proc filesystem (fs/proc/): counters and process state as text files, in Linux's
 * formats, generated at each read. docs/procfs.md lists the files.
 */
#ifndef FS_PROC_PROC_FS_H
#define FS_PROC_PROC_FS_H

#include "fs/fs.h"

/* Registers the type and mounts it at /proc; once, from vfs_init. */
void proc_root_init(void);

#endif
