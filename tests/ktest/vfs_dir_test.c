/*
 * KTAP suite "vfs_dir": directories and names through the file system calls, on tmpfs in
 * /tmp/vfs_test (the fixture and its checks: vfs_fixture.h). Files and the page cache are
 * vfs_io_test.c's.
 *
 * mkdir/rmdir and link counts, unlink of an open file (the inode lives until the last close),
 * rmdir of an open directory and of the working directory, rename in all its forms, readdir
 * (it reports "." and ".." first, then the entries in creation order) resumed at ctx->pos,
 * chdir and getcwd.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "fs/syscalls.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static void test_mkdir_rmdir(struct ktest *t)
{
	struct kstat st;

	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/a", 0755), 0);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/a/b/", 0755), 0); /* a trailing slash is fine */
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "//a//b//c", 0755), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a/b/c", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b/c/"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a/b/c", &st), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b/c"), -ENOENT);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a", &st), 0);
	EXPECT_EQ(t, st.nlink, 3u);
	EXPECT_EQ(t, make_file(TEST_DIR "/a/b/f", "f", 1), 0);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/a/b/f"), 0);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a/b"), 0); /* empty once its file went */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a", &st), 0);
	EXPECT_EQ(t, st.nlink, 2u);
	/* A name made again after removal is a new inode. */
	uint64_t old = st.ino;

	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a"), 0);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/a", 0755), 0);
	EXPECT_NE(t, ino_of(TEST_DIR "/a"), old);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/a"), 0);
}

static void test_unlink_an_open_file(struct ktest *t)
{
	uint8_t *buf = kmalloc(6000);
	uint64_t inodes = tmpfs_inodes(TEST_DIR), pages = nr_pagecache_pages();
	struct kstat st;
	int fd, fd2;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 6000, 3);
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 1);
	EXPECT_EQ(t, sys_write(fd, buf, 6000), 6000);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/f"), 0);
	/* The name is gone... */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), -ENOENT);
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/f"), -ENOENT);
	/* ...the file and its data are not, while it is open. */
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 1);
	EXPECT_EQ(t, nr_pagecache_pages(), pages + 2);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_EQ(t, st.size, 6000u);
	memset(buf, 0, 6000);
	EXPECT_EQ(t, sys_pread(fd, buf, 6000, 0), 6000);
	EXPECT_EQ(t, check_pattern(buf, 0, 6000, 3), -1);
	EXPECT_EQ(t, sys_pwrite(fd, "more", 4, 6000), 4);
	/* A new file under the old name is another inode. */
	fd2 = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd2, 0);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 2);
	EXPECT_EQ(t, sys_fstat(fd2, &st), 0);
	EXPECT_EQ(t, st.size, 0u);
	sys_close(fd2);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/f"), 0);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 1);
	/* The last close frees the inode and its pages. */
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
	/* An open file whose name went does not keep its directory from being removed. */
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), 0);
	fd = sys_open(TEST_DIR "/d/g", O_RDWR | O_CREAT, 0644);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "g", 1), 1);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/d/g"), 0);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/d"), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, 10, 0), 1);
	EXPECT_EQ(t, buf[0], 'g');
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 2); /* d and g, both held by the open file */
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes);
out:
	kfree(buf);
}

static void test_rmdir_an_open_and_working_directory(struct ktest *t)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
	if (!EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), 0))
		goto out;
	fd = sys_open(TEST_DIR "/d", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_chdir(TEST_DIR "/d"), 0);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/d"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d", &st), -ENOENT);
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

