/* The VFS's start (fs/init.c), called once by kmain. */
#ifndef FS_INIT_H
#define FS_INIT_H

void vfs_init(void);

#endif
