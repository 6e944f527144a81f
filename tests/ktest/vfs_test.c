/*
 * KTAP suite "vfs": path lookup and the errors of the file system calls (fs/syscalls.h), on
 * tmpfs in /tmp/vfs_test (the fixture and its checks: vfs_fixture.h).
 *
 *  - path lookup: repeated and trailing slashes ("file/" is ENOTDIR), "." and "..", ".." at the
 *    namespace root staying there and at a mounted tmpfs's root going back to the directory it
 *    covers, a NAME_MAX name and one byte more, a path of PATH_MAX - 1 bytes and one more, the
 *    empty path;
 *  - every error, from the call that should give it: ENOENT, ENOTDIR, EISDIR, EEXIST,
 *    ENOTEMPTY, EROFS (a tmpfs mounted "ro" and a read-only bind), EBUSY (a mount point),
 *    EINVAL, ENAMETOOLONG, EMFILE (NR_OPEN + 1 opens in a new thread), EXDEV, ENOSPC (tmpfs
 *    "size=16k"), EBADF.
 *
 * vfs_io_test.c (files, directories, the page cache) and vfs_stress_test.c (allocation
 * failures, every CPU at once) hold the other two vfs suites.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
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

/* ---- path lookup -------------------------------------------------------------------------- */

static void test_slashes_dots_and_empty_paths(struct ktest *t)
{
	struct kstat a, b;

	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/a", 0755), 0);
	ASSERT_EQ(t, make_file(TEST_DIR "/a/f", "hello", 5), 0);
	ASSERT_EQ(t, sys_stat(TEST_DIR "/a", &a), 0);
	/* Repeated slashes are one; a trailing slash on a directory is fine. */
	static const char *const same[] = {TEST_DIR "/a/",	  TEST_DIR "/a//",
					   "//tmp///vfs_test//a", TEST_DIR "/./a/./",
					   TEST_DIR "/a/../a",	  TEST_DIR "/../vfs_test/a/."};
	for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
		b.ino = 0;
		EXPECT_EQ(t, sys_stat(same[i], &b), 0);
		EXPECT_EQ(t, b.ino, a.ino);
	}
	EXPECT_EQ(t, sys_stat(TEST_DIR "//a///f", &b), 0);
	EXPECT_EQ(t, b.size, 5u);
	/* A trailing slash, ".", "..", or anything after a regular file: ENOTDIR. */
	static const char *const notdir[] = {TEST_DIR "/a/f/", TEST_DIR "/a/f//", TEST_DIR "/a/f/.",
					     TEST_DIR "/a/f/..", TEST_DIR "/a/f/x"};
	for (size_t i = 0; i < ARRAY_SIZE(notdir); i++)
		EXPECT_EQ(t, sys_stat(notdir[i], &b), -ENOTDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/a/f/", O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/a/f/", O_RDWR | O_CREAT, 0644), -EISDIR); /* as Linux */
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/a/f/"), -ENOTDIR);
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/a/f/", 0), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a/f/", TEST_DIR "/a/g"), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a/f", TEST_DIR "/a/g/"), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a/f", TEST_DIR "/a/f/"), -ENOTDIR);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a/g", &b), -ENOENT);
	EXPECT_TRUE(t, file_is(TEST_DIR "/a/f", "hello", 5));
	/* The empty path names nothing. */
	EXPECT_EQ(t, sys_stat("", &b), -ENOENT);
	EXPECT_EQ(t, sys_open("", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_open("", O_RDWR | O_CREAT, 0644), -ENOENT);
	EXPECT_EQ(t, sys_mkdir("", 0755), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(""), -ENOENT);
	EXPECT_EQ(t, sys_unlink(""), -ENOENT);
	EXPECT_EQ(t, sys_chdir(""), -ENOENT);
	EXPECT_EQ(t, sys_truncate("", 0), -ENOENT);
	EXPECT_EQ(t, sys_rename("", TEST_DIR "/a/g"), -ENOENT);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a/f", ""), -ENOENT);
	/* ".." at the namespace root stays there. */
	ASSERT_EQ(t, sys_stat("/", &a), 0);
	static const char *const root[] = {"/..", "/../..", "/./../.", "/tmp/../..", "//..//"};
	for (size_t i = 0; i < ARRAY_SIZE(root); i++) {
		b.ino = 0;
		EXPECT_EQ(t, sys_stat(root[i], &b), 0);
		EXPECT_EQ(t, b.ino, a.ino);
		EXPECT_EQ(t, b.dev, a.dev);
	}
	EXPECT_EQ(t, ino_of("/../tmp"), ino_of("/tmp"));
	EXPECT_EQ(t, sys_stat(TEST_DIR "/nope/..", &b),
		  -ENOENT); /* ".." does not excuse a missing name */
}

