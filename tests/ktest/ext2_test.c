/*
 * KTAP suite "ext2": the file system on the attached disk vda (a copy of build/disk.img, made by
 * mke2fs with 1 KiB blocks from the files in disk/), mounted read-write at /tmp/ext2t, and a
 * small disk with 4 KiB blocks as vdb (build/disk4k.img) when the runner attaches one.
 *
 * Cases: the sample files read back; create, write, extend, truncate, unlink; a file that
 * reaches the double-indirect blocks (past 268 KiB with 1 KiB blocks) read back after the cache
 * was dropped (umount and mount again); directories (mkdir, rmdir, ENOTEMPTY, readdir, rename
 * of files and directories, over existing names); free counts back to their start after create
 * and delete; read-only mounts and remount; ENOSPC on the small disk; injected allocation
 * failures; and corrupt disks (bad magic, a block pointer out of range) refused cleanly. The
 * corrupting case runs last: it leaves its damage on this boot's copy of the disk. The suite's
 * exit hook unmounts whatever a case left mounted.
 */
#include "kernel/ktest.h"
#include "kernel/rcu/rcu.h"
#include "block/blkdev.h"
#include "fs/ext2/ext2.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/fault_inject.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MNT	"/tmp/ext2t"
#define MNT4	"/tmp/ext2t4"
#define NO_DISK "no virtio-blk disk vda with the ext2 image"

static const char hello[] =
	"Hello from the disk! This file was put on the ext2 image by mke2fs when the kernel was "
	"built.\n";

static uint8_t pattern(uint64_t i, uint32_t seed)
{
	return (uint8_t)((i * 7 + seed + (i >> 10) * 13) ^ (seed >> 8));
}

/* Before each case: the mount points exist. */
static int ext2_case_init(struct ktest *t)
{
	(void)t;
	sys_mkdir(MNT, 0755);
	sys_mkdir(MNT4, 0755);
	return 0;
}

/*
 * After each case, whatever it did: no allocation failure stays armed and neither disk stays
 * mounted (a case that stopped at an ASSERT left it so, and the next case mounts it again).
 * Then waits for the inodes and dentries freed after a grace period: the suites after this one
 * count the allocator's objects.
 */
static void ext2_case_exit(struct ktest *t)
{
	static const char *const mount_points[] = {MNT, MNT4};

	alloc_fail_cancel();
	for (size_t i = 0; i < ARRAY_SIZE(mount_points); i++) {
		int err = sys_umount(mount_points[i]);

		/* -EINVAL: not a mount point, as the case left it. */
		EXPECT_TRUE(t, err == 0 || err == -EINVAL);
	}
	rcu_barrier();
}

/* Mounts vda read-write at MNT; false (and a skip) without the disk. */
static bool mount_vda(struct ktest *t, const char *opts)
{
	if (!blk_get_by_name("vda")) {
		ktest_skip(t, NO_DISK);
		return false;
	}
	return EXPECT_EQ(t, sys_mount("vda", MNT, "ext2", 0, opts), 0);
}

static void umount_vda(struct ktest *t)
{
	EXPECT_EQ(t, sys_umount(MNT), 0);
}

/* Writes size bytes of pattern(seed) to path (created or truncated); 0 or an errno. */
static int write_file(const char *path, uint32_t seed, uint64_t size)
{
	uint8_t *buf = kmalloc(16384);
	int fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), err = 0;

	if (!buf || fd < 0) {
		kfree(buf);
		if (fd >= 0)
			sys_close(fd);
		return buf ? fd : -ENOMEM;
	}
	for (uint64_t off = 0; off < size && !err;) {
		size_t n = (size_t)MIN(16384u, size - off);
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i, seed);
		w = sys_write(fd, buf, n);
		if (w < 0)
			err = (int)w;
		else if ((size_t)w != n)
			err = -ENOSPC;
		off += n;
	}
	sys_close(fd);
	kfree(buf);
	return err;
}

