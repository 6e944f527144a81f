/*
 * The VFS's start: caches, the tmpfs type, the root mount, /tmp. Called by kmain after the
 * scheduler and RCU are up.
 */
#ifndef FS_INIT_H
#define FS_INIT_H

void vfs_init(void);

#endif