static void test_long_names_and_paths(struct ktest *t)
{
	char *p = kmalloc(PATH_MAX + 64), name[NAME_MAX + 2];
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	if (!p || !l) {
		kfree(p);
		kfree(l);
		ASSERT_TRUE(t, false);
	}
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/a", 0755), 0);
	/* NAME_MAX bytes: a name like any other. */
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	snprintf(p, PATH_MAX, TEST_DIR "/%s", name);
	fd = sys_open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(p, &st), 0);
	if (EXPECT_GT(t, list_dir(TEST_DIR, l, 0), 0)) {
		int i = find_name(l, name);

		EXPECT_GE(t, i, 0);
		EXPECT_EQ(t, strlen(l->name[i < 0 ? 0 : i]), (size_t)NAME_MAX);
	}
	EXPECT_EQ(t, sys_unlink(p), 0);
	/* One byte more: ENAMETOOLONG from every call, last component or not. */
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = '\0';
	snprintf(p, PATH_MAX, TEST_DIR "/%s", name);
	EXPECT_EQ(t, sys_open(p, O_RDWR | O_CREAT, 0644), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_open(p, O_RDONLY, 0), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_mkdir(p, 0755), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_stat(p, &st), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_unlink(p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_rmdir(p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/a", p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a", &st), 0);
	snprintf(p, PATH_MAX, TEST_DIR "/%s/x", name);
	EXPECT_EQ(t, sys_stat(p, &st), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_open(p, O_RDWR | O_CREAT, 0644), -ENAMETOOLONG);
	/* A path of PATH_MAX - 1 bytes (TEST_DIR/a/././...) works; PATH_MAX bytes do not. */
	for (size_t len = PATH_MAX - 1; len <= PATH_MAX; len++) {
		int want = len < PATH_MAX ? 0 : -ENAMETOOLONG;

		strlcpy(p, TEST_DIR "/a", PATH_MAX);
		for (size_t i = strlen(p); i < len; i++)
			p[i] = i % 2 ? '/' : '.';
		p[len] = '\0';
		EXPECT_EQ(t, strlen(p), len);
		st.ino = 0;
		EXPECT_EQ(t, sys_stat(p, &st), want);
		if (!want)
			EXPECT_EQ(t, st.ino, ino_of(TEST_DIR "/a"));
		EXPECT_EQ(t, sys_chdir(p), want);
		EXPECT_EQ(t, sys_chdir("/"), 0);
		/* The same length ending in a new name, through the calls that create. */
		memcpy(p + len - 2, "/x", 2);
		fd = sys_open(p, O_RDWR | O_CREAT, 0644);
		if (want)
			EXPECT_EQ(t, fd, want);
		else
			EXPECT_GE(t, fd, 0);
		if (fd >= 0)
			sys_close(fd);
		EXPECT_EQ(t, sys_unlink(p), want);
		EXPECT_EQ(t, sys_mkdir(p, 0755), want);
		EXPECT_EQ(t, sys_rmdir(p), want);
	}
	EXPECT_EQ(t, sys_stat(TEST_DIR "/a/x", &st), -ENOENT);
	kfree(p);
	kfree(l);
}