/* True when path holds exactly size bytes of pattern(seed). */
static bool check_file(struct ktest *t, const char *path, uint32_t seed, uint64_t size)
{
	uint8_t *buf = kmalloc(16384);
	int fd = sys_open(path, O_RDONLY, 0);
	uint64_t off = 0;
	bool ok = true;

	if (!EXPECT_GE(t, fd, 0) || !buf) {
		kfree(buf);
		return false;
	}
	for (;;) {
		ssize_t r = sys_read(fd, buf, 16384);

		if (r <= 0) {
			ok = EXPECT_EQ(t, r, 0) && ok;
			break;
		}
		for (ssize_t i = 0; i < r && ok; i++)
			if (buf[i] != pattern(off + (uint64_t)i, seed)) {
				ktest_log(t, "%s: byte %llu is %#x, expected %#x", path,
					  (unsigned long long)(off + (uint64_t)i), buf[i],
					  pattern(off + (uint64_t)i, seed));
				ok = false;
			}
		off += (uint64_t)r;
	}
	sys_close(fd);
	kfree(buf);
	return EXPECT_TRUE(t, ok) && EXPECT_EQ(t, off, size);
}

static ssize_t read_all(const char *path, char *buf, size_t size)
{
	int fd = sys_open(path, O_RDONLY, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = sys_read(fd, buf, size);
	sys_close(fd);
	return n;
}

/* Free blocks and inodes of the ext2 mounted at dir, from its group descriptors. */
static void free_counts(const char *dir, uint32_t *blocks, uint32_t *inodes)
{
	struct path p;
	struct ext2_sb_info *sbi;

	*blocks = *inodes = 0;
	if (kern_path(dir, 0, &p))
		return;
	sbi = EXT2_SB(p.mnt->mnt_sb);
	mutex_lock(&sbi->s_lock);
	for (uint32_t g = 0; g < sbi->groups_count; g++) {
		*blocks += ext2_group_desc(sbi, g, NULL)->bg_free_blocks_count;
		*inodes += ext2_group_desc(sbi, g, NULL)->bg_free_inodes_count;
	}
	mutex_unlock(&sbi->s_lock);
	path_put(&p);
}

static void test_sample_files(struct ktest *t)
{
	char buf[256];
	struct kstat st;

	if (!mount_vda(t, NULL))
		return;
	EXPECT_EQ(t, read_all(MNT "/hello.txt", buf, sizeof(buf)), (ssize_t)strlen(hello));
	buf[strlen(hello)] = '\0';
	EXPECT_STREQ(t, buf, hello);
	EXPECT_EQ(t, sys_stat(MNT "/README", &st), 0);
	EXPECT_TRUE(t, S_ISREG(st.mode));
	EXPECT_GT(t, st.size, 100u);
	EXPECT_EQ(t, sys_stat(MNT "/lost+found", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_EQ(t, sys_stat(MNT "/nosuchfile", &st), -ENOENT);
	EXPECT_EQ(t, sys_open(MNT "/hello.txt/x", O_RDONLY, 0), -ENOTDIR);
	umount_vda(t);
}

/* The n bytes (at most 64) of path at pos read as zeros. */
static void expect_zeros(struct ktest *t, const char *path, uint64_t pos, unsigned int n)
{
	char buf[64];
	int fd = sys_open(path, O_RDONLY, 0);

	if (!EXPECT_GE(t, fd, 0))
		return;
	EXPECT_EQ(t, sys_pread(fd, buf, n, pos), (ssize_t)n);
	for (unsigned int i = 0; i < n; i++)
		EXPECT_EQ(t, buf[i], 0);
	sys_close(fd);
}

static void test_create_write_truncate(struct ktest *t)
{
	uint32_t b0, i0, b1, i1;
	char buf[64];
	struct kstat st;
	int fd;

	if (!mount_vda(t, NULL))
		return;
	free_counts(MNT, &b0, &i0);
	ASSERT_EQ(t, write_file(MNT "/f1", 1, 10000), 0);
	check_file(t, MNT "/f1", 1, 10000);
	EXPECT_EQ(t, sys_stat(MNT "/f1", &st), 0);
	EXPECT_EQ(t, st.size, 10000u);
	/* Extend: the new part reads as zeros. */
	EXPECT_EQ(t, sys_truncate(MNT "/f1", 20000), 0);
	expect_zeros(t, MNT "/f1", 15000, 16);
	/* Shrink mid-block, then extend: the cut-off bytes are zeros, not the old data. */
	EXPECT_EQ(t, sys_truncate(MNT "/f1", 5000), 0);
	check_file(t, MNT "/f1", 1, 5000);
	EXPECT_EQ(t, sys_truncate(MNT "/f1", 6000), 0);
	expect_zeros(t, MNT "/f1", 5000, 16);
	/* Append and a write past the end leaving a hole. */
	fd = sys_open(MNT "/f2", O_WRONLY | O_CREAT | O_APPEND, 0644);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "abc", 3), 3);
	EXPECT_EQ(t, sys_write(fd, "def", 3), 3);
	EXPECT_EQ(t, sys_pwrite(fd, "Z", 1, 100000), 1); /* O_APPEND: goes to the end */
	sys_close(fd);
	EXPECT_EQ(t, read_all(MNT "/f2", buf, sizeof(buf)), 7);
	EXPECT_EQ(t, memcmp(buf, "abcdefZ", 7), 0);
	EXPECT_EQ(t, sys_unlink(MNT "/f1"), 0);
	EXPECT_EQ(t, sys_unlink(MNT "/f2"), 0);
	EXPECT_EQ(t, sys_stat(MNT "/f1", &st), -ENOENT);
	EXPECT_EQ(t, sys_unlink(MNT "/f1"), -ENOENT);
	free_counts(MNT, &b1, &i1);
	EXPECT_EQ(t, b1, b0);
	EXPECT_EQ(t, i1, i0);
	umount_vda(t);
}

/* 300 KiB with 1 KiB blocks: 12 direct, 256 through the indirect block, 32 double-indirect. */
static void test_double_indirect(struct ktest *t)
{
	const uint64_t size = 300 * 1024 + 123;
	uint32_t b0, i0, b1, i1;
	struct kstat st;

	if (!mount_vda(t, NULL))
		return;
	free_counts(MNT, &b0, &i0);
	ASSERT_EQ(t, write_file(MNT "/big", 77, size), 0);
	EXPECT_EQ(t, sys_sync(), 0);
	umount_vda(t); /* drops the page cache: the read below comes from the disk */
	ASSERT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), 0);
	check_file(t, MNT "/big", 77, size);
	free_counts(MNT, &b1, &i1);
	/* 301 data blocks, the indirect block, the double-indirect one and one below it. */
	EXPECT_EQ(t, b0 - b1, 301u + 1 + 2);
	EXPECT_EQ(t, i0 - i1, 1u);
	EXPECT_EQ(t, sys_stat(MNT "/big", &st), 0);
	EXPECT_EQ(t, st.size, size);
	/* Truncate back into the indirect range: the double-indirect blocks go. */
	EXPECT_EQ(t, sys_truncate(MNT "/big", 100 * 1024), 0);
	check_file(t, MNT "/big", 77, 100 * 1024);
	free_counts(MNT, &b1, &i1);
	EXPECT_EQ(t, b0 - b1, 100u + 1);
	EXPECT_EQ(t, sys_unlink(MNT "/big"), 0);
	free_counts(MNT, &b1, &i1);
	EXPECT_EQ(t, b1, b0);
	EXPECT_EQ(t, i1, i0);
	umount_vda(t);
}

