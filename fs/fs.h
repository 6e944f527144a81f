/*
 * The VFS objects. Every filesystem is seen through four of them:
 *
 *	super_block	one mounted instance of a filesystem (tmpfs, ext2): its root, its flags
 *	inode		one file or directory: type, size, link count, the page cache of its data
 *	dentry		one name in a directory, pointing at an inode; the dcache (fs/dcache.h)
 *	file		one open of an inode through a path (fs/file.h), with a position
 *
 * and a filesystem fills in three tables of operations (super_operations, inode_operations,
 * file_operations). Paths name a (mount, dentry) pair: struct path, because the same dentry may
 * be reachable through several mounts (bind mounts), each with its own flags (read-only).
 *
 * Locking (the order, outermost first; fs/namei.c and fs/namespace.c rely on it):
 *	namespace_sem (rwsem, fs/namespace.c)	 mount, umount, bind, remount
 *	inode->i_rwsem of a directory		 its entries; two at once only in rename, parent first
 *						 or, for unrelated directories, lower address first
 *	inode->i_rwsem of a regular file	 its size and data (write, truncate)
 *	rename_lock, mount_lock (seqlocks)	 the shape of the dentry tree and of the mount tree
 *	dcache_hash_lock, sb->s_lock, ...	 spinlocks over one list each
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kernel/locking/rwsem.h"
#include "kernel/locking/spinlock.h"
#include "kernel/rcu/rcu.h"
#include "lib/atomic.h"
#include "lib/list.h"
#include "mm/filemap.h"

#define NAME_MAX 255  /* bytes in one path component */
#define PATH_MAX 1024 /* bytes in a whole path, with its final NUL */

typedef int64_t ssize_t;
typedef uint32_t umode_t;

/* File types and permission bits, as stat reports them (the Unix values). */
#define S_IFMT	   0170000
#define S_IFDIR	   0040000
#define S_IFREG	   0100000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_IFCHR	   0020000 /* a character device: /dev/console */
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)

/* open flags (the Linux values, so a reader can compare). */
#define O_RDONLY    0
#define O_WRONLY    01
#define O_RDWR	    02
#define O_ACCMODE   03
#define O_CREAT	    0100
#define O_EXCL	    0200
#define O_TRUNC	    01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_PATH	    010000000
#define O_TMPFILE   (020000000 | O_DIRECTORY)

/* super_block->s_flags */
#define SB_RDONLY 0x1 /* the whole filesystem is read-only, through every mount */

struct super_block;
struct inode;
struct dentry;
struct file;
struct vfsmount;
struct kstatfs;
struct page;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *path); /* fs/namei.c */
void path_put(const struct path *path);

struct kstat {
	uint64_t ino;
	umode_t mode;
	unsigned int nlink;
	uint64_t size;
	uint64_t blocks; /* 512-byte units held */
	uint64_t mtime_ns, ctime_ns;
	unsigned int dev; /* the superblock's number */
	unsigned int rdev; /* a device's number, else 0 */
	unsigned int mnt_id;
	bool mnt_readonly; /* the mount (or its superblock) refuses writes */
};

struct kstatfs {
	uint64_t f_bsize;  /* block size */
	uint64_t f_blocks; /* blocks in all; 0 = no limit */
	uint64_t f_bfree;
	uint64_t f_files; /* inodes in use */
};

/* One entry handed to a readdir callback; return false to stop the walk. */
struct dir_context {
	bool (*actor)(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		      umode_t mode);
	uint64_t pos; /* where the next call resumes: 0 at first, then the filesystem's cookie */
};

struct file_system_type {
	const char *name;
	/* Builds sb->s_root and the rest; 0 or a negative errno (the caller frees sb). */
	int (*fill_super)(struct super_block *sb, const char *source, const char *options);
	struct list_head list; /* fs/super.c: registered types */
};