static void test_rename(struct ktest *t)
{
	uint64_t inodes = tmpfs_inodes(TEST_DIR);
	struct kstat st, top, p;
	char buf[8];
	int fd, fd2;

	ASSERT_EQ(t, make_file(TEST_DIR "/a", "aaa", 3), 0);
	ASSERT_EQ(t, make_file(TEST_DIR "/b", "bbbbbb", 6), 0);
	/* A file over a file: the target's inode goes. */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a", TEST_DIR "/b"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a", &st), -ENOENT);
	EXPECT_TRUE(t, file_is(TEST_DIR "/b", "aaa", 3));
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 1);
	/* The same name, however spelt: nothing happens. */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/b", TEST_DIR "/b"), 0);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/b", TEST_DIR "//./b"), 0);
	EXPECT_TRUE(t, file_is(TEST_DIR "/b", "aaa", 3));
	/* A directory over an empty directory. */
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d1", 0755), 0);
	ASSERT_EQ(t, make_file(TEST_DIR "/d1/x", "x", 1), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d2", 0755), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR, &top), 0);
	EXPECT_EQ(t, top.nlink, 4u);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d1", TEST_DIR "/d2"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d1", &st), -ENOENT);
	EXPECT_TRUE(t, file_is(TEST_DIR "/d2/x", "x", 1));
	EXPECT_EQ(t, sys_stat(TEST_DIR, &top), 0);
	EXPECT_EQ(t, top.nlink, 3u);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes + 3); /* b, d2 (was d1), x */
	/* The refusals: non-empty target, file over directory, directory over file. */
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d3", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d4", 0755), 0);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d4", TEST_DIR "/d2"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/b", TEST_DIR "/d3"), -EISDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d3", TEST_DIR "/b"), -ENOTDIR);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d4", &st), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d3", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_TRUE(t, file_is(TEST_DIR "/b", "aaa", 3));
	EXPECT_TRUE(t, file_is(TEST_DIR "/d2/x", "x", 1));
	/* Into another directory: a file, then a directory (link counts move with it). */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/b", TEST_DIR "/d2/b2"), 0);
	EXPECT_TRUE(t, file_is(TEST_DIR "/d2/b2", "aaa", 3));
	EXPECT_EQ(t, sys_stat(TEST_DIR, &top), 0);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d3", TEST_DIR "/d2/d3"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d2", &p), 0);
	EXPECT_EQ(t, p.nlink, 3u);
	EXPECT_EQ(t, sys_stat(TEST_DIR, &st), 0);
	EXPECT_EQ(t, st.nlink, top.nlink - 1);
	EXPECT_EQ(t, ino_of(TEST_DIR "/d2/d3/.."), p.ino);
	/* And back up, over the empty d4. */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d2/d3", TEST_DIR "/d4"), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d2", &p), 0);
	EXPECT_EQ(t, p.nlink, 2u);
	EXPECT_EQ(t, ino_of(TEST_DIR "/d4/.."), ino_of(TEST_DIR));
	/* An open file keeps its data through a rename, and through being renamed over. */
	fd = sys_open(TEST_DIR "/d2/b2", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d2/b2", TEST_DIR "/z"), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.ino, ino_of(TEST_DIR "/z"));
	EXPECT_EQ(t, make_file(TEST_DIR "/n", "new", 3), 0);
	fd2 = sys_open(TEST_DIR "/n", O_RDONLY, 0);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/n", TEST_DIR "/z"), 0);
	EXPECT_EQ(t, sys_pread(fd, buf, sizeof(buf), 0), 3);
	EXPECT_EQ(t, memcmp(buf, "aaa", 3), 0);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.nlink, 0u);
	EXPECT_TRUE(t, file_is(TEST_DIR "/z", "new", 3));
	EXPECT_EQ(t, sys_fstat(fd2, &st), 0);
	EXPECT_EQ(t, st.ino, ino_of(TEST_DIR "/z"));
	sys_close(fd2);
	uint64_t held = tmpfs_inodes(TEST_DIR);

	sys_close(fd);
	/* The renamed-over file went with its last close. */
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), held - 1);
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
 * TEST_DIR holds f00..f19 but f05, and d0..d2. The first call returns ".", "..", f00, f01,
 * f02; then those three and f10 (not yet returned) are removed. The calls that follow must
 * return every other name exactly once, and not f10.
 */