struct names {
	struct dir_context ctx;
	char seen[512];
	int count;
};

static bool collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		    umode_t mode)
{
	struct names *n = container_of(ctx, struct names, ctx);

	(void)ino;
	(void)mode;
	if (strlen(n->seen) + len + 2 < sizeof(n->seen)) {
		size_t at = strlen(n->seen);

		n->seen[at] = ' ';
		memcpy(n->seen + at + 1, name, len);
		n->seen[at + 1 + len] = '\0';
	}
	n->count++;
	return true;
}

static int list_dir(const char *path, struct names *n)
{
	int fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0), err;

	memset(n, 0, sizeof(*n));
	n->ctx.actor = collect;
	if (fd < 0)
		return fd;
	err = sys_readdir(fd, &n->ctx);
	sys_close(fd);
	return err;
}

static void test_directories(struct ktest *t)
{
	uint32_t b0, i0, b1, i1;
	struct names *n = kzalloc(sizeof(*n));
	struct kstat st;
	char name[64];

	ASSERT_NOT_NULL(t, n);
	if (!mount_vda(t, NULL)) {
		kfree(n);
		return;
	}
	free_counts(MNT, &b0, &i0);
	EXPECT_EQ(t, sys_mkdir(MNT "/d", 0755), 0);
	EXPECT_EQ(t, sys_mkdir(MNT "/d", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(MNT "/d/e", 0755), 0);
	EXPECT_EQ(t, write_file(MNT "/d/e/f", 5, 3000), 0);
	EXPECT_EQ(t, sys_rmdir(MNT "/d"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_stat(MNT "/d", &st), 0);
	EXPECT_EQ(t, st.nlink, 3u); /* its name, its ".", e's ".." */
	/* 40 names: the directory grows past one 1 KiB block. */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), MNT "/d/a-longer-name-number-%02d", i);
		EXPECT_EQ(t, write_file(name, (uint32_t)i, (uint64_t)i), 0);
	}
	EXPECT_EQ(t, list_dir(MNT "/d", n), 0);
	EXPECT_EQ(t, n->count, 2 + 1 + 40);
	EXPECT_EQ(t, sys_stat(MNT "/d", &st), 0);
	EXPECT_GE(t, st.size, 2048u);
	for (int i = 0; i < 40; i += 2) {
		snprintf(name, sizeof(name), MNT "/d/a-longer-name-number-%02d", i);
		EXPECT_EQ(t, sys_unlink(name), 0);
	}
	EXPECT_EQ(t, list_dir(MNT "/d", n), 0);
	EXPECT_EQ(t, n->count, 2 + 1 + 20);
	/* rename: a file across directories, over an existing file, a directory elsewhere. */
	EXPECT_EQ(t, sys_rename(MNT "/d/e/f", MNT "/d/moved"), 0);
	check_file(t, MNT "/d/moved", 5, 3000);
	EXPECT_EQ(t, sys_rename(MNT "/d/moved", MNT "/d/a-longer-name-number-01"), 0);
	check_file(t, MNT "/d/a-longer-name-number-01", 5, 3000);
	EXPECT_EQ(t, sys_stat(MNT "/d/moved", &st), -ENOENT);
	EXPECT_EQ(t, sys_mkdir(MNT "/d2", 0755), 0);
	EXPECT_EQ(t, sys_rename(MNT "/d/e", MNT "/d2/e"), 0);
	EXPECT_EQ(t, sys_stat(MNT "/d", &st), 0);
	EXPECT_EQ(t, st.nlink, 2u);
	EXPECT_EQ(t, sys_stat(MNT "/d2", &st), 0);
	EXPECT_EQ(t, st.nlink, 3u);
	EXPECT_EQ(t, sys_stat(MNT "/d2/e/..", &st), 0);
	EXPECT_EQ(t, sys_mkdir(MNT "/d2/e/g", 0755), 0);
	EXPECT_EQ(t, sys_rename(MNT "/d2/e", MNT "/d"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(MNT "/d2/e/g"), 0);
	/* Seen again after a remount: the names came from the disk. */
	umount_vda(t);
	ASSERT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), 0);
	EXPECT_EQ(t, list_dir(MNT "/d", n), 0);
	EXPECT_EQ(t, n->count, 2 + 20);
	check_file(t, MNT "/d/a-longer-name-number-01", 5, 3000);
	check_file(t, MNT "/d/a-longer-name-number-39", 39, 39);
	for (int i = 1; i < 40; i += 2) {
		snprintf(name, sizeof(name), MNT "/d/a-longer-name-number-%02d", i);
		EXPECT_EQ(t, sys_unlink(name), 0);
	}
	EXPECT_EQ(t, sys_rmdir(MNT "/d"), 0);
	EXPECT_EQ(t, sys_rmdir(MNT "/d2/e"), 0);
	EXPECT_EQ(t, sys_rmdir(MNT "/d2"), 0);
	free_counts(MNT, &b1, &i1);
	EXPECT_EQ(t, b1, b0);
	EXPECT_EQ(t, i1, i0);
	umount_vda(t);
	kfree(n);
}

