/*
 * KTAP suite "vfs_io": files, directories and the page cache through the file system calls,
 * on tmpfs in /tmp/vfs_test (the fixture and its checks: vfs_fixture.h).
 *
 *  - open flags, read/write/lseek with holes, pread/pwrite, the fields of stat, mkdir/rmdir
 *    and link counts, unlink of an open file (the inode lives until the last close), rmdir of
 *    an open directory and of the working directory, rename in all its forms, readdir (it
 *    reports "." and ".." first, then the entries in creation order) resumed at ctx->pos,
 *    truncate down and up (what was cut reads as zeros), fsync, chdir and getcwd;
 *  - the page cache: a file of several pages written and read in odd chunks, and a sparse
 *    file whose indices need four levels of the radix tree, truncated.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "fs/syscalls.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/dcache.h"
#include "fs/mount.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "mm/page_alloc.h"
#include "mm/fault_inject.h"
#include "arch/x86_64/memlayout.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ---- open, read, write, seek, stat -------------------------------------------------------- */

VFS_CASE(test_open_flags)
{
	struct kstat st;
	char buf[16] = {0};
	int fd;

	/* O_CREAT makes an empty regular file with the mode given. */
	fd = sys_open(D "/f", O_WRONLY | O_CREAT, 0640);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_TRUE(t, S_ISREG(st.mode));
	EXPECT_EQ(t, st.mode & 07777, 0640u);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, sys_write(fd, "abcdef", 6), 6);
	EXPECT_EQ(t, sys_read(fd, buf, 1), -EBADF); /* O_WRONLY */
	sys_close(fd);
	/* O_CREAT of an existing file opens it as it is. */
	fd = sys_open(D "/f", O_RDONLY | O_CREAT, 0600);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6);
	EXPECT_EQ(t, sys_write(fd, "x", 1), -EBADF); /* O_RDONLY */
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.mode & 07777, 0640u);
	sys_close(fd);
	/* O_EXCL: only a new name. */
	EXPECT_EQ(t, sys_open(D "/f", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	fd = sys_open(D "/g", O_WRONLY | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	/* O_TRUNC empties it at open. */
	fd = sys_open(D "/f", O_RDWR | O_TRUNC, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0);
	sys_close(fd);
	/* O_APPEND writes at the end wherever the position is. */
	EXPECT_EQ(t, make_file(D "/f", "12345", 5), 0);
	fd = sys_open(D "/f", O_RDWR | O_APPEND, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(t, sys_write(fd, "678", 3), 3);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 8);
	EXPECT_EQ(t, sys_lseek(fd, 1, SEEK_SET), 1);
	EXPECT_EQ(t, sys_read(fd, buf, 3), 3); /* reads are where the position says */
	EXPECT_EQ(t, memcmp(buf, "234", 3), 0);
	EXPECT_EQ(t, sys_write(fd, "9", 1), 1);
	sys_close(fd);
	EXPECT_TRUE(t, file_is(D "/f", "123456789", 9));
	/* O_DIRECTORY. */
	fd = sys_open(D, O_RDONLY | O_DIRECTORY, 0);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	EXPECT_EQ(t, sys_open(D "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
}

VFS_CASE(test_read_write_lseek)
{
	uint8_t *buf = kmalloc(2 * PAGE_SIZE);
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, buf);
	fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0)) {
		kfree(buf);
		return;
	}
	EXPECT_EQ(t, sys_write(fd, "0123456789", 10), 10);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_EQ(t, sys_read(fd, buf, 4), 0); /* at the end */
	EXPECT_EQ(t, sys_lseek(fd, 2, SEEK_SET), 2);
	EXPECT_EQ(t, sys_read(fd, buf, 3), 3);
	EXPECT_EQ(t, memcmp(buf, "234", 3), 0);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 5);
	EXPECT_EQ(t, sys_lseek(fd, -2, SEEK_CUR), 3);
	EXPECT_EQ(t, sys_read(fd, buf, 2), 2);
	EXPECT_EQ(t, memcmp(buf, "34", 2), 0);
	EXPECT_EQ(t, sys_lseek(fd, -3, SEEK_END), 7);
	EXPECT_EQ(t, sys_read(fd, buf, PAGE_SIZE), 3); /* short: the end */
	EXPECT_EQ(t, memcmp(buf, "789", 3), 0);
	EXPECT_EQ(t, sys_lseek(fd, 4, SEEK_SET), 4);
	EXPECT_EQ(t, sys_write(fd, "ab", 2), 2); /* overwrites in the middle */
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_END), 10);
	/* Past the end: the position may go there, the size follows only a write. */
	EXPECT_EQ(t, sys_lseek(fd, 5000, SEEK_SET), 5000);
	EXPECT_EQ(t, sys_read(fd, buf, 4), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 10u);
	EXPECT_EQ(t, sys_write(fd, "X", 1), 1);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 5001u);
	/* The hole reads as zeros. */
	memset(buf, 0xff, PAGE_SIZE);
	EXPECT_EQ(t, sys_pread(fd, buf, 4991, 10), 4991);
	EXPECT_TRUE(t, all_zero(buf, 4990));
	EXPECT_EQ(t, buf[4990], 'X');
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 0), 10);
	EXPECT_EQ(t, memcmp(buf, "0123ab6789", 10), 0);
	/* A hole of whole pages takes no page: pages 0, 1 and 3 are there, 2 is not. */
	EXPECT_EQ(t, sys_lseek(fd, 3 * PAGE_SIZE + 5, SEEK_SET), (int64_t)(3 * PAGE_SIZE + 5));
	EXPECT_EQ(t, sys_write(fd, "Y", 1), 1);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, (uint64_t)(3 * PAGE_SIZE + 6));
	EXPECT_EQ(t, st.blocks, (uint64_t)(3 * PAGE_SIZE / 512));
	memset(buf, 0xff, PAGE_SIZE);
	EXPECT_EQ(t, sys_pread(fd, buf, PAGE_SIZE, 2 * PAGE_SIZE), (ssize_t)PAGE_SIZE);
	EXPECT_TRUE(t, all_zero(buf, PAGE_SIZE));
	sys_close(fd);
	kfree(buf);
}