static void test_dotdot_at_a_mount_root(struct ktest *t)
{
	struct names *l;
	struct kstat d, m, x;
	char cwd[64];

	ASSERT_EQ(t, sys_stat(TEST_DIR, &d), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/m", 0755), 0);
	ASSERT_EQ(t, sys_mount("vfs_test", TEST_DIR "/m", "tmpfs", 0, ""), 0);
	ASSERT_EQ(t, sys_stat(TEST_DIR "/m", &m), 0);
	EXPECT_NE(t, m.dev, d.dev); /* the new tmpfs's root */
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/m/sub", 0755), 0);
	static const char *const up[] = {TEST_DIR "/m/..", TEST_DIR "/m/sub/../..",
					 TEST_DIR "/m/./sub/..//../.", TEST_DIR "/m/../m/.."};
	for (size_t i = 0; i < ARRAY_SIZE(up); i++) {
		x.ino = 0;
		EXPECT_EQ(t, sys_stat(up[i], &x), 0);
		EXPECT_EQ(t, x.ino, d.ino);
		EXPECT_EQ(t, x.dev, d.dev);
	}
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/sub/..", &x), 0);
	EXPECT_EQ(t, x.ino, m.ino);
	EXPECT_EQ(t, x.dev, m.dev);
	/* The same from a working directory inside the mount. */
	ASSERT_EQ(t, sys_chdir(TEST_DIR "/m/sub"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR "/m/sub");
	EXPECT_EQ(t, sys_stat("../..", &x), 0);
	EXPECT_EQ(t, x.ino, d.ino);
	EXPECT_EQ(t, x.dev, d.dev);
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR "/m");
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, TEST_DIR);
	/* tmpfs's readdir does not cross mounts: ".." of its root is the root itself. */
	l = kzalloc(sizeof(*l));
	if (EXPECT_NOT_NULL(t, l) && EXPECT_EQ(t, list_dir(TEST_DIR "/m", l, 0), 2)) {
		EXPECT_EQ(t, l->n, 3u);
		EXPECT_EQ(t, l->ino[0], m.ino);
		EXPECT_EQ(t, l->ino[1], m.ino);
	}
	kfree(l);
	EXPECT_EQ(t, sys_chdir("/"), 0);
	EXPECT_EQ(t, sys_umount(TEST_DIR "/m"), 0);
	/* Unmounted: TEST_DIR/m is the plain directory again; its ".." is TEST_DIR, on the same
	   device. */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/sub", &x), -ENOENT);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/..", &x), 0);
	EXPECT_EQ(t, x.ino, d.ino);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m", &x), 0);
	EXPECT_EQ(t, x.dev, d.dev);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_enoent_and_enotdir(struct ktest *t)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	if (!EXPECT_EQ(t, make_file(TEST_DIR "/f", "x", 1), 0) ||
	    !EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), 0))
		goto out;
	/* ENOENT: a missing last component, or a missing directory on the way. */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/nope", &st), -ENOENT);
	EXPECT_EQ(t, sys_open(TEST_DIR "/nope", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_open(TEST_DIR "/nope", O_RDWR, 0), -ENOENT);
	EXPECT_EQ(t, sys_open(TEST_DIR "/nope/x", O_RDWR | O_CREAT, 0644), -ENOENT);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/nope/x", 0755), -ENOENT);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/nope", TEST_DIR "/x"), -ENOENT);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/f", TEST_DIR "/nope/x"), -ENOENT);
	EXPECT_EQ(t, sys_chdir(TEST_DIR "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/nope", 0), -ENOENT);
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/nope", &(struct kstatfs){0}), -ENOENT);
	EXPECT_EQ(t, sys_mount("x", TEST_DIR "/nope", "tmpfs", 0, ""), -ENOENT);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/x", &st), -ENOENT); /* the rename made nothing */
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "x", 1));
	/* ENOTDIR: a regular file where a directory must be. */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f/x", &st), -ENOTDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/f/x", O_RDWR | O_CREAT, 0644), -ENOTDIR);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/f/x", 0755), -ENOTDIR);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/f/x"), -ENOTDIR);
	EXPECT_EQ(t, sys_chdir(TEST_DIR "/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d", TEST_DIR "/f"),
		  -ENOTDIR); /* a directory over a file */
	EXPECT_EQ(t, sys_mount("x", TEST_DIR "/f", "tmpfs", 0, ""), -ENOTDIR);
	fd = sys_open(TEST_DIR "/f", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_readdir(fd, &l->ctx), -ENOTDIR);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "x", 1));