static void test_read_only(struct ktest *t)
{
	char buf[256];

	if (!mount_vda(t, "ro"))
		return;
	EXPECT_EQ(t, read_all(MNT "/hello.txt", buf, sizeof(buf)), (ssize_t)strlen(hello));
	EXPECT_EQ(t, sys_open(MNT "/new", O_WRONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_mkdir(MNT "/newdir", 0755), -EROFS);
	EXPECT_EQ(t, sys_unlink(MNT "/hello.txt"), -EROFS);
	EXPECT_EQ(t, sys_mount("vda", MNT "/lost+found", "ext2", 0, NULL), -EBUSY); /* twice */
	umount_vda(t);
	/* rw, then remount,ro of the superblock: writes refused, data kept; then rw again. */
	ASSERT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), 0);
	EXPECT_EQ(t, write_file(MNT "/keep", 9, 5000), 0);
	EXPECT_EQ(t, sys_mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	EXPECT_EQ(t, sys_open(MNT "/new", O_WRONLY | O_CREAT, 0644), -EROFS);
	check_file(t, MNT "/keep", 9, 5000);
	EXPECT_EQ(t, sys_mount(NULL, MNT, NULL, MS_REMOUNT, NULL), 0);
	EXPECT_EQ(t, sys_unlink(MNT "/keep"), 0);
	umount_vda(t);
	/* Linux's names and errors for the source: a path to the device, ENOENT for a name that
	   names nothing, ENOTBLK for one that is no block device. The short "vda" works too. */
	ASSERT_EQ(t, sys_mount("/dev/vda", MNT, "ext2", MS_RDONLY, NULL), 0);
	umount_vda(t);
	EXPECT_EQ(t, sys_mount("nosuchdisk", MNT, "ext2", 0, NULL), -ENOENT);
	EXPECT_EQ(t, sys_mount("/dev/nosuchdisk", MNT, "ext2", 0, NULL), -ENOENT);
	EXPECT_EQ(t, sys_mount("/tmp", MNT, "ext2", 0, NULL), -ENOTBLK);
	EXPECT_EQ(t, sys_mount("vda", MNT, "ext2", 0, "bogus"), -EINVAL);
}

