/*
 * The initramfs: a cpio "newc" archive GRUB loads beside the kernel, unpacked into the root
 * tmpfs at boot so that /bin holds the user programs (docs/initramfs.md). Linux: init/initramfs.c.
 *
 *	struct initramfs_stats st;
 *	int err = unpack_cpio(buf, len, "/tmp/x", &st);
 *
 * unpacks every entry of the archive at buf under the directory "/tmp/x" (which must exist):
 * directories, regular files with their permission bits and contents. Symbolic links and device
 * nodes are skipped (the VFS has neither), with one warning line per archive. The archive ends
 * at its "TRAILER!!!" entry.
 */
#ifndef FS_INITRAMFS_H
#define FS_INITRAMFS_H

#include <stddef.h>
#include <stdint.h>

struct initramfs_stats {
	unsigned int files, dirs, skipped; /* entries made, and those of other types left out */
	uint64_t bytes;			   /* bytes written into the regular files */
	const char *error;		   /* what was wrong, or NULL */
	size_t error_offset;		   /* where in the archive (when error is set) */
};

/*
 * Unpacks the newc archive buf[0, len) under dir; fills *st (always). Returns 0, or a negative
 * errno: -EINVAL for a malformed archive (bad magic, a bad hex field, a header, name or data
 * running past the end, a name without its NUL, a ".." in a path, no trailer), otherwise what
 * the VFS returned (-ENOMEM, -ENOSPC, -ENOENT for a file whose directory is missing...). Each
 * error is printed on one line naming the offset of the entry and what was wrong; the entries
 * before it stay, nothing after it is made, and a file that could not be written whole is
 * removed. Calls the file system calls of the calling thread (fs/syscalls.h): a kernel thread.
 */
int unpack_cpio(const void *buf, size_t len, const char *dir, struct initramfs_stats *st);

/* What the boot's unpacking did, for the `initramfs` command. */
struct initramfs_boot {
	unsigned int modules;	   /* boot modules unpacked */
	uint64_t archive_bytes;	   /* their total size */
	uint64_t pages_freed;	   /* module pages given back to the allocator */
	uint64_t ns;		   /* time spent unpacking */
	int err;		   /* the first module's error, or 0 */
	struct initramfs_stats st; /* summed over the modules */
};
extern struct initramfs_boot initramfs_boot;

/* Unpacks every boot module into "/", then frees their pages. kmain calls it once. */
void initramfs_init(void);

#endif
