/*
 * KTAP suite "vfs_io": files and the page cache through the file system calls, on tmpfs in
 * /tmp/vfs_test (the fixture and its checks: vfs_fixture.h). Directories and names are
 * vfs_dir_test.c's.
 *
 *  - open flags, read/write/lseek with holes, pread/pwrite, the fields of stat, truncate down
 *    and up (what was cut reads as zeros), fsync;
 *  - the page cache: a file of several pages written and read in odd chunks, and a sparse
 *    file whose indices need four levels of the radix tree, truncated.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "kernel/rcu/rcu.h"
#include "fs/syscalls.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"
#include "lib/string.h"

static void test_open_flags(struct ktest *t)
{
	struct kstat st;
	char buf[16] = {0};
	int fd;

	/* O_CREAT makes an empty regular file with the mode given. */
	fd = sys_open(TEST_DIR "/f", O_WRONLY | O_CREAT, 0640);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_TRUE(t, S_ISREG(st.mode));
	EXPECT_EQ(t, st.mode & 07777, 0640u);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, sys_write(fd, "abcdef", 6), 6);
	EXPECT_EQ(t, sys_read(fd, buf, 1), -EBADF); /* O_WRONLY */
	sys_close(fd);
	/* O_CREAT of an existing file opens it as it is. */
	fd = sys_open(TEST_DIR "/f", O_RDONLY | O_CREAT, 0600);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6);
	EXPECT_EQ(t, sys_write(fd, "x", 1), -EBADF); /* O_RDONLY */
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.mode & 07777, 0640u);
	sys_close(fd);
	/* O_EXCL: only a new name. */
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	fd = sys_open(TEST_DIR "/g", O_WRONLY | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	/* O_TRUNC empties it at open. */
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_TRUNC, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0);
	sys_close(fd);
	/* O_APPEND writes at the end wherever the position is. */
	EXPECT_EQ(t, make_file(TEST_DIR "/f", "12345", 5), 0);
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_APPEND, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(t, sys_write(fd, "678", 3), 3);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 8);
	EXPECT_EQ(t, sys_lseek(fd, 1, SEEK_SET), 1);
	EXPECT_EQ(t, sys_read(fd, buf, 3), 3); /* reads are where the position says */
	EXPECT_EQ(t, memcmp(buf, "234", 3), 0);
	EXPECT_EQ(t, sys_write(fd, "9", 1), 1);
	sys_close(fd);
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "123456789", 9));
	/* O_DIRECTORY. */
	fd = sys_open(TEST_DIR, O_RDONLY | O_DIRECTORY, 0);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
}

static void test_read_write_lseek(struct ktest *t)
{
	uint8_t *buf = kmalloc(2 * PAGE_SIZE);
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, buf);
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644);
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
	/* Not past the largest file the file system holds; the position stays where it was. */
	EXPECT_EQ(t, sys_lseek(fd, (int64_t)(1ULL << 40) + 1, SEEK_SET), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, (int64_t)(1ULL << 40), SEEK_SET), (int64_t)(1ULL << 40));
	EXPECT_EQ(t, sys_lseek(fd, 1, SEEK_CUR), -EINVAL);
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

static void test_pread_pwrite(struct ktest *t)
{
	char buf[128];
	int fd;

	fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644);
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

static void test_stat_fields(struct ktest *t)
{
	static const uint8_t buf[PAGE_SIZE + 1];
	struct kstat d, s, f, g, top;
	uint64_t mtime;
	int fd;

	ASSERT_EQ(t, sys_stat(TEST_DIR, &top), 0);
	EXPECT_TRUE(t, S_ISDIR(top.mode));
	EXPECT_EQ(t, top.nlink, 2u); /* empty: its "." and its entry in /tmp */
	EXPECT_FALSE(t, top.mnt_readonly);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d", 0750), 0);
	ASSERT_EQ(t, sys_stat(TEST_DIR "/d", &d), 0);
	EXPECT_TRUE(t, S_ISDIR(d.mode));
	EXPECT_EQ(t, d.mode & 07777, 0750u);
	EXPECT_EQ(t, d.nlink, 2u);
	EXPECT_EQ(t, sys_stat(TEST_DIR, &top), 0);
	EXPECT_EQ(t, top.nlink, 3u); /* d's ".." */
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d/s1", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d/s2", 0755), 0);
	fd = sys_open(TEST_DIR "/d/f", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d", &d), 0);
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
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d/f", &g), 0); /* stat and fstat agree */
	EXPECT_EQ(t, g.ino, f.ino);
	EXPECT_EQ(t, g.size, (uint64_t)PAGE_SIZE + 6);
	EXPECT_EQ(t, g.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	EXPECT_EQ(t, g.mode, f.mode);
	sys_close(fd);
	/* A rmdir takes the link back; the removed directory's inode numbers differ. */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d/s1", &s), 0);
	EXPECT_NE(t, s.ino, d.ino);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/d/s1"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d", &d), 0);
	EXPECT_EQ(t, d.nlink, 3u);
}