/* The 4 KiB-block disk: a file in every kind of block, then filled to ENOSPC. */
static void test_4k_blocks_and_enospc(struct ktest *t)
{
	uint32_t b0, i0, b1, i1;
	int err, files = 0;
	char name[64];

	if (!blk_get_by_name("vdb"))
		KTEST_SKIP(t, "no second disk vdb (build/disk4k.img)");
	ASSERT_EQ(t, sys_mount("vdb", MNT4, "ext2", 0, NULL), 0);
	free_counts(MNT4, &b0, &i0);
	/* 4 KiB blocks: 12 direct (48 KiB), then 1024 through the indirect block. */
	EXPECT_EQ(t, write_file(MNT4 "/a", 3, 100000), 0);
	check_file(t, MNT4 "/a", 3, 100000);
	/* Fill the disk: ENOSPC, and what was written before it reads back. */
	do {
		snprintf(name, sizeof(name), MNT4 "/fill%d", files++);
		err = write_file(name, (uint32_t)files, 256 * 1024);
	} while (!err && files < 100);
	EXPECT_EQ(t, err, -ENOSPC);
	free_counts(MNT4, &b1, &i1);
	EXPECT_EQ(t, b1, 0u);
	check_file(t, MNT4 "/a", 3, 100000);
	EXPECT_EQ(t, sys_mkdir(MNT4 "/nospace", 0755), -ENOSPC);
	for (int i = 0; i < files; i++) {
		snprintf(name, sizeof(name), MNT4 "/fill%d", i);
		EXPECT_EQ(t, sys_unlink(name), 0);
	}
	EXPECT_EQ(t, sys_unlink(MNT4 "/a"), 0);
	free_counts(MNT4, &b1, &i1);
	EXPECT_EQ(t, b1, b0);
	EXPECT_EQ(t, i1, i0);
	EXPECT_EQ(t, sys_umount(MNT4), 0);
}

/* Each allocation of a create and of a write fails in turn: ENOMEM, and nothing is lost. */
static void test_alloc_failure(struct ktest *t)
{
	uint32_t b0, i0, b1, i1;
	static uint8_t data[8192];
	int fd, failures = 0;

	if (!mount_vda(t, NULL))
		return;
	free_counts(MNT, &b0, &i0);
	for (unsigned int nth = 1; nth < 40; nth++) {
		alloc_fail_inject(nth);
		fd = sys_open(MNT "/inj", O_WRONLY | O_CREAT, 0644);
		alloc_fail_cancel();
		if (fd < 0) {
			EXPECT_EQ(t, fd, -ENOMEM);
			failures++;
			continue;
		}
		sys_close(fd);
		break;
	}
	EXPECT_GT(t, failures, 0);
	fd = sys_open(MNT "/inj", O_WRONLY, 0);
	ASSERT_GE(t, fd, 0);
	for (unsigned int nth = 1; nth < 10; nth++) {
		ssize_t w;

		alloc_fail_inject(nth);
		w = sys_pwrite(fd, data, sizeof(data), 0);
		alloc_fail_cancel();
		EXPECT_TRUE(t, w == -ENOMEM || w == (ssize_t)sizeof(data) || w == 4096);
	}
	sys_close(fd);
	EXPECT_EQ(t, sys_unlink(MNT "/inj"), 0);
	free_counts(MNT, &b1, &i1);
	EXPECT_EQ(t, b1, b0);
	EXPECT_EQ(t, i1, i0);
	umount_vda(t);
}

