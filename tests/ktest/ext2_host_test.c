/*
 * KTAP suites for the runner's host-side ext2 check (tests/run-tests, group ext2-host). They do
 * their work only when the kernel command line says so, and skip otherwise (ktest=all):
 *
 *   ext2_host (with "ext2script"): on a fresh image made by mke2fs, a fixed script of creates,
 *	writes (one file past the double-indirect threshold), renames, truncates and deletes,
 *	then sync and umount. The runner then runs e2fsck -fn on the image and reads every file
 *	back with debugfs, comparing it with the same pattern computed in Python.
 *   ext2_refuse (with "ext2corrupt"): the image was damaged by the runner (bad magic, or a
 *	block pointer out of range set with debugfs); the mount must fail, or reading the files
 *	must give EUCLEAN or EIO, with no panic.
 *
 * The pattern: byte i of a file with seed s is ((i * 7 + s + (i >> 10) * 13) ^ (s >> 8)) & 255.
 */
#include "kernel/ktest.h"
#include "kernel/rcu/rcu.h"
#include "kernel/cmdline.h"
#include "block/blkdev.h"
#include "fs/syscalls.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HM "/tmp/ext2h"

static uint8_t pattern(uint64_t i, uint32_t seed)
{
	return (uint8_t)((i * 7 + seed + (i >> 10) * 13) ^ (seed >> 8));
}

static int put_file(const char *path, uint32_t seed, uint64_t size)
{
	uint8_t *buf = kmalloc(8192);
	int fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), err = 0;

	if (fd < 0 || !buf) {
		kfree(buf);
		if (fd >= 0)
			sys_close(fd);
		return fd < 0 ? fd : -ENOMEM;
	}
	for (uint64_t off = 0; off < size && !err;) {
		size_t n = (size_t)MIN(8192u, size - off);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i, seed);
		if (sys_write(fd, buf, n) != (ssize_t)n)
			err = -EIO;
		off += n;
	}
	sys_close(fd);
	kfree(buf);
	return err;
}

static void test_host_script(struct ktest *t)
{
	if (!cmdline_has("ext2script"))
		KTEST_SKIP(
			t,
			"only for the runner's ext2-host check (ext2script on the command line)");
	ASSERT_NOT_NULL(t, blk_get_by_name("vda"));
	sys_mkdir(HM, 0755);
	ASSERT_EQ(t, sys_mount("vda", HM, "ext2", 0, NULL), 0);
	EXPECT_EQ(t, sys_mkdir(HM "/a", 0755), 0);
	EXPECT_EQ(t, sys_mkdir(HM "/a/b", 0755), 0);
	EXPECT_EQ(t, put_file(HM "/a/small", 1, 1000), 0);
	EXPECT_EQ(t, put_file(HM "/a/b/big", 2, 300 * 1024 + 17), 0); /* double-indirect */
	EXPECT_EQ(t, put_file(HM "/gone", 3, 5000), 0);
	EXPECT_EQ(t, put_file(HM "/x", 4, 70000), 0);
	EXPECT_EQ(t, put_file(HM "/a/trunc", 5, 50000), 0);
	EXPECT_EQ(t, put_file(HM "/huge", 6, 2 * 1024 * 1024 + 5), 0);
	EXPECT_EQ(t, sys_mkdir(HM "/dead", 0755), 0);
	EXPECT_EQ(t, put_file(HM "/dead/f", 7, 3000), 0);
	EXPECT_EQ(t, sys_sync(), 0); /* some of it on the disk before the rest changes it */
	EXPECT_EQ(t, sys_unlink(HM "/gone"), 0);
	EXPECT_EQ(t, sys_rename(HM "/x", HM "/a/renamed"), 0);
	EXPECT_EQ(t, sys_truncate(HM "/a/trunc", 12345), 0);
	EXPECT_EQ(t, sys_rename(HM "/a/b", HM "/b2"), 0);
	EXPECT_EQ(t, sys_unlink(HM "/dead/f"), 0);
	EXPECT_EQ(t, sys_rmdir(HM "/dead"), 0);
	EXPECT_EQ(t, put_file(HM "/a/small2", 8, 1), 0);
	EXPECT_EQ(t, sys_rename(HM "/a/small2", HM "/a/small"), 0); /* over an existing file */
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, sys_umount(HM), 0);
	rcu_barrier();
}

/* Reads every file in dir (one level down into directories); counts the errors seen. */
static int read_everything(const char *dir, int depth);

struct walk {
	struct dir_context ctx;
	char names[16][64];
	bool is_dir[16];
	int n;
};

static bool walk_actor(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		       umode_t mode)
{
	struct walk *w = container_of(ctx, struct walk, ctx);

	(void)ino;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (w->n < 16 && len < 63) {
		memcpy(w->names[w->n], name, len);
		w->names[w->n][len] = '\0';
		w->is_dir[w->n++] = S_ISDIR(mode);
	}
	return true;
}

static int read_everything(const char *dir, int depth)
{
	struct walk *w = kzalloc(sizeof(*w));
	char *path = kmalloc(256), *buf = kmalloc(4096);
	int fd, errors = 0;

	if (!w || !path || !buf)
		goto out;
	w->ctx.actor = walk_actor;
	fd = sys_open(dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || sys_readdir(fd, &w->ctx) < 0)
		errors++;
	if (fd >= 0)
		sys_close(fd);
	for (int i = 0; i < w->n; i++) {
		strlcpy(path, dir, 256);
		strlcat(path, "/", 256);
		strlcat(path, w->names[i], 256);
		if (w->is_dir[i]) {
			if (depth < 2)
				errors += read_everything(path, depth + 1);
			continue;
		}
		fd = sys_open(path, O_RDONLY, 0);
		if (fd < 0) {
			errors++;
			continue;
		}
		for (;;) {
			ssize_t r = sys_read(fd, buf, 4096);

			if (r < 0)
				errors++;
			if (r <= 0)
				break;
		}
		sys_close(fd);
	}
out:
	kfree(w);
	kfree(path);
	kfree(buf);
	return errors;
}

static void test_corrupt_refused(struct ktest *t)
{
	int err;

	if (!cmdline_has("ext2corrupt"))
		KTEST_SKIP(
			t,
			"only for the runner's corrupt images (ext2corrupt on the command line)");
	ASSERT_NOT_NULL(t, blk_get_by_name("vda"));
	sys_mkdir(HM, 0755);
	err = sys_mount("vda", HM, "ext2", 0, NULL);
	if (err) {
		ktest_log(t, "mount refused: %d", err);
		EXPECT_TRUE(t, err == -EINVAL || err == -EUCLEAN || err == -EIO);
		return;
	}
	ktest_log(t, "mounted; reading every file");
	EXPECT_GT(t, read_everything(HM, 0), 0);
	EXPECT_EQ(t, sys_umount(HM), 0);
}

KTEST_SUITE(ext2_host, KTEST_CASE(test_host_script));
KTEST_SUITE(ext2_refuse, KTEST_CASE(test_corrupt_refused));