out:
	kfree(l);
}

static void test_eisdir_and_eexist(struct ktest *t)
{
	char buf[8];
	struct kstat st;
	int fd;

	ASSERT_EQ(t, make_file(TEST_DIR "/f", "abc", 3), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), 0);
	/* EISDIR: writing to a directory, unlinking it, making it a file. */
	EXPECT_EQ(t, sys_open(TEST_DIR "/d", O_WRONLY, 0), -EISDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/d", O_RDWR, 0), -EISDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/d", O_RDONLY | O_CREAT, 0644), -EISDIR); /* as Linux */
	EXPECT_EQ(t, sys_open(TEST_DIR "/d", O_WRONLY | O_CREAT, 0644), -EISDIR);
	EXPECT_EQ(t, sys_open(TEST_DIR "/new/", O_WRONLY | O_CREAT, 0644), -EISDIR);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/new", &st), -ENOENT);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/d"), -EISDIR);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/d/"), -EISDIR);
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/d", 0), -EISDIR);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/f", TEST_DIR "/d"),
		  -EISDIR); /* a file over a directory */
	fd = sys_open(TEST_DIR "/d", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), -EISDIR);
	EXPECT_EQ(t, sys_pread(fd, buf, sizeof(buf), 0), -EISDIR);
	sys_close(fd);
	/* EEXIST: making what is there. */
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d/", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/f", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d/.", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/d/..", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir("/", 0755), -EEXIST);
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_RDWR | O_CREAT | O_EXCL, 0644), -EEXIST);
	EXPECT_EQ(t, sys_open(TEST_DIR "/d", O_RDONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "abc", 3));
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
}

static void test_enotempty_ebusy_exdev(struct ktest *t)
{
	struct kstat st;

	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/m", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/e", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/full", 0755), 0);
	ASSERT_EQ(t, make_file(TEST_DIR "/full/f", "f", 1), 0);
	ASSERT_EQ(t, make_file(TEST_DIR "/x", "x", 1), 0);
	ASSERT_EQ(t, sys_mount("vfs_busy", TEST_DIR "/m", "tmpfs", 0, NULL), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/m/in", 0755), 0);
	/* ENOTEMPTY: removing, or renaming a directory over, a directory with entries. */
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/full"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/e", TEST_DIR "/full"), -ENOTEMPTY);
	EXPECT_TRUE(t, file_is(TEST_DIR "/full/f", "f", 1));
	EXPECT_EQ(t, sys_stat(TEST_DIR "/e", &st), 0);
	/* EBUSY: a mount point cannot be removed, renamed or renamed over; nor can the root. */
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/m"), -EBUSY);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/m/"), -EBUSY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/m", TEST_DIR "/m2"), -EBUSY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/e", TEST_DIR "/m"), -EBUSY);
	EXPECT_EQ(t, sys_rmdir("/"), -EBUSY);
	EXPECT_EQ(t, sys_rename("/", TEST_DIR "/r"), -EBUSY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/e", "/"), -EBUSY);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/in", &st), 0); /* still mounted */
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m2", &st), -ENOENT);
	/* EXDEV: rename does not cross mounts, either way. */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/x", TEST_DIR "/m/x"), -EXDEV);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/m/in", TEST_DIR "/in"), -EXDEV);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/e", TEST_DIR "/m/e"), -EXDEV);
	EXPECT_TRUE(t, file_is(TEST_DIR "/x", "x", 1));
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/x", &st), -ENOENT);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/m/in", &st), 0);
	/* Unmounted, the directory goes. */
	EXPECT_EQ(t, sys_umount(TEST_DIR "/m"), 0);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/m"), 0);
}