struct super_operations {
	/* The inode's last reference is gone: free what the filesystem keeps for it. */
	void (*evict_inode)(struct inode *inode);
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* The superblock is going away (its last mount is gone). */
	void (*put_super)(struct super_block *sb);
	/* Writes everything dirty; 0 or a negative errno. */
	int (*sync_fs)(struct super_block *sb);
	/*
	 * remount of the whole superblock (fs/namespace.c): called before SB_RDONLY is cleared
	 * (rdonly false: may refuse with an errno) and after it is set (rdonly true: write
	 * everything and mark the disk clean). namespace_sem held; may sleep.
	 */
	int (*remount_fs)(struct super_block *sb, bool rdonly);
};

struct inode_operations {
	/*
	 * Fills in dentry (negative, not yet hashed) from the directory on disk with d_add, or
	 * leaves it negative. NULL for filesystems whose dcache is complete (tmpfs).
	 */
	int (*lookup)(struct inode *dir, struct dentry *dentry);
	/* Namespace changes: called with dir's i_rwsem held for writing and a write reference
	   on the mount. */
	int (*create)(struct inode *dir, struct dentry *dentry, umode_t mode);
	int (*mkdir)(struct inode *dir, struct dentry *dentry, umode_t mode);
	int (*unlink)(struct inode *dir, struct dentry *dentry);
	int (*rmdir)(struct inode *dir, struct dentry *dentry);
	/* new: the dentry the new name has now, or NULL when it names nothing yet. */
	int (*rename)(struct inode *old_dir, struct dentry *old, struct inode *new_dir,
		      struct dentry *new, const char *new_name);
	/* Changes i_size, freeing or zeroing what lies beyond; the inode's i_rwsem is held. */
	int (*setsize)(struct inode *inode, uint64_t size);
};

struct file_operations {
	ssize_t (*read)(struct file *f, char *buf, size_t n, uint64_t *pos);
	ssize_t (*write)(struct file *f, const char *buf, size_t n, uint64_t *pos);
	int (*iterate)(struct file *f, struct dir_context *ctx);
	int (*fsync)(struct file *f);
	/* mmap (fs/mmap.c): the page-cache page at index for a fault, referenced; and, before
	   the first write through a shared mapping, making the page writable on the disk
	   (allocating blocks under holes). NULL mmap_page: the file cannot be mapped. */
	int (*mmap_page)(struct file *f, uint64_t index, struct page **out);
	int (*page_mkwrite)(struct file *f, struct page *page);
	/* ioctl(2) on the file; arg is the caller's (often a user pointer). NULL: -ENOTTY. */
	long (*unlocked_ioctl)(struct file *f, unsigned int cmd, unsigned long arg);
};

struct super_block {
	struct file_system_type *s_type;
	const struct super_operations *s_op;
	struct dentry *s_root;
	unsigned int s_flags; /* SB_RDONLY; changed under mount_lock */
	unsigned int s_dev;   /* a number for stat and `mount` */
	uint64_t s_maxbytes;  /* largest file size */
	atomic_t s_active;    /* mounts of it, and other holders */
	spinlock_t s_lock;    /* s_mounts, s_inodes */
	struct list_head s_mounts; /* every vfsmount of this superblock */
	struct list_head s_inodes;
	struct list_head s_list; /* all superblocks */
	uint64_t s_nr_inodes;
	char s_id[32]; /* the source named at mount */
	void *s_fs_info;
};

struct inode {
	uint64_t i_ino;
	umode_t i_mode;
	unsigned int i_nlink;
	uint64_t i_size;
	uint64_t i_mtime_ns, i_ctime_ns;
	atomic_t i_count; /* references: dentries and open files */
	struct super_block *i_sb;
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	struct rw_semaphore i_rwsem; /* directory entries; file size and data */
	struct address_space i_data; /* the page cache */
	struct list_head i_sb_list;
	struct rcu_head i_rcu; /* freed after a grace period: RCU path walks read i_mode, i_op */
	void *i_private;
	unsigned int i_rdev; /* a device's number (makedev(major, minor)), else 0 */
};

/* Fills *st from the filesystem; 0 or a negative errno. */
int vfs_statfs(struct super_block *sb, struct kstatfs *st);

/* The current time in ns since boot, for mtime and ctime. */
uint64_t current_time_ns(void);

#endif