/* Reads the on-disk inode of ino into raw, and where it is (sector, offset in it). */
static bool find_raw_inode(struct block_device *b, uint32_t ino, uint8_t *sector, uint64_t *sec,
			   uint32_t *off)
{
	struct ext2_super_block *es = kmalloc(1024);
	struct ext2_group_desc *gd = kmalloc(1024);
	uint32_t bs, g, idx, table;
	uint64_t byte;
	bool ok = false;

	if (!es || !gd || blk_read(b, 2, 2, es))
		goto out;
	bs = 1024u << es->s_log_block_size;
	g = (ino - 1) / es->s_inodes_per_group;
	idx = (ino - 1) % es->s_inodes_per_group;
	if (blk_read(b, (uint64_t)(es->s_first_data_block + 1) * (bs / 512), 2, gd))
		goto out;
	table = gd[g].bg_inode_table;
	byte = (uint64_t)table * bs + (uint64_t)idx * es->s_inode_size;
	*sec = byte / 512;
	*off = (uint32_t)(byte % 512);
	ok = !blk_read(b, *sec, 1, sector);
out:
	kfree(es);
	kfree(gd);
	return ok;
}

static void test_corrupt_disk(struct ktest *t)
{
	struct block_device *b = blk_get_by_name("vda");
	uint8_t *sec = kmalloc(512), *saved = kmalloc(512);
	uint64_t isec = 0;
	uint32_t ioff = 0;
	struct kstat st;
	char buf[64];

	if (!b || !sec || !saved) {
		kfree(sec);
		kfree(saved);
		KTEST_SKIP(t, NO_DISK);
	}
	/* Bad magic: refused with EINVAL and a message; the disk is left as it was. */
	ASSERT_EQ(t, blk_read(b, 2, 1, saved), 0);
	memcpy(sec, saved, 512);
	sec[0x38] = 0x12;
	ASSERT_EQ(t, blk_write(b, 2, 1, sec), 0);
	EXPECT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), -EINVAL);
	/* A block count larger than the disk: EUCLEAN. */
	memcpy(sec, saved, 512);
	*(uint32_t *)(sec + 4) = 0x7fffffff;
	ASSERT_EQ(t, blk_write(b, 2, 1, sec), 0);
	EXPECT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), -EUCLEAN);
	/* An unknown incompatible feature (ext4's extents): refused. */
	memcpy(sec, saved, 512);
	*(uint32_t *)(sec + 96) |= 0x40;
	ASSERT_EQ(t, blk_write(b, 2, 1, sec), 0);
	EXPECT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), -EINVAL);
	ASSERT_EQ(t, blk_write(b, 2, 1, saved), 0);

	/* A file whose first block pointer points past the end of the disk. */
	ASSERT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), 0);
	ASSERT_EQ(t, write_file(MNT "/victim", 4, 5000), 0);
	ASSERT_EQ(t, sys_stat(MNT "/victim", &st), 0);
	umount_vda(t);
	ASSERT_TRUE(t, find_raw_inode(b, (uint32_t)st.ino, sec, &isec, &ioff));
	((struct ext2_inode *)(sec + ioff))->i_block[0] = 0x7ffffff0;
	ASSERT_EQ(t, blk_write(b, isec, 1, sec), 0);
	ASSERT_EQ(t, sys_mount("vda", MNT, "ext2", 0, NULL), 0);
	EXPECT_EQ(t, read_all(MNT "/victim", buf, sizeof(buf)), -EUCLEAN);
	EXPECT_EQ(t, sys_unlink(MNT "/victim"), 0);	     /* the bad pointer is not followed */
	EXPECT_EQ(t, read_all(MNT "/hello.txt", buf, 5), 5); /* the rest still works */
	umount_vda(t);
	kfree(sec);
	kfree(saved);
}

KTEST_SUITE_HOOKS(ext2, ext2_case_init, ext2_case_exit, KTEST_CASE(test_sample_files),
		  KTEST_CASE(test_create_write_truncate), KTEST_CASE(test_double_indirect),
		  KTEST_CASE(test_directories), KTEST_CASE(test_read_only),
		  KTEST_CASE(test_4k_blocks_and_enospc), KTEST_CASE(test_alloc_failure),
		  KTEST_CASE(test_corrupt_disk));