static void test_einval(struct ktest *t)
{
	struct kstat st;
	char buf[4];
	int fd;

	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(TEST_DIR "/d/sub", 0755), 0);
	/* Bad open flags: both write bits. Nothing is created. */
	EXPECT_EQ(t, sys_open(TEST_DIR "/f", O_ACCMODE | O_CREAT, 0644), -EINVAL);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), -ENOENT);
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, "0123456789", 10), 10);
	/* lseek: an unknown whence, or a position below 0; the position stays. */
	EXPECT_EQ(t, sys_lseek(fd, 0, 3), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, 0, -1), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, -11, SEEK_CUR), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, -11, SEEK_END), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, INT64_MAX, SEEK_END), -EINVAL); /* past what int64_t holds */
	EXPECT_EQ(t, sys_lseek(fd, INT64_MAX, SEEK_CUR), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, INT64_MIN, SEEK_END), -EINVAL);
	EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_EQ(t, sys_lseek(fd, -10, SEEK_END), 0);
	EXPECT_EQ(t, sys_read(fd, buf, 4), 4);
	sys_close(fd);
	/* ftruncate needs a descriptor open for writing; truncate a sane size. */
	fd = sys_open(TEST_DIR "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_ftruncate(fd, 0), -EINVAL);
	sys_close(fd);
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/f", 1ULL << 63), -EINVAL);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), 0);
	EXPECT_EQ(t, st.size, 10u);
	/* A directory into itself or below itself. */
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d", TEST_DIR "/d/x"), -EINVAL);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d", TEST_DIR "/d/sub/x"), -EINVAL);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d", TEST_DIR "/d/sub"), -EINVAL);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d/sub", &st), 0);
	/* "." and ".." as the last component of a removal or a rename. */
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/d/."), -EINVAL);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/d/."), -EISDIR);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/d/.."), -EISDIR);
	EXPECT_EQ(t, sys_rmdir(TEST_DIR "/d/sub/.."), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/d/.", TEST_DIR "/y"), -EBUSY);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/f", TEST_DIR "/d/.."), -EBUSY);
	/* Mount options tmpfs does not know. */
	EXPECT_EQ(t, sys_mount("x", TEST_DIR "/d", "tmpfs", 0, "size="), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", TEST_DIR "/d", "tmpfs", 0, "size=12q"), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", TEST_DIR "/d", "tmpfs", 0, "bogus"), -EINVAL);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/d/sub", &st), 0); /* nothing got mounted */
}

static void test_ebadf(struct ktest *t)
{
	static const int bad[] = {-1, NR_OPEN, 1000, -1000};
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	char buf[4];
	int fd;

	ASSERT_NOT_NULL(t, l);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
	fd = sys_open(TEST_DIR "/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	EXPECT_EQ(t, sys_close(fd), 0);
	for (size_t i = 0; i <= ARRAY_SIZE(bad); i++) {
		int b = i < ARRAY_SIZE(bad) ? bad[i] : fd; /* the last: just closed */

		EXPECT_EQ(t, sys_read(b, buf, 1), -EBADF);
		EXPECT_EQ(t, sys_write(b, buf, 1), -EBADF);
		EXPECT_EQ(t, sys_pread(b, buf, 1, 0), -EBADF);
		EXPECT_EQ(t, sys_pwrite(b, buf, 1, 0), -EBADF);
		EXPECT_EQ(t, sys_lseek(b, 0, SEEK_SET), -EBADF);
		EXPECT_EQ(t, sys_fstat(b, &st), -EBADF);
		EXPECT_EQ(t, sys_fsync(b), -EBADF);
		EXPECT_EQ(t, sys_ftruncate(b, 0), -EBADF);
		EXPECT_EQ(t, sys_readdir(b, &l->ctx), -EBADF);
		EXPECT_EQ(t, sys_close(b), -EBADF);
	}
	/* The wrong direction for the access mode. */
	fd = sys_open(TEST_DIR "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_write(fd, "x", 1), -EBADF);
	EXPECT_EQ(t, sys_pwrite(fd, "x", 1, 0), -EBADF);
	sys_close(fd);
	fd = sys_open(TEST_DIR "/f", O_WRONLY, 0);
	EXPECT_EQ(t, sys_read(fd, buf, 1), -EBADF);
	EXPECT_EQ(t, sys_pread(fd, buf, 1, 0), -EBADF);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/f", &st), 0);
	EXPECT_EQ(t, st.size, 0u);
out:
	kfree(l);
}

struct emfile {
	int opened, next, reopened, again, first_err, trunc, creat;
	uint64_t files_full;
};

static int emfile_fn(void *arg)
{
	struct emfile *e = arg;
	int fd = 0;

	/* A new thread: an empty table of NR_OPEN descriptors. One more than fits. */
	for (int i = 0; i <= NR_OPEN; i++) {
		fd = sys_open(TEST_DIR "/f", O_RDONLY, 0);
		if (fd < 0)
			break;
		if (fd != e->opened && !e->first_err)
			e->first_err = fd + 1000; /* not the lowest free descriptor */
		e->opened++;
	}
	e->next = fd;
	e->files_full = nr_files();
	/* A refused open changes nothing: no truncation, no new file. */
	e->trunc = sys_open(TEST_DIR "/f", O_WRONLY | O_TRUNC, 0);
	e->creat = sys_open(TEST_DIR "/new", O_WRONLY | O_CREAT, 0644);
	sys_close(10);
	e->reopened = sys_open(TEST_DIR "/f", O_RDONLY, 0); /* the lowest free: 10 */
	e->again = sys_open(TEST_DIR "/f", O_RDONLY, 0);
	return 0; /* the thread's end closes the NR_OPEN descriptors */
}

static void test_emfile(struct ktest *t)
{
	struct emfile e = {0};
	struct thread *th;
	uint64_t files;

	ASSERT_EQ(t, make_file(TEST_DIR "/f", "x", 1), 0);
	files = nr_files();
	th = kthread_create(emfile_fn, &e, "ktest-emfile");
	ASSERT_NOT_NULL(t, th);
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, e.opened, NR_OPEN);
	EXPECT_EQ(t, e.next, -EMFILE);
	EXPECT_EQ(t, e.first_err, 0);
	EXPECT_EQ(t, e.files_full, files + NR_OPEN); /* the refused open left no file behind */
	EXPECT_EQ(t, e.reopened, 10);
	EXPECT_EQ(t, e.again, -EMFILE);
	EXPECT_EQ(t, e.trunc, -EMFILE);
	EXPECT_EQ(t, e.creat, -EMFILE);
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "x", 1));
	EXPECT_EQ(t, sys_stat(TEST_DIR "/new", &(struct kstat){0}), -ENOENT);
	EXPECT_EQ(t, nr_files(), files);
}