static void test_truncate(struct ktest *t)
{
	uint8_t *buf = kmalloc(3 * PAGE_SIZE);
	uint64_t used = tmpfs_used(TEST_DIR);
	struct kstat st;
	int fd = -1;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 10000, 4);
	if (!EXPECT_EQ(t, make_file(TEST_DIR "/f", buf, 10000), 0))
		goto out;
	EXPECT_EQ(t, tmpfs_used(TEST_DIR), used + 3);
	/* Down to the middle of page 1: page 2 goes, the rest of page 1 is zeroed. */
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/f", 5000), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), 0);
	EXPECT_EQ(t, st.size, 5000u);
	EXPECT_EQ(t, st.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	EXPECT_EQ(t, tmpfs_used(TEST_DIR), used + 2);
	memset(buf, 0, 3 * PAGE_SIZE);
	EXPECT_EQ(t, read_file(TEST_DIR "/f", buf, 3 * PAGE_SIZE), 5000);
	EXPECT_EQ(t, check_pattern(buf, 0, 5000, 4), -1);
	/* Up again: what was cut reads as zeros, and the new part is a hole. */
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/f", 12000), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), 0);
	EXPECT_EQ(t, st.size, 12000u);
	EXPECT_EQ(t, st.blocks, (uint64_t)(2 * PAGE_SIZE / 512));
	memset(buf, 0xff, 3 * PAGE_SIZE);
	EXPECT_EQ(t, read_file(TEST_DIR "/f", buf, 3 * PAGE_SIZE), 12000);
	EXPECT_EQ(t, check_pattern(buf, 0, 5000, 4), -1);
	EXPECT_TRUE(t, all_zero(buf + 5000, 7000));
	/* Through a descriptor: to zero, then a little up. */
	fd = sys_open(TEST_DIR "/f", O_RDWR, 0);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	EXPECT_EQ(t, sys_ftruncate(fd, 0), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	EXPECT_EQ(t, st.blocks, 0u);
	EXPECT_EQ(t, tmpfs_used(TEST_DIR), used);
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
	EXPECT_EQ(t, sys_truncate(TEST_DIR, 0), -EISDIR);
out:
	if (fd >= 0)
		sys_close(fd);
	kfree(buf);
}

static void test_fsync(struct ktest *t)
{
	int fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644), dfd;

	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "x", 1), 1);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	sys_close(fd);
	fd = sys_open(TEST_DIR "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_fsync(fd), 0);
	sys_close(fd);
	dfd = sys_open(TEST_DIR, O_RDONLY, 0);
	EXPECT_EQ(t, sys_fsync(dfd), 0);
	sys_close(dfd);
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, sys_fsync(dfd), -EBADF);
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "x", 1));
}

#define PC_SIZE (5 * PAGE_SIZE + 1234)

static void test_page_cache_odd_chunks(struct ktest *t)
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
	fd = sys_open(TEST_DIR "/big", O_RDWR | O_CREAT, 0644);
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

static void test_sparse_file_and_radix_levels(struct ktest *t)
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
	fd = sys_open(TEST_DIR "/sparse", O_RDWR | O_CREAT, 0644);
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
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/sparse"), 0);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
	rcu_barrier();
	EXPECT_EQ(t, slab_objects_in_use(), objects); /* the tree's nodes went with the pages */
}

KTEST_SUITE_HOOKS(vfs_io, vfs_case_init, vfs_case_exit, KTEST_CASE(test_open_flags),
		  KTEST_CASE(test_read_write_lseek), KTEST_CASE(test_pread_pwrite),
		  KTEST_CASE(test_stat_fields), KTEST_CASE(test_truncate), KTEST_CASE(test_fsync),
		  KTEST_CASE(test_page_cache_odd_chunks),
		  KTEST_CASE(test_sparse_file_and_radix_levels));