VFS_CASE(test_pread_pwrite)
{
	char buf[128];
	int fd;

	fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_pwrite(fd, "hello", 5, 100), 5);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 0); /* the position did not move */
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_END), 105);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_SET), 0);
	memset(buf, 0xff, sizeof(buf));
	EXPECT_EQ(t, sys_pread(fd, buf, 5, 100), 5);
	EXPECT_EQ(t, memcmp(buf, "hello", 5), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 102), 3);
	EXPECT_EQ(t, memcmp(buf, "llo", 3), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 105), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 1ULL << 30), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 100, 0), 100);
	EXPECT_TRUE(t, all_zero((uint8_t *)buf, 100));
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 0);
	/* pwrite then read: read starts at the unmoved position and sees the pwrite. */
	EXPECT_EQ(t, sys_pwrite(fd, "AB", 2, 0), 2);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 105);
	EXPECT_EQ(t, memcmp(buf, "AB", 2), 0);
	EXPECT_EQ(t, memcmp(buf + 100, "hello", 5), 0);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 105);
	sys_close(fd);
}

VFS_CASE(test_stat_fields)
{
	static const uint8_t buf[PAGE_SIZE + 1];
	struct kstat d, s, f, g, top;
	uint64_t mtime;
	int fd;

	ASSERT_EQ(t, sys_stat(D, &top), 0);
	EXPECT_TRUE(t, S_ISDIR(top.mode));
	EXPECT_EQ(t, top.nlink, 2u); /* empty: its "." and its entry in /tmp */
	EXPECT_FALSE(t, top.mnt_readonly);
	ASSERT_EQ(t, sys_mkdir(D "/d", 0750), 0);
	ASSERT_EQ(t, sys_stat(D "/d", &d), 0);
	EXPECT_TRUE(t, S_ISDIR(d.mode));
	EXPECT_EQ(t, d.mode & 07777, 0750u);
	EXPECT_EQ(t, d.nlink, 2u);
	EXPECT_EQ(t, sys_stat(D, &top), 0);
	EXPECT_EQ(t, top.nlink, 3u); /* d's ".." */
	ASSERT_EQ(t, sys_mkdir(D "/d/s1", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(D "/d/s2", 0755), 0);
	fd = sys_open(D "/d/f", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_stat(D "/d", &d), 0);
	EXPECT_EQ(t, d.nlink, 4u); /* two subdirectories; a file adds no link */
	EXPECT_EQ(t, sys_fstat(fd, &f), 0);
	EXPECT_TRUE(t, S_ISREG(f.mode));
	EXPECT_EQ(t, f.mode & 07777, 0600u);
	EXPECT_EQ(t, f.nlink, 1u);
	EXPECT_EQ(t, f.size, 0u);
	EXPECT_EQ(t, f.blocks, 0u);
	EXPECT_EQ(t, f.dev, top.dev);
	EXPECT_NE(t, f.ino, d.ino);
	mtime = f.mtime_ns;
	EXPECT_EQ(t, sys_write(fd, "hello", 5), 5);
	EXPECT_EQ(t, sys_fstat(fd, &f), 0);
	EXPECT_EQ(t, f.size, 5u);
	EXPECT_EQ(t, f.blocks, (uint64_t)(PAGE_SIZE / 512));
	EXPECT_GT(t, f.mtime_ns, mtime);
	EXPECT_EQ(t, sys_pwrite(fd, buf, sizeof(buf), 5), (ssize_t)sizeof(buf));
	EXPECT_EQ(t, sys_stat(D "/d/f", &g), 0); /* stat and fstat agree */
	EXPECT_EQ(t, g.ino, f.ino);
	EXPECT_EQ(t, g.size, (uint64_t)PAGE_SIZE + 6);
	EXPECT_EQ(t, g.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	EXPECT_EQ(t, g.mode, f.mode);
	sys_close(fd);
	/* A rmdir takes the link back; the removed directory's inode numbers differ. */
	EXPECT_EQ(t, sys_stat(D "/d/s1", &s), 0);
	EXPECT_NE(t, s.ino, d.ino);
	EXPECT_EQ(t, sys_rmdir(D "/d/s1"), 0);
	EXPECT_EQ(t, sys_stat(D "/d", &d), 0);
	EXPECT_EQ(t, d.nlink, 3u);
}

/* ---- directories and names ---------------------------------------------------------------- */

VFS_CASE(test_mkdir_rmdir)
{
	struct kstat st;

	EXPECT_EQ(t, sys_mkdir(D "/a", 0755), 0);
	EXPECT_EQ(t, sys_mkdir(D "/a/b/", 0755), 0); /* a trailing slash is fine */
	EXPECT_EQ(t, sys_mkdir(D "//a//b//c", 0755), 0);
	EXPECT_EQ(t, sys_stat(D "/a/b/c", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_EQ(t, sys_rmdir(D "/a/b"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(D "/a"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(D "/a/b/c/"), 0);
	EXPECT_EQ(t, sys_stat(D "/a/b/c", &st), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(D "/a/b/c"), -ENOENT);
	EXPECT_EQ(t, sys_stat(D "/a", &st), 0);
	EXPECT_EQ(t, st.nlink, 3u);
	EXPECT_EQ(t, make_file(D "/a/b/f", "f", 1), 0);
	EXPECT_EQ(t, sys_rmdir(D "/a/b"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(D "/a/b/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_unlink(D "/a/b/f"), 0);
	EXPECT_EQ(t, sys_rmdir(D "/a/b"), 0); /* empty once its file went */
	EXPECT_EQ(t, sys_stat(D "/a", &st), 0);
	EXPECT_EQ(t, st.nlink, 2u);
	/* A name made again after removal is a new inode. */
	uint64_t old = st.ino;

	EXPECT_EQ(t, sys_rmdir(D "/a"), 0);
	EXPECT_EQ(t, sys_mkdir(D "/a", 0755), 0);
	EXPECT_NE(t, ino_of(D "/a"), old);
	EXPECT_EQ(t, sys_rmdir(D "/a"), 0);
}

VFS_CASE(test_unlink_an_open_file)
{
	uint8_t *buf = kmalloc(6000);
	uint64_t inodes = tmpfs_inodes(D), pages = nr_pagecache_pages();
	struct kstat st;
	int fd, fd2;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 6000, 3);
	fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 1);
	EXPECT_EQ(t, sys_write(fd, buf, 6000), 6000);
	EXPECT_EQ(t, sys_unlink(D "/f"), 0);
	/* The name is gone... */
	EXPECT_EQ(t, sys_stat(D "/f", &st), -ENOENT);
	EXPECT_EQ(t, sys_open(D "/f", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_unlink(D "/f"), -ENOENT);
	/* ...the file and its data are not, while it is open. */
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 1);
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 2);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_EQ(t, st.size, 6000u);
	memset(buf, 0, 6000);
	EXPECT_EQ(t, sys_pread(fd, buf, 6000, 0), 6000);
	EXPECT_EQ(t, check_pattern(buf, 0, 6000, 3), -1);
	EXPECT_EQ(t, sys_pwrite(fd, "more", 4, 6000), 4);
	/* A new file under the old name is another inode. */
	fd2 = sys_open(D "/f", O_RDWR | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd2, 0);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 2);
	EXPECT_EQ(t, sys_fstat(fd2, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	sys_close(fd2);
	EXPECT_EQ(t, sys_unlink(D "/f"), 0);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 1);
	/* The last close frees the inode and its pages. */
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
	/* An open file whose name went does not keep its directory from being removed. */
	EXPECT_EQ(t, sys_mkdir(D "/d", 0755), 0);
	fd = sys_open(D "/d/g", O_RDWR | O_CREAT, 0644);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "g", 1), 1);
	EXPECT_EQ(t, sys_unlink(D "/d/g"), 0);
	EXPECT_EQ(t, sys_rmdir(D "/d"), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 0), 1);
	EXPECT_EQ(t, buf[0], 'g');
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 2); /* d and g, both held by the open file */
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes);
out:
	kfree(buf);
}

VFS_CASE(test_rmdir_an_open_and_working_directory)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
	if (!EXPECT_EQ(t, sys_mkdir(D "/d", 0755), 0))
		goto out;
	fd = sys_open(D "/d", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_chdir(D "/d"), 0);
	EXPECT_EQ(t, sys_rmdir(D "/d"), 0);
	EXPECT_EQ(t, sys_stat(D "/d", &st), -ENOENT);
	/* Still the working directory, but nothing can be made in it. */
	EXPECT_EQ(t, sys_stat(".", &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_EQ(t, sys_open("x", O_RDWR | O_CREAT, 0644), -ENOENT);
	EXPECT_EQ(t, sys_mkdir("y", 0755), -ENOENT);
	EXPECT_EQ(t, sys_stat("x", &st), -ENOENT);
	/* Listing it gives "." and ".." only. */
	EXPECT_EQ(t, sys_readdir(fd, &l->ctx), 0);
	EXPECT_EQ(t, l->n, 2u);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_EQ(t, sys_chdir("/"), 0);
	sys_close(fd);
out:
	kfree(l);
}

VFS_CASE(test_rename)
{
	uint64_t inodes = tmpfs_inodes(D);
	struct kstat st, top, p;
	char buf[8];
	int fd, fd2;

	ASSERT_EQ(t, make_file(D "/a", "aaa", 3), 0);
	ASSERT_EQ(t, make_file(D "/b", "bbbbbb", 6), 0);
	/* A file over a file: the target's inode goes. */
	EXPECT_EQ(t, sys_rename(D "/a", D "/b"), 0);
	EXPECT_EQ(t, sys_stat(D "/a", &st), -ENOENT);
	EXPECT_TRUE(t, file_is(D "/b", "aaa", 3));
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 1);
	/* The same name, however spelt: nothing happens. */
	EXPECT_EQ(t, sys_rename(D "/b", D "/b"), 0);
	EXPECT_EQ(t, sys_rename(D "/b", D "//./b"), 0);
	EXPECT_TRUE(t, file_is(D "/b", "aaa", 3));
	/* A directory over an empty directory. */
	ASSERT_EQ(t, sys_mkdir(D "/d1", 0755), 0);
	ASSERT_EQ(t, make_file(D "/d1/x", "x", 1), 0);
	ASSERT_EQ(t, sys_mkdir(D "/d2", 0755), 0);
	EXPECT_EQ(t, sys_stat(D, &top), 0);
	EXPECT_EQ(t, top.nlink, 4u);
	EXPECT_EQ(t, sys_rename(D "/d1", D "/d2"), 0);
	EXPECT_EQ(t, sys_stat(D "/d1", &st), -ENOENT);
	EXPECT_TRUE(t, file_is(D "/d2/x", "x", 1));
	EXPECT_EQ(t, sys_stat(D, &top), 0);
	EXPECT_EQ(t, top.nlink, 3u);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes + 3); /* b, d2 (was d1), x */
	/* The refusals: non-empty target, file over directory, directory over file. */
	ASSERT_EQ(t, sys_mkdir(D "/d3", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(D "/d4", 0755), 0);
	EXPECT_EQ(t, sys_rename(D "/d4", D "/d2"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rename(D "/b", D "/d3"), -EISDIR);
	EXPECT_EQ(t, sys_rename(D "/d3", D "/b"), -ENOTDIR);
	EXPECT_EQ(t, sys_stat(D "/d4", &st), 0);
	EXPECT_EQ(t, sys_stat(D "/d3", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_TRUE(t, file_is(D "/b", "aaa", 3));
	EXPECT_TRUE(t, file_is(D "/d2/x", "x", 1));
	/* Into another directory: a file, then a directory (link counts move with it). */
	EXPECT_EQ(t, sys_rename(D "/b", D "/d2/b2"), 0);
	EXPECT_TRUE(t, file_is(D "/d2/b2", "aaa", 3));
	EXPECT_EQ(t, sys_stat(D, &top), 0);
	EXPECT_EQ(t, sys_rename(D "/d3", D "/d2/d3"), 0);
	EXPECT_EQ(t, sys_stat(D "/d2", &p), 0);
	EXPECT_EQ(t, p.nlink, 3u);
	EXPECT_EQ(t, sys_stat(D, &st), 0);
	EXPECT_EQ(t, st.nlink, top.nlink - 1);
	EXPECT_EQ(t, ino_of(D "/d2/d3/.."), p.ino);
	/* And back up, over the empty d4. */
	EXPECT_EQ(t, sys_rename(D "/d2/d3", D "/d4"), 0);
	EXPECT_EQ(t, sys_stat(D "/d2", &p), 0);
	EXPECT_EQ(t, p.nlink, 2u);
	EXPECT_EQ(t, ino_of(D "/d4/.."), ino_of(D));
	/* An open file keeps its data through a rename, and through being renamed over. */
	fd = sys_open(D "/d2/b2", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_rename(D "/d2/b2", D "/z"), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.ino, ino_of(D "/z"));
	EXPECT_EQ(t, make_file(D "/n", "new", 3), 0);
	fd2 = sys_open(D "/n", O_RDONLY, 0);
	EXPECT_EQ(t, sys_rename(D "/n", D "/z"), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, sizeof(buf), 0), 3);
	EXPECT_EQ(t, memcmp(buf, "aaa", 3), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_TRUE(t, file_is(D "/z", "new", 3));
	EXPECT_EQ(t, sys_fstat(fd2, &st), 0);
	EXPECT_EQ(t, st.ino, ino_of(D "/z"));
	sys_close(fd2);
	uint64_t held = tmpfs_inodes(D);

	sys_close(fd);
	/* The renamed-over file went with its last close. */
	EXPECT_EQ(t, tmpfs_inodes(D), held - 1);
}

#define RD_FILES 20
#define RD_DIRS	 3

static unsigned int count_name(const struct names *l, const char *name)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < l->n && i < MAX_NAMES; i++)
		n += !strcmp(l->name[i], name);
	return n;
}

/*
 * D holds f00..f19 but f05, and d0..d2. The first call returns ".", "..", f00, f01, f02; then
 * those three and f10 (not yet returned) are removed. The calls that follow must return every
 * other name exactly once, and not f10.
 */
static void readdir_resume_after_removals(struct ktest *t, struct names *l)
{
	static const char *const gone[] = {"f00", "f01", "f02", "f10"};
	char name[8], path[64];
	int fd = sys_open(D, O_RDONLY | O_DIRECTORY, 0), calls = 1;

	ASSERT_GE(t, fd, 0);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
	l->n = l->in_call = 0;
	l->stop_after = 5;
	EXPECT_EQ(t, sys_readdir(fd, &l->ctx), 0);
	EXPECT_EQ(t, l->n, 5u);
	for (size_t i = 0; i < ARRAY_SIZE(gone); i++) {
		snprintf(path, sizeof(path), D "/%s", gone[i]);
		EXPECT_EQ(t, sys_unlink(path), 0);
	}
	for (unsigned int before = 0; before != l->n && calls < 100; calls++) {
		before = l->n;
		l->in_call = 0;
		EXPECT_EQ(t, sys_readdir(fd, &l->ctx), 0);
	}
	sys_close(fd);
	EXPECT_EQ(t, l->n, 5u + 18u);
	EXPECT_EQ(t, count_name(l, "f10"), 0u);
	for (int i = 0; i < RD_FILES + RD_DIRS; i++) {
		if (i >= RD_FILES)
			snprintf(name, sizeof(name), "d%d", i - RD_FILES);
		else
			snprintf(name, sizeof(name), "f%02d", i);
		if (i == 5 || i == 10)
			continue;
		if (!EXPECT_EQ(t, count_name(l, name), 1u))
			ktest_log(t, "%s listed %u times", name, count_name(l, name));
	}
}

VFS_CASE(test_readdir)
{
	static const unsigned int per_call[] = {0, 4, 1, 7};
	struct names *l = kzalloc(sizeof(*l));
	char path[64], name[8];

	ASSERT_NOT_NULL(t, l);
	for (int i = 0; i < RD_FILES; i++) {
		snprintf(path, sizeof(path), D "/f%02d", i);
		if (!EXPECT_EQ(t, make_file(path, "", 0), 0))
			goto out;
	}
	for (int i = 0; i < RD_DIRS; i++) {
		snprintf(path, sizeof(path), D "/d%d", i);
		if (!EXPECT_EQ(t, sys_mkdir(path, 0755), 0))
			goto out;
	}
	/*
	 * tmpfs reports "." and ".." first (".." of a filesystem's root is the root itself), then
	 * the names in the order they were made. ctx->pos is where the next call resumes; a call
	 * after the last entry returns nothing.
	 */
	for (size_t k = 0; k < ARRAY_SIZE(per_call); k++) {
		unsigned int n = RD_FILES + RD_DIRS + 2, pc = per_call[k];
		int calls = list_dir(D, l, pc);

		EXPECT_EQ(t, calls, pc ? (int)((n + pc - 1) / pc + 1) : 2);
		EXPECT_EQ(t, l->n, n);
		EXPECT_STREQ(t, l->name[0], ".");
		EXPECT_STREQ(t, l->name[1], "..");
		EXPECT_EQ(t, l->ino[0], ino_of(D));
		EXPECT_EQ(t, l->ino[1], ino_of("/tmp"));
		EXPECT_TRUE(t, S_ISDIR(l->mode[0]) && S_ISDIR(l->mode[1]));
		for (int i = 0; i < RD_FILES + RD_DIRS; i++) {
			bool dir = i >= RD_FILES;
			int at;

			if (dir)
				snprintf(name, sizeof(name), "d%d", i - RD_FILES);
			else
				snprintf(name, sizeof(name), "f%02d", i);
			at = find_name(l, name);
			if (!EXPECT_EQ(t, at, i + 2)) { /* once, in creation order */
				ktest_log(t, "%s at %d, calls of %u", name, at, pc);
				continue;
			}
			snprintf(path, sizeof(path), D "/%s", name);
			EXPECT_EQ(t, l->ino[at], ino_of(path));
			EXPECT_EQ(t, S_ISDIR(l->mode[at]), dir);
		}
	}
	/* A removed name is no longer listed; an empty directory has only "." and "..". */
	EXPECT_EQ(t, sys_unlink(D "/f05"), 0);
	EXPECT_EQ(t, list_dir(D, l, 3), 24 / 3 + 1); /* 19 files, 3 directories, "." and ".." */
	EXPECT_EQ(t, l->n, 24u);
	EXPECT_EQ(t, find_name(l, "f05"), -1);
	EXPECT_EQ(t, find_name(l, "f06"), 7);
	EXPECT_EQ(t, list_dir(D "/d1", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	EXPECT_EQ(t, l->ino[1], ino_of(D));
	readdir_resume_after_removals(t, l);
out:
	kfree(l);
}

VFS_CASE(test_truncate)
{
	uint8_t *buf = kmalloc(3 * PAGE_SIZE);
	uint64_t used = tmpfs_used(D);
	struct kstat st;
	int fd = -1;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 10000, 4);
	if (!EXPECT_EQ(t, make_file(D "/f", buf, 10000), 0))
		goto out;
	EXPECT_EQ(t, tmpfs_used(D), used + 3);
	/* Down to the middle of page 1: page 2 goes, the rest of page 1 is zeroed. */
	EXPECT_EQ(t, sys_truncate(D "/f", 5000), 0);
	EXPECT_EQ(t, sys_stat(D "/f", &st), 0);
	EXPECT_EQ(t, st.size, 5000u);
	EXPECT_EQ(t, st.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	EXPECT_EQ(t, tmpfs_used(D), used + 2);
	memset(buf, 0, 3 * PAGE_SIZE);
	EXPECT_EQ(t, read_file(D "/f", buf, 3 * PAGE_SIZE), 5000);
	EXPECT_EQ(t, check_pattern(buf, 0, 5000, 4), -1);
	/* Up again: what was cut reads as zeros, and the new part is a hole. */
	EXPECT_EQ(t, sys_truncate(D "/f", 12000), 0);
	EXPECT_EQ(t, sys_stat(D "/f", &st), 0);
	EXPECT_EQ(t, st.size, 12000u);
	EXPECT_EQ(t, st.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	memset(buf, 0xff, 3 * PAGE_SIZE);
	EXPECT_EQ(t, read_file(D "/f", buf, 3 * PAGE_SIZE), 12000);
	EXPECT_EQ(t, check_pattern(buf, 0, 5000, 4), -1);
	EXPECT_TRUE(t, all_zero(buf + 5000, 7000));
	/* Through a descriptor: to zero, then a little up. */
	fd = sys_open(D "/f", O_RDWR, 0);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	EXPECT_EQ(t, sys_ftruncate(fd, 0), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, st.blocks, 0u);
	EXPECT_EQ(t, tmpfs_used(D), used);
	EXPECT_EQ(t, sys_ftruncate(fd, 100), 0);
	memset(buf, 0xff, 200);
	EXPECT_EQ(t, sys_read(fd, buf, 200), 100);
	EXPECT_TRUE(t, all_zero(buf, 100));
	/* At a page boundary, the page below stays whole. */
	fill(buf, 0, 2 * PAGE_SIZE, 5);
	EXPECT_EQ(t, sys_pwrite(fd, buf, 2 * PAGE_SIZE, 0), (ssize_t)(2 * PAGE_SIZE));
	EXPECT_EQ(t, sys_ftruncate(fd, PAGE_SIZE), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.blocks, (uint64_t)(PAGE_SIZE / 512));
	EXPECT_EQ(t, sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	memset(buf, 0xff, 2 * PAGE_SIZE);
	EXPECT_EQ(t, sys_pread(fd, buf, 2 * PAGE_SIZE, 0), (ssize_t)(2 * PAGE_SIZE));
	EXPECT_EQ(t, check_pattern(buf, 0, PAGE_SIZE, 5), -1);
	EXPECT_TRUE(t, all_zero(buf + PAGE_SIZE, PAGE_SIZE));
	/* The position may lie past the new end: a read there gets nothing. */
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_END), (int64_t)(2 * PAGE_SIZE));
	EXPECT_EQ(t, sys_ftruncate(fd, 10), 0);
	EXPECT_EQ(t, sys_read(fd, buf, 10), 0);
	EXPECT_EQ(t, sys_truncate(D, 0), -EISDIR);
out:
	if (fd >= 0)
		sys_close(fd);
	kfree(buf);
}

VFS_CASE(test_fsync)
{
	int fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644), dfd;

	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "x", 1), 1);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	sys_close(fd);
	fd = sys_open(D "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	sys_close(fd);
	dfd = sys_open(D, O_RDONLY, 0);
	EXPECT_EQ(t, sys_fsync(dfd), 0);
	sys_close(dfd);
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, sys_fsync(dfd), -EBADF);
	EXPECT_TRUE(t, file_is(D "/f", "x", 1));
}

VFS_CASE(test_chdir_and_relative_paths)
{
	char cwd[64];
	struct kstat st;

	ASSERT_EQ(t, sys_chdir("/"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	ASSERT_EQ(t, sys_chdir(D), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D);
	/* Relative paths start at the working directory. */
	EXPECT_EQ(t, sys_mkdir("sub", 0755), 0);
	EXPECT_EQ(t, make_file("sub/f", "rel", 3), 0);
	EXPECT_TRUE(t, file_is(D "/sub/f", "rel", 3));
	EXPECT_EQ(t, sys_chdir("sub"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D "/sub");
	static const char *const f[] = {"f", "./f", "../sub/f", "..//sub/./f", ".//f"};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		EXPECT_TRUE(t, file_is(f[i], "rel", 3));
	EXPECT_EQ(t, sys_rename("f", "../g"), 0);
	EXPECT_TRUE(t, file_is(D "/g", "rel", 3));
	EXPECT_EQ(t, sys_unlink("../g"), 0);
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D);
	EXPECT_EQ(t, sys_chdir("./sub/.."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D);
	EXPECT_EQ(t, sys_rmdir("sub"), 0);
	/* A buffer one byte short of the path and its NUL, then just enough. */
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(D) - 1), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(D)), 0);
	EXPECT_STREQ(t, cwd, D);
	EXPECT_EQ(t, sys_getcwd(cwd, 1), -ENAMETOOLONG);
	/* Failed changes leave it where it was. */
	EXPECT_EQ(t, make_file("file", "", 0), 0);
	EXPECT_EQ(t, sys_chdir("file"), -ENOTDIR);
	EXPECT_EQ(t, sys_chdir("nope"), -ENOENT);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D);
	/* ".." from the root stays at the root. */
	EXPECT_EQ(t, sys_chdir("../../../.."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	EXPECT_EQ(t, sys_stat("tmp/vfs_test/file", &st), 0);
}

/* ---- the page cache ----------------------------------------------------------------------- */

#define PC_SIZE (5 * PAGE_SIZE + 1234)

VFS_CASE(test_page_cache_odd_chunks)
{
	static const size_t wchunk[] = {777, 4099, 1, 3000, 8191, 13};
	static const size_t rchunk[] = {613, 4096, 2, 5000, 1, 4097};
	uint8_t *buf = kmalloc(PC_SIZE), *back = kmalloc(PC_SIZE);
	uint64_t pages = nr_pagecache_pages();
	size_t done, k;
	struct kstat st;
	int fd = -1;

	if (!buf || !back)
		goto out;
	fill(buf, 0, PC_SIZE, 6);
	fd = sys_open(D "/big", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	for (done = 0, k = 0; done < PC_SIZE; k++) {
		size_t n = wchunk[k % ARRAY_SIZE(wchunk)];

		n = n < PC_SIZE - done ? n : PC_SIZE - done;
		if (!EXPECT_EQ(t, sys_write(fd, buf + done, n), (ssize_t)n))
			goto out;
		done += n;
	}
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, (uint64_t)PC_SIZE);
	EXPECT_EQ(t, st.blocks, (uint64_t)(6 * PAGE_SIZE / 512));
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 6);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_SET), 0);
	memset(back, 0, PC_SIZE);
	for (done = 0, k = 0; k < 100; k++) {
		ssize_t r = sys_read(fd, back + done, rchunk[k % ARRAY_SIZE(rchunk)]);

		if (r <= 0) {
			EXPECT_EQ(t, r, 0);
			break;
		}
		done += (size_t)r;
	}
	EXPECT_EQ(t, done, (size_t)PC_SIZE);
	EXPECT_EQ(t, check_pattern(back, 0, PC_SIZE, 6), -1);
	/* Across each page boundary. */
	for (uint64_t pg = 1; pg <= 5; pg++) {
		uint8_t small[14];

		EXPECT_EQ(t, sys_pread(fd, small, sizeof(small), pg * PAGE_SIZE - 7), 14);
		EXPECT_EQ(t, check_pattern(small, pg * PAGE_SIZE - 7, sizeof(small), 6), -1);
	}
	/* An overwrite across a boundary changes exactly those bytes. */
	EXPECT_EQ(t, sys_pwrite(fd, "XYZWVU", 6, 2 * PAGE_SIZE - 3), 6);
	memcpy(buf + 2 * PAGE_SIZE - 3, "XYZWVU", 6);
	EXPECT_EQ(t, sys_pread(fd, back, PC_SIZE, 0), (ssize_t)PC_SIZE);
	EXPECT_EQ(t, memcmp(back, buf, PC_SIZE), 0);
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 6);
out:
	EXPECT_NOT_NULL(t, buf);
	EXPECT_NOT_NULL(t, back);
	if (fd >= 0)
		sys_close(fd);
	kfree(buf);
	kfree(back);
}