static void test_erofs(struct ktest *t)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	/* A tmpfs mounted read-only refuses every change. */
	if (!EXPECT_EQ(t, sys_mkdir(TEST_DIR "/ro", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mount("vfs_ro", TEST_DIR "/ro", "tmpfs", 0, "ro"), 0))
		goto out;
	EXPECT_EQ(t, sys_stat(TEST_DIR "/ro", &st), 0);
	EXPECT_TRUE(t, st.mnt_readonly);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/ro/x", 0755), -EROFS);
	EXPECT_EQ(t, sys_open(TEST_DIR "/ro/x", O_WRONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_open(TEST_DIR "/ro/x", O_RDONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_open(TEST_DIR "/ro", O_WRONLY, 0), -EISDIR); /* checked first, as Linux */
	/* Readable: just "." and "..". */
	EXPECT_EQ(t, list_dir(TEST_DIR "/ro", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	/* A read-only bind of a writable directory: refused through it, not through the other. */
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/rw", 0755), 0);
	EXPECT_EQ(t, make_file(TEST_DIR "/rw/f", "data", 4), 0);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/rob", 0755), 0);
	if (!EXPECT_EQ(t,
		       sys_mount(TEST_DIR "/rw", TEST_DIR "/rob", NULL, MS_BIND | MS_RDONLY, NULL),
		       0))
		goto out;
	EXPECT_EQ(t, sys_open(TEST_DIR "/rob/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(TEST_DIR "/rob/f", O_RDWR | O_TRUNC, 0), -EROFS);
	EXPECT_EQ(t, sys_truncate(TEST_DIR "/rob/f", 0), -EROFS);
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/rob/f"), -EROFS);
	EXPECT_EQ(t, sys_rename(TEST_DIR "/rob/f", TEST_DIR "/rob/g"), -EROFS);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/rob/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_open(TEST_DIR "/rob/n", O_RDWR | O_CREAT, 0644), -EROFS);
	fd = sys_open(TEST_DIR "/rob/f", O_RDONLY | O_CREAT,
		      0644); /* there already: nothing to write */
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_ftruncate(fd, 0), -EINVAL);
	sys_close(fd);
	EXPECT_TRUE(t, file_is(TEST_DIR "/rob/f", "data", 4));
	EXPECT_EQ(t, make_file(TEST_DIR "/rw/f", "DATA!", 5), 0);
	EXPECT_TRUE(t, file_is(TEST_DIR "/rob/f", "DATA!", 5)); /* the same file */
	EXPECT_EQ(t, sys_umount(TEST_DIR "/rob"), 0);
	EXPECT_EQ(t, sys_umount(TEST_DIR "/ro"), 0);
out:
	kfree(l);
}

static void test_enospc_with_a_size_limit(struct ktest *t)
{
	uint8_t *buf = kmalloc(5 * PAGE_SIZE);
	struct kstatfs sfs;
	struct kstat st;
	int fd = -1;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 5 * PAGE_SIZE, 1);
	if (!EXPECT_EQ(t, sys_mkdir(TEST_DIR "/small", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mount("vfs_small", TEST_DIR "/small", "tmpfs", 0, "size=16k"), 0))
		goto out;
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_blocks, 4u);
	EXPECT_EQ(t, sfs.f_bfree, 4u);
	fd = sys_open(TEST_DIR "/small/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	/* Five pages asked, four fit: a short write, then ENOSPC. */
	EXPECT_EQ(t, sys_write(fd, buf, 5 * PAGE_SIZE), (ssize_t)(4 * PAGE_SIZE));
	EXPECT_EQ(t, sys_write(fd, buf, 1), -ENOSPC);
	EXPECT_EQ(t, sys_pwrite(fd, buf, 1, 1 << 20), -ENOSPC);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, (uint64_t)(4 * PAGE_SIZE));
	EXPECT_EQ(t, st.blocks, (uint64_t)(4 * PAGE_SIZE / 512));
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 0u);
	/* Pages already there can be rewritten; names need no pages. */
	EXPECT_EQ(t, sys_pwrite(fd, "abc", 3, 100), 3);
	EXPECT_EQ(t, make_file(TEST_DIR "/small/empty", "", 0), 0);
	EXPECT_EQ(t, sys_mkdir(TEST_DIR "/small/dir", 0755), 0);
	/* Truncating gives pages back; growing makes a hole, which takes none. */
	EXPECT_EQ(t, sys_ftruncate(fd, PAGE_SIZE + 1), 0);
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 2u);
	EXPECT_EQ(t, sys_ftruncate(fd, 1 << 20), 0);
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 2u);
	EXPECT_EQ(t, sys_pwrite(fd, buf, 3 * PAGE_SIZE, 8 * PAGE_SIZE), (ssize_t)(2 * PAGE_SIZE));
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 1u << 20); /* within the old size */
	EXPECT_EQ(t, st.blocks, (uint64_t)(4 * PAGE_SIZE / 512));
	EXPECT_EQ(t, sys_close(fd), 0);
	fd = -1;
	/* The file gone, its pages are free again. */
	EXPECT_EQ(t, sys_unlink(TEST_DIR "/small/f"), 0);
	EXPECT_EQ(t, sys_statfs(TEST_DIR "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 4u);
	EXPECT_EQ(t, make_file(TEST_DIR "/small/g", buf, 4 * PAGE_SIZE), 0);
out:
	if (fd >= 0)
		sys_close(fd);
	kfree(buf);
}

KTEST_SUITE_HOOKS(vfs, vfs_case_init, vfs_case_exit, KTEST_CASE(test_slashes_dots_and_empty_paths),
		  KTEST_CASE(test_long_names_and_paths), KTEST_CASE(test_dotdot_at_a_mount_root),
		  KTEST_CASE(test_enoent_and_enotdir), KTEST_CASE(test_eisdir_and_eexist),
		  KTEST_CASE(test_enotempty_ebusy_exdev), KTEST_CASE(test_einval),
		  KTEST_CASE(test_ebadf), KTEST_CASE(test_emfile), KTEST_CASE(test_erofs),
		  KTEST_CASE(test_enospc_with_a_size_limit));