static void readdir_resume_after_removals(struct ktest *t, struct names *l)
{
	static const char *const gone[] = {"f00", "f01", "f02", "f10"};
	char name[8], path[64];
	int fd = sys_open(TEST_DIR, O_RDONLY | O_DIRECTORY, 0), calls = 1;

	ASSERT_GE(t, fd, 0);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
	l->n = l->in_call = 0;
	l->stop_after = 5;
	EXPECT_EQ(t, sys_readdir(fd, &l->ctx), 0);
	EXPECT_EQ(t, l->n, 5u);
	for (size_t i = 0; i < ARRAY_SIZE(gone); i++) {
		snprintf(path, sizeof(path), TEST_DIR "/%s", gone[i]);
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

static void test_readdir(struct ktest *t)
{
	static const unsigned int per_call[] = {0, 4, 1, 7};
	struct names *l = kzalloc(sizeof(*l));
	char path[64], name[8];

	ASSERT_NOT_NULL(t, l);
	for (int i = 0; i < RD_FILES; i++) {
		snprintf(path, sizeof(path), TEST_DIR "/f%02d", i);
		if (!EXPECT_EQ(t, make_file(path, "", 0), 0))
			goto out;
	}
	for (int i = 0; i < RD_DIRS; i++) {
		snprintf(path, sizeof(path), TEST_DIR "/d%d", i);
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
		int calls = list_dir(TEST_DIR, l, pc);

		EXPECT_EQ(t, calls, pc ? (int)((n + pc - 1) / pc + 1) : 2);
		EXPECT_EQ(t, l->n, n);
		EXPECT_STREQ(t, l->name[0], ".");
		EXPECT_STREQ(t, l->name[1], "..");
		EXPECT_EQ(t, l->ino[0], ino_of(TEST_DIR));
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
			snprintf(path, sizeof(path), TEST_DIR "/%s", name);
			EXPECT_EQ(t, l->ino[at], ino_of(path));
			EXPECT_EQ(t, S_ISDIR(l->mode[at]), dir);
		}
	}
	/* A removed name is no longer listed; an empty directory has only "." and "..". */
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/f05"), 0);
	EXPECT_EQ(t, list_dir(TEST_DIR, l, 3),
		  24 / 3 + 1); /* 19 files, 3 directories, "." and ".." */
	EXPECT_EQ(t, l->n, 24u);
	EXPECT_EQ(t, find_name(l, "f05"), -1);
	EXPECT_EQ(t, find_name(l, "f06"), 7);
	EXPECT_EQ(t, list_dir(TEST_DIR "/d1", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	EXPECT_EQ(t, l->ino[1], ino_of(TEST_DIR));
	readdir_resume_after_removals(t, l);
out:
	kfree(l);
}

static void test_chdir_and_relative_paths(struct ktest *t)
{
	char cwd[64];
	struct kstat st;

	ASSERT_EQ(t, sys_chdir("/"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	ASSERT_EQ(t, sys_chdir(TEST_DIR), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	/* Relative paths start at the working directory. */
	EXPECT_EQ(t, sys_mkdir("sub", 0755), 0);
	EXPECT_EQ(t, make_file("sub/f", "rel", 3), 0);
	EXPECT_TRUE(t, file_is(TEST_DIR "/sub/f", "rel", 3));
	EXPECT_EQ(t, sys_chdir("sub"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR "/sub");
	static const char *const f[] = {"f", "./f", "../sub/f", "..//sub/./f", ".//f"};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		EXPECT_TRUE(t, file_is(f[i], "rel", 3));
	EXPECT_EQ(t, sys_rename("f", "../g"), 0);
	EXPECT_TRUE(t, file_is(TEST_DIR "/g", "rel", 3));
	EXPECT_EQ(t, sys_unlink("../g"), 0);
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	EXPECT_EQ(t, sys_chdir("./sub/.."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	EXPECT_EQ(t, sys_rmdir("sub"), 0);
	/* A buffer one byte short of the path and its NUL, then just enough. */
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(TEST_DIR) - 1), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(TEST_DIR)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	EXPECT_EQ(t, sys_getcwd(cwd, 1), -ENAMETOOLONG);
	/* Failed changes leave it where it was. */
	EXPECT_EQ(t, make_file("file", "", 0), 0);
	EXPECT_EQ(t, sys_chdir("file"), -ENOTDIR);
	EXPECT_EQ(t, sys_chdir("nope"), -ENOENT);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	/* ".." from the root stays at the root. */
	EXPECT_EQ(t, sys_chdir("../../../.."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/");
	EXPECT_EQ(t, sys_stat("tmp/vfs_test/file", &st), 0);
}

KTEST_SUITE_HOOKS(vfs_dir, vfs_case_init, vfs_case_exit, KTEST_CASE(test_mkdir_rmdir),
		  KTEST_CASE(test_unlink_an_open_file),
		  KTEST_CASE(test_rmdir_an_open_and_working_directory), KTEST_CASE(test_rename),
		  KTEST_CASE(test_readdir), KTEST_CASE(test_chdir_and_relative_paths));
