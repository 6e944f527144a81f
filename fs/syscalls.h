/*
 * The file system calls of this kernel: what a user program would reach through syscall
 * numbers, called here directly by kernel threads (the shell, tests, benchmarks). Each takes
 * a path or a descriptor of the calling thread and returns a result >= 0 or a negative errno:
 *
 *	int fd = sys_open("/tmp/x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
 *	sys_write(fd, "hi\n", 3);
 *	sys_close(fd);
 *
 * Errors, as in Linux: ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, EROFS, EBUSY, EINVAL,
 * ENAMETOOLONG, EMFILE, EXDEV, ENOSPC, EBADF, ENOMEM.
 */
#ifndef FS_SYSCALLS_H
#define FS_SYSCALLS_H

#include "fs/fs.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

int sys_open(const char *path, unsigned int flags, umode_t mode);
/* sys_open() with a relative path read from the directory base (NULL: the working one). */
int vfs_openat(const struct path *base, const char *path, unsigned int flags, umode_t mode);
int sys_close(int fd);
/* Opens /dev/console for reading and writing as descriptors 0, 1 and 2 of the current thread
   (what was there is closed): fs/open.c. 0 or a negative errno. */
int console_install_stdio(void);
ssize_t sys_read(int fd, void *buf, size_t n);
ssize_t sys_write(int fd, const void *buf, size_t n);
ssize_t sys_pread(int fd, void *buf, size_t n, uint64_t pos);
ssize_t sys_pwrite(int fd, const void *buf, size_t n, uint64_t pos);
int64_t sys_lseek(int fd, int64_t off, int whence);
int sys_fsync(int fd);
int sys_stat(const char *path, struct kstat *st);
int sys_fstat(int fd, struct kstat *st);
int sys_truncate(const char *path, uint64_t size);
int sys_ftruncate(int fd, uint64_t size);
int sys_mkdir(const char *path, umode_t mode);
int sys_rmdir(const char *path);
int sys_unlink(const char *path);
int sys_rename(const char *from, const char *to);
/* Calls ctx->actor for entries from ctx->pos on; 0 or a negative errno. */
int sys_readdir(int fd, struct dir_context *ctx);
int sys_chdir(const char *path);
int sys_getcwd(char *buf, size_t size);
int sys_statfs(const char *path, struct kstatfs *st);
/* Writes every filesystem's dirty data. */
int sys_sync(void);
int sys_mount(const char *source, const char *dir, const char *type, unsigned long flags,
	      const char *options);
int sys_umount(const char *dir);

#endif