VFS_CASE(test_sparse_file_and_radix_levels)
{
	/* Indices that need 1, 2, 3 and 4 levels of 64-way nodes. */
	static const uint64_t index[] = {0, 63, 64, 4095, 4096, 262144 + 7};
	uint64_t objects, pages;
	struct kstat st;
	uint8_t b;
	int fd;

	rcu_barrier();
	objects = slab_objects_in_use();
	pages = nr_pagecache_pages();
	fd = sys_open(D "/sparse", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	for (size_t i = 0; i < ARRAY_SIZE(index); i++) {
		b = (uint8_t)(i + 1);
		EXPECT_EQ(t, sys_pwrite(fd, &b, 1, index[i] * PAGE_SIZE + i), 1);
	}
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, index[5] * PAGE_SIZE + 6);
	EXPECT_EQ(t, st.blocks, (uint64_t)(6 * PAGE_SIZE / 512));
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 6);
	for (size_t i = 0; i < ARRAY_SIZE(index); i++) {
		b = 0;
		EXPECT_EQ(t, sys_pread(fd, &b, 1, index[i] * PAGE_SIZE + i), 1);
		EXPECT_EQ(t, b, (uint8_t)(i + 1));
	}
	b = 0xff;
	EXPECT_EQ(t, sys_pread(fd, &b, 1, 100 * PAGE_SIZE), 1); /* a hole */
	EXPECT_EQ(t, b, 0);
	/* Cut inside the second level: pages 0, 63, 64 stay. */
	EXPECT_EQ(t, sys_ftruncate(fd, 65 * PAGE_SIZE), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.blocks, (uint64_t)(3 * PAGE_SIZE / 512));
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 3);
	EXPECT_EQ(t, sys_pread(fd, &b, 1, 64 * PAGE_SIZE + 2), 1);
	EXPECT_EQ(t, b, 3);
	/* Grown back, the far page is a hole again. */
	EXPECT_EQ(t, sys_ftruncate(fd, index[5] * PAGE_SIZE + 6), 0);
	b = 0xff;
	EXPECT_EQ(t, sys_pread(fd, &b, 1, index[5] * PAGE_SIZE + 5), 1);
	EXPECT_EQ(t, b, 0);
	sys_close(fd);
	EXPECT_EQ(t, sys_unlink(D "/sparse"), 0);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
	rcu_barrier();
	EXPECT_EQ(t, slab_objects_in_use(), objects); /* the tree's nodes went with the pages */
}

KTEST_SUITE(vfs_io, KTEST_CASE(test_open_flags), KTEST_CASE(test_read_write_lseek),
	    KTEST_CASE(test_pread_pwrite), KTEST_CASE(test_stat_fields),
	    KTEST_CASE(test_mkdir_rmdir), KTEST_CASE(test_unlink_an_open_file),
	    KTEST_CASE(test_rmdir_an_open_and_working_directory), KTEST_CASE(test_rename),
	    KTEST_CASE(test_readdir), KTEST_CASE(test_truncate), KTEST_CASE(test_fsync),
	    KTEST_CASE(test_chdir_and_relative_paths), KTEST_CASE(test_page_cache_odd_chunks),
	    KTEST_CASE(test_sparse_file_and_radix_levels));
