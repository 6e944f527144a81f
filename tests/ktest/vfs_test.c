/*
 * KTAP suite "vfs": the file system calls of fs/syscalls.h on tmpfs, in /tmp/vfs_test.
 *
 *  - path lookup: repeated and trailing slashes ("file/" is ENOTDIR), "." and "..", ".." at the
 *    namespace root staying there and at a mounted tmpfs's root going back to the directory it
 *    covers, a NAME_MAX name and one byte more, a path of PATH_MAX - 1 bytes and one more, the
 *    empty path;
 *  - every error, from the call that should give it: ENOENT, ENOTDIR, EISDIR, EEXIST,
 *    ENOTEMPTY, EROFS (a tmpfs mounted "ro" and a read-only bind), EBUSY (a mount point),
 *    EINVAL, ENAMETOOLONG, EMFILE (NR_OPEN + 1 opens in a new thread), EXDEV, ENOSPC (tmpfs
 *    "size=16k"), EBADF;
 *  - open flags, read/write/lseek with holes, pread/pwrite, the fields of stat, mkdir/rmdir
 *    and link counts, unlink of an open file (the inode lives until the last close), rmdir of
 *    an open directory and of the working directory, rename in all its forms, readdir (it
 *    reports "." and ".." first, then the entries in creation order) resumed at ctx->pos,
 *    truncate down and up (what was cut reads as zeros), fsync, chdir and getcwd;
 *  - the page cache: a file of several pages written and read in odd chunks, and a sparse
 *    file whose indices need four levels of the radix tree, truncated;
 *  - an allocation failure injected at each allocation in turn of open (a new and an existing
 *    file), mkdir and write: -ENOMEM (write: a short write once a page is in), and no file,
 *    inode, dentry, page, object or mount writer left behind;
 *  - a thread per CPU creating, writing, reading back, renaming and unlinking its own files in
 *    one directory (and racing for O_EXCL names) while another lists and looks it up.
 *
 * Each case runs in a fresh /tmp/vfs_test (in_test_dir) that is removed afterwards, with any
 * mount under it, any descriptor the case left open and the working directory restored even
 * when the case stopped early; then open files, inodes, dentries, page-cache pages and mounts
 * must be back where they were.
 */
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

#define D "/tmp/vfs_test"

/* ---- counting what the VFS holds --------------------------------------------------------- */

struct counts {
	uint64_t files, inodes, dentries, pagecache, mounts;
};

static struct counts counts_now(void)
{
	rcu_barrier(); /* unmounted mounts are freed after a grace period */
	return (struct counts){nr_files(), nr_inodes(), nr_dentries(), nr_pagecache_pages(),
			       mnt_count_stats().mounts_alive};
}

static void expect_counts(struct ktest *t, const struct counts *before)
{
	struct counts now = counts_now();

	EXPECT_EQ(t, now.files, before->files);
	EXPECT_EQ(t, now.inodes, before->inodes);
	EXPECT_EQ(t, now.dentries, before->dentries);
	EXPECT_EQ(t, now.pagecache, before->pagecache);
	EXPECT_EQ(t, now.mounts, before->mounts);
}


/* Free pages plus the slabs' pages: what neither the page cache nor a leak holds. */
static uint64_t pages_not_leaked(void)
{
	struct kmem_cache *c;
	uint64_t n = 0;
	unsigned long flags;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		n += c->slabs;
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return n + nr_free_pages();
}

/* Pages the tmpfs holding path charges against its size limit. */
static uint64_t tmpfs_used(const char *path)
{
	struct kstatfs st;

	if (sys_statfs(path, &st))
		return ~0ULL;
	return st.f_blocks - st.f_bfree;
}

static uint64_t tmpfs_inodes(const char *path)
{
	struct kstatfs st;

	return sys_statfs(path, &st) ? ~0ULL : st.f_files;
}

/* ---- directory listing -------------------------------------------------------------------- */

#define MAX_NAMES 48

struct names {
	struct dir_context ctx;
	unsigned int n;		 /* entries seen */
	unsigned int stop_after; /* the actor says stop after this many per call; 0: never */
	unsigned int in_call;
	char name[MAX_NAMES][NAME_MAX + 1];
	umode_t mode[MAX_NAMES];
	uint64_t ino[MAX_NAMES];
};

static bool collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		    umode_t mode)
{
	struct names *l = container_of(ctx, struct names, ctx);

	if (l->stop_after && l->in_call == l->stop_after)
		return false;
	l->in_call++;
	if (l->n < MAX_NAMES) {
		memcpy(l->name[l->n], name, len);
		l->name[l->n][len] = '\0';
		l->mode[l->n] = mode;
		l->ino[l->n] = ino;
	}
	l->n++;
	return true;
}

/*
 * Lists the directory at path into l, calling readdir until a call adds nothing. Returns the
 * number of readdir calls, or a negative errno.
 */
static int list_dir(const char *path, struct names *l, unsigned int stop_after)
{
	int fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0), calls = 0, err = 0;

	if (fd < 0)
		return fd;
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = collect;
	l->n = 0;
	l->stop_after = stop_after;
	while (calls < 1000) {
		unsigned int before = l->n;

		l->in_call = 0;
		err = sys_readdir(fd, &l->ctx);
		calls++;
		if (err || l->n == before)
			break;
	}
	sys_close(fd);
	return err ? err : calls;
}

static int find_name(const struct names *l, const char *name)
{
	for (unsigned int i = 0; i < l->n && i < MAX_NAMES; i++)
		if (!strcmp(l->name[i], name))
			return (int)i;
	return -1;
}

/* Removes path and everything below it, unmounting what is mounted there first. */
static int rm_rf(const char *path)
{
	struct names *l;
	struct kstat st;
	char *child;
	int err = sys_stat(path, &st), passes = 0;

	if (err)
		return err;
	if (!S_ISDIR(st.mode))
		return sys_unlink(path);
	while (sys_umount(path) == 0)
		;
	l = kzalloc(sizeof(*l));
	child = kmalloc(PATH_MAX);
	if (!l || !child) {
		kfree(l);
		kfree(child);
		return -ENOMEM;
	}
	while (passes++ < 100 && list_dir(path, l, 0) > 0 && l->n > 2) {
		for (unsigned int i = 2; i < l->n && i < MAX_NAMES; i++) {
			snprintf(child, PATH_MAX, "%s/%s", path, l->name[i]);
			rm_rf(child);
		}
	}
	kfree(l);
	kfree(child);
	return sys_rmdir(path);
}

/* ---- the fixture -------------------------------------------------------------------------- */

/*
 * Runs body in a new, empty D and removes it afterwards with whatever body left: mounts, open
 * descriptors, a working directory elsewhere, an armed allocation failure. Then everything
 * the VFS counts must be back.
 */
static void in_test_dir(struct ktest *t, void (*body)(struct ktest *t))
{
	bool was_open[NR_OPEN];
	struct counts before;
	struct kstat st;
	struct path pwd;
	int fd;

	/* The descriptor table and fs_struct of this thread exist from here on. */
	fd = sys_open("/", O_RDONLY, 0);
	if (fd >= 0)
		sys_close(fd);
	get_fs_pwd(&pwd);
	set_fs_pwd(&pwd);
	if (sys_stat(D, &st) == 0)
		rm_rf(D); /* left by a run that died */
	before = counts_now();
	for (int i = 0; i < NR_OPEN; i++) {
		struct file *f = fget(i);

		was_open[i] = f != NULL;
		if (f)
			fput(f);
	}
	if (EXPECT_EQ(t, sys_mkdir(D, 0755), 0))
		body(t);
	alloc_fail_cancel();
	for (int i = 0; i < NR_OPEN; i++)
		if (!was_open[i])
			sys_close(i);
	set_fs_pwd(&pwd);
	path_put(&pwd);
	EXPECT_EQ(t, rm_rf(D), 0);
	EXPECT_EQ(t, sys_stat(D, &st), -ENOENT);
	expect_counts(t, &before);
}

#define VFS_CASE(name)                                                                             \
	static void name##_body(struct ktest *t);                                                  \
	static void name(struct ktest *t)                                                          \
	{                                                                                          \
		in_test_dir(t, name##_body);                                                       \
	}                                                                                          \
	static void name##_body(struct ktest *t)

/* ---- helpers ------------------------------------------------------------------------------ */

static int make_file(const char *path, const void *data, size_t n)
{
	int fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t w;

	if (fd < 0)
		return fd;
	w = sys_write(fd, data, n);
	sys_close(fd);
	return w == (ssize_t)n ? 0 : (w < 0 ? (int)w : -EIO);
}

/* Reads up to n bytes of path from offset 0; the count or a negative errno. */
static ssize_t read_file(const char *path, void *buf, size_t n)
{
	int fd = sys_open(path, O_RDONLY, 0);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = sys_pread(fd, buf, n, 0);
	sys_close(fd);
	return r;
}

/* True when path holds exactly the n bytes at want. */
static bool file_is(const char *path, const void *want, size_t n)
{
	char buf[64];

	if (n > sizeof(buf) - 1)
		return false;
	return read_file(path, buf, sizeof(buf)) == (ssize_t)n && !memcmp(buf, want, n);
}

static uint8_t pattern(uint64_t off, unsigned int seed)
{
	return (uint8_t)(off * 131 + (off >> 12) * 17 + seed * 29 + 1);
}

static void fill(uint8_t *buf, uint64_t off, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(off + i, seed);
}

/* The index of the first byte of buf that is not the pattern, or -1. */
static long check_pattern(const uint8_t *buf, uint64_t off, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(off + i, seed))
			return (long)i;
	return -1;
}

static bool all_zero(const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

static uint64_t ino_of(const char *path)
{
	struct kstat st;

	return sys_stat(path, &st) ? 0 : st.ino;
}

/* ---- path lookup -------------------------------------------------------------------------- */

VFS_CASE(test_slashes_dots_and_empty_paths)
{
	struct kstat a, b;

	ASSERT_EQ(t, sys_mkdir(D "/a", 0755), 0);
	ASSERT_EQ(t, make_file(D "/a/f", "hello", 5), 0);
	ASSERT_EQ(t, sys_stat(D "/a", &a), 0);
	/* Repeated slashes are one; a trailing slash on a directory is fine. */
	static const char *const same[] = {D "/a/",	D "/a//",    "//tmp///vfs_test//a",
					   D "/./a/./", D "/a/../a", D "/../vfs_test/a/."};
	for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
		b.ino = 0;
		EXPECT_EQ(t, sys_stat(same[i], &b), 0);
		EXPECT_EQ(t, b.ino, a.ino);
	}
	EXPECT_EQ(t, sys_stat(D "//a///f", &b), 0);
	EXPECT_EQ(t, b.size, 5u);
	/* A trailing slash, ".", "..", or anything after a regular file: ENOTDIR. */
	static const char *const notdir[] = {D "/a/f/", D "/a/f//", D "/a/f/.", D "/a/f/..",
					     D "/a/f/x"};
	for (size_t i = 0; i < ARRAY_SIZE(notdir); i++)
		EXPECT_EQ(t, sys_stat(notdir[i], &b), -ENOTDIR);
	EXPECT_EQ(t, sys_open(D "/a/f/", O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(t, sys_open(D "/a/f/", O_RDWR | O_CREAT, 0644), -EISDIR); /* as Linux */
	EXPECT_EQ(t, sys_unlink(D "/a/f/"), -ENOTDIR);
	EXPECT_EQ(t, sys_truncate(D "/a/f/", 0), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(D "/a/f/", D "/a/g"), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(D "/a/f", D "/a/g/"), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(D "/a/f", D "/a/f/"), -ENOTDIR);
	EXPECT_EQ(t, sys_stat(D "/a/g", &b), -ENOENT);
	EXPECT_TRUE(t, file_is(D "/a/f", "hello", 5));
	/* The empty path names nothing. */
	EXPECT_EQ(t, sys_stat("", &b), -ENOENT);
	EXPECT_EQ(t, sys_open("", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_open("", O_RDWR | O_CREAT, 0644), -ENOENT);
	EXPECT_EQ(t, sys_mkdir("", 0755), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(""), -ENOENT);
	EXPECT_EQ(t, sys_unlink(""), -ENOENT);
	EXPECT_EQ(t, sys_chdir(""), -ENOENT);
	EXPECT_EQ(t, sys_truncate("", 0), -ENOENT);
	EXPECT_EQ(t, sys_rename("", D "/a/g"), -ENOENT);
	EXPECT_EQ(t, sys_rename(D "/a/f", ""), -ENOENT);
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
	EXPECT_EQ(t, sys_stat(D "/nope/..", &b), -ENOENT); /* ".." does not excuse a missing name */
}

VFS_CASE(test_long_names_and_paths)
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
	ASSERT_EQ(t, sys_mkdir(D "/a", 0755), 0);
	/* NAME_MAX bytes: a name like any other. */
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	snprintf(p, PATH_MAX, D "/%s", name);
	fd = sys_open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
	EXPECT_GE(t, fd, 0);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(p, &st), 0);
	if (EXPECT_GT(t, list_dir(D, l, 0), 0)) {
		int i = find_name(l, name);

		EXPECT_GE(t, i, 0);
		EXPECT_EQ(t, strlen(l->name[i < 0 ? 0 : i]), (size_t)NAME_MAX);
	}
	EXPECT_EQ(t, sys_unlink(p), 0);
	/* One byte more: ENAMETOOLONG from every call, last component or not. */
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = '\0';
	snprintf(p, PATH_MAX, D "/%s", name);
	EXPECT_EQ(t, sys_open(p, O_RDWR | O_CREAT, 0644), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_open(p, O_RDONLY, 0), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_mkdir(p, 0755), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_stat(p, &st), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_unlink(p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_rmdir(p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_rename(D "/a", p), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_stat(D "/a", &st), 0);
	snprintf(p, PATH_MAX, D "/%s/x", name);
	EXPECT_EQ(t, sys_stat(p, &st), -ENAMETOOLONG);
	EXPECT_EQ(t, sys_open(p, O_RDWR | O_CREAT, 0644), -ENAMETOOLONG);
	/* A path of PATH_MAX - 1 bytes (D/a/././...) works; PATH_MAX bytes do not. */
	for (size_t len = PATH_MAX - 1; len <= PATH_MAX; len++) {
		int want = len < PATH_MAX ? 0 : -ENAMETOOLONG;

		strlcpy(p, D "/a", PATH_MAX);
		for (size_t i = strlen(p); i < len; i++)
			p[i] = i % 2 ? '/' : '.';
		p[len] = '\0';
		EXPECT_EQ(t, strlen(p), len);
		st.ino = 0;
		EXPECT_EQ(t, sys_stat(p, &st), want);
		if (!want)
			EXPECT_EQ(t, st.ino, ino_of(D "/a"));
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
	EXPECT_EQ(t, sys_stat(D "/a/x", &st), -ENOENT);
	kfree(p);
	kfree(l);
}

VFS_CASE(test_dotdot_at_a_mount_root)
{
	struct names *l;
	struct kstat d, m, x;
	char cwd[64];

	ASSERT_EQ(t, sys_stat(D, &d), 0);
	ASSERT_EQ(t, sys_mkdir(D "/m", 0755), 0);
	ASSERT_EQ(t, sys_mount("vfs_test", D "/m", "tmpfs", 0, ""), 0);
	ASSERT_EQ(t, sys_stat(D "/m", &m), 0);
	EXPECT_NE(t, m.dev, d.dev); /* the new tmpfs's root */
	ASSERT_EQ(t, sys_mkdir(D "/m/sub", 0755), 0);
	static const char *const up[] = {D "/m/..", D "/m/sub/../..", D "/m/./sub/..//../.",
					 D "/m/../m/.."};
	for (size_t i = 0; i < ARRAY_SIZE(up); i++) {
		x.ino = 0;
		EXPECT_EQ(t, sys_stat(up[i], &x), 0);
		EXPECT_EQ(t, x.ino, d.ino);
		EXPECT_EQ(t, x.dev, d.dev);
	}
	EXPECT_EQ(t, sys_stat(D "/m/sub/..", &x), 0);
	EXPECT_EQ(t, x.ino, m.ino);
	EXPECT_EQ(t, x.dev, m.dev);
	/* The same from a working directory inside the mount. */
	ASSERT_EQ(t, sys_chdir(D "/m/sub"), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D "/m/sub");
	EXPECT_EQ(t, sys_stat("../..", &x), 0);
	EXPECT_EQ(t, x.ino, d.ino);
	EXPECT_EQ(t, x.dev, d.dev);
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D "/m");
	EXPECT_EQ(t, sys_chdir(".."), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, D);
	/* tmpfs's readdir does not cross mounts: ".." of its root is the root itself. */
	l = kzalloc(sizeof(*l));
	if (EXPECT_NOT_NULL(t, l) && EXPECT_EQ(t, list_dir(D "/m", l, 0), 2)) {
		EXPECT_EQ(t, l->n, 3u);
		EXPECT_EQ(t, l->ino[0], m.ino);
		EXPECT_EQ(t, l->ino[1], m.ino);
	}
	kfree(l);
	EXPECT_EQ(t, sys_chdir("/"), 0);
	EXPECT_EQ(t, sys_umount(D "/m"), 0);
	/* Unmounted: D/m is the plain directory again, ".." of it is D on the same device. */
	EXPECT_EQ(t, sys_stat(D "/m/sub", &x), -ENOENT);
	EXPECT_EQ(t, sys_stat(D "/m/..", &x), 0);
	EXPECT_EQ(t, x.ino, d.ino);
	EXPECT_EQ(t, sys_stat(D "/m", &x), 0);
	EXPECT_EQ(t, x.dev, d.dev);
}

/* ---- errors ------------------------------------------------------------------------------- */

VFS_CASE(test_enoent_and_enotdir)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	if (!EXPECT_EQ(t, make_file(D "/f", "x", 1), 0) ||
	    !EXPECT_EQ(t, sys_mkdir(D "/d", 0755), 0))
		goto out;
	/* ENOENT: a missing last component, or a missing directory on the way. */
	EXPECT_EQ(t, sys_stat(D "/nope", &st), -ENOENT);
	EXPECT_EQ(t, sys_open(D "/nope", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_open(D "/nope", O_RDWR, 0), -ENOENT);
	EXPECT_EQ(t, sys_open(D "/nope/x", O_RDWR | O_CREAT, 0644), -ENOENT);
	EXPECT_EQ(t, sys_mkdir(D "/nope/x", 0755), -ENOENT);
	EXPECT_EQ(t, sys_unlink(D "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(D "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_rename(D "/nope", D "/x"), -ENOENT);
	EXPECT_EQ(t, sys_rename(D "/f", D "/nope/x"), -ENOENT);
	EXPECT_EQ(t, sys_chdir(D "/nope"), -ENOENT);
	EXPECT_EQ(t, sys_truncate(D "/nope", 0), -ENOENT);
	EXPECT_EQ(t, sys_statfs(D "/nope", &(struct kstatfs){0}), -ENOENT);
	EXPECT_EQ(t, sys_mount("x", D "/nope", "tmpfs", 0, ""), -ENOENT);
	EXPECT_EQ(t, sys_stat(D "/x", &st), -ENOENT); /* the rename made nothing */
	EXPECT_TRUE(t, file_is(D "/f", "x", 1));
	/* ENOTDIR: a regular file where a directory must be. */
	EXPECT_EQ(t, sys_stat(D "/f/x", &st), -ENOTDIR);
	EXPECT_EQ(t, sys_open(D "/f/x", O_RDWR | O_CREAT, 0644), -ENOTDIR);
	EXPECT_EQ(t, sys_mkdir(D "/f/x", 0755), -ENOTDIR);
	EXPECT_EQ(t, sys_rmdir(D "/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_unlink(D "/f/x"), -ENOTDIR);
	EXPECT_EQ(t, sys_chdir(D "/f"), -ENOTDIR);
	EXPECT_EQ(t, sys_open(D "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	EXPECT_EQ(t, sys_rename(D "/d", D "/f"), -ENOTDIR); /* a directory over a file */
	EXPECT_EQ(t, sys_mount("x", D "/f", "tmpfs", 0, ""), -ENOTDIR);
	fd = sys_open(D "/f", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_readdir(fd, &l->ctx), -ENOTDIR);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(D "/d", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
	EXPECT_TRUE(t, file_is(D "/f", "x", 1));
out:
	kfree(l);
}

VFS_CASE(test_eisdir_and_eexist)
{
	char buf[8];
	struct kstat st;
	int fd;

	ASSERT_EQ(t, make_file(D "/f", "abc", 3), 0);
	ASSERT_EQ(t, sys_mkdir(D "/d", 0755), 0);
	/* EISDIR: writing to a directory, unlinking it, making it a file. */
	EXPECT_EQ(t, sys_open(D "/d", O_WRONLY, 0), -EISDIR);
	EXPECT_EQ(t, sys_open(D "/d", O_RDWR, 0), -EISDIR);
	EXPECT_EQ(t, sys_open(D "/d", O_RDONLY | O_CREAT, 0644), -EISDIR); /* as Linux */
	EXPECT_EQ(t, sys_open(D "/d", O_WRONLY | O_CREAT, 0644), -EISDIR);
	EXPECT_EQ(t, sys_open(D "/new/", O_WRONLY | O_CREAT, 0644), -EISDIR);
	EXPECT_EQ(t, sys_stat(D "/new", &st), -ENOENT);
	EXPECT_EQ(t, sys_unlink(D "/d"), -EISDIR);
	EXPECT_EQ(t, sys_unlink(D "/d/"), -EISDIR);
	EXPECT_EQ(t, sys_truncate(D "/d", 0), -EISDIR);
	EXPECT_EQ(t, sys_rename(D "/f", D "/d"), -EISDIR); /* a file over a directory */
	fd = sys_open(D "/d", O_RDONLY, 0);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), -EISDIR);
	EXPECT_EQ(t, sys_pread(fd, buf, sizeof(buf), 0), -EISDIR);
	sys_close(fd);
	/* EEXIST: making what is there. */
	EXPECT_EQ(t, sys_mkdir(D "/d", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(D "/d/", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(D "/f", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(D "/d/.", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir(D "/d/..", 0755), -EEXIST);
	EXPECT_EQ(t, sys_mkdir("/", 0755), -EEXIST);
	EXPECT_EQ(t, sys_open(D "/f", O_RDWR | O_CREAT | O_EXCL, 0644), -EEXIST);
	EXPECT_EQ(t, sys_open(D "/d", O_RDONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	EXPECT_TRUE(t, file_is(D "/f", "abc", 3));
	EXPECT_EQ(t, sys_stat(D "/d", &st), 0);
	EXPECT_TRUE(t, S_ISDIR(st.mode));
}

VFS_CASE(test_enotempty_ebusy_exdev)
{
	struct kstat st;

	ASSERT_EQ(t, sys_mkdir(D "/m", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(D "/e", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(D "/full", 0755), 0);
	ASSERT_EQ(t, make_file(D "/full/f", "f", 1), 0);
	ASSERT_EQ(t, make_file(D "/x", "x", 1), 0);
	ASSERT_EQ(t, sys_mount("vfs_busy", D "/m", "tmpfs", 0, NULL), 0);
	ASSERT_EQ(t, sys_mkdir(D "/m/in", 0755), 0);
	/* ENOTEMPTY: removing, or renaming a directory over, a directory with entries. */
	EXPECT_EQ(t, sys_rmdir(D "/full"), -ENOTEMPTY);
	EXPECT_EQ(t, sys_rename(D "/e", D "/full"), -ENOTEMPTY);
	EXPECT_TRUE(t, file_is(D "/full/f", "f", 1));
	EXPECT_EQ(t, sys_stat(D "/e", &st), 0);
	/* EBUSY: a mount point cannot be removed, renamed or renamed over; nor can the root. */
	EXPECT_EQ(t, sys_rmdir(D "/m"), -EBUSY);
	EXPECT_EQ(t, sys_rmdir(D "/m/"), -EBUSY);
	EXPECT_EQ(t, sys_rename(D "/m", D "/m2"), -EBUSY);
	EXPECT_EQ(t, sys_rename(D "/e", D "/m"), -EBUSY);
	EXPECT_EQ(t, sys_rmdir("/"), -EBUSY);
	EXPECT_EQ(t, sys_rename("/", D "/r"), -EBUSY);
	EXPECT_EQ(t, sys_rename(D "/e", "/"), -EBUSY);
	EXPECT_EQ(t, sys_stat(D "/m/in", &st), 0); /* still mounted */
	EXPECT_EQ(t, sys_stat(D "/m2", &st), -ENOENT);
	/* EXDEV: rename does not cross mounts, either way. */
	EXPECT_EQ(t, sys_rename(D "/x", D "/m/x"), -EXDEV);
	EXPECT_EQ(t, sys_rename(D "/m/in", D "/in"), -EXDEV);
	EXPECT_EQ(t, sys_rename(D "/e", D "/m/e"), -EXDEV);
	EXPECT_TRUE(t, file_is(D "/x", "x", 1));
	EXPECT_EQ(t, sys_stat(D "/m/x", &st), -ENOENT);
	EXPECT_EQ(t, sys_stat(D "/m/in", &st), 0);
	/* Unmounted, the directory goes. */
	EXPECT_EQ(t, sys_umount(D "/m"), 0);
	EXPECT_EQ(t, sys_rmdir(D "/m"), 0);
}

VFS_CASE(test_einval)
{
	struct kstat st;
	char buf[4];
	int fd;

	ASSERT_EQ(t, sys_mkdir(D "/d", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(D "/d/sub", 0755), 0);
	/* Bad open flags: both write bits. Nothing is created. */
	EXPECT_EQ(t, sys_open(D "/f", O_ACCMODE | O_CREAT, 0644), -EINVAL);
	EXPECT_EQ(t, sys_stat(D "/f", &st), -ENOENT);
	fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644);
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
	fd = sys_open(D "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_ftruncate(fd, 0), -EINVAL);
	sys_close(fd);
	EXPECT_EQ(t, sys_truncate(D "/f", 1ULL << 63), -EINVAL);
	EXPECT_EQ(t, sys_stat(D "/f", &st), 0);
	EXPECT_EQ(t, st.size, 10u);
	/* A directory into itself or below itself. */
	EXPECT_EQ(t, sys_rename(D "/d", D "/d/x"), -EINVAL);
	EXPECT_EQ(t, sys_rename(D "/d", D "/d/sub/x"), -EINVAL);
	EXPECT_EQ(t, sys_rename(D "/d", D "/d/sub"), -EINVAL);
	EXPECT_EQ(t, sys_stat(D "/d/sub", &st), 0);
	/* "." and ".." as the last component of a removal or a rename. */
	EXPECT_EQ(t, sys_rmdir(D "/d/."), -EINVAL);
	EXPECT_EQ(t, sys_rmdir(D "/d/sub/.."), -EINVAL);
	EXPECT_EQ(t, sys_rename(D "/d/.", D "/y"), -EINVAL);
	EXPECT_EQ(t, sys_rename(D "/f", D "/d/.."), -EINVAL);
	/* Mount options tmpfs does not know. */
	EXPECT_EQ(t, sys_mount("x", D "/d", "tmpfs", 0, "size="), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", D "/d", "tmpfs", 0, "size=12q"), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", D "/d", "tmpfs", 0, "bogus"), -EINVAL);
	EXPECT_EQ(t, sys_stat(D "/d/sub", &st), 0); /* nothing got mounted */
}

VFS_CASE(test_ebadf)
{
	static const int bad[] = {-1, NR_OPEN, 1000, -1000};
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	char buf[4];
	int fd;

	ASSERT_NOT_NULL(t, l);
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = collect;
	fd = sys_open(D "/f", O_RDWR | O_CREAT, 0644);
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
	fd = sys_open(D "/f", O_RDONLY, 0);
	EXPECT_EQ(t, sys_write(fd, "x", 1), -EBADF);
	EXPECT_EQ(t, sys_pwrite(fd, "x", 1, 0), -EBADF);
	sys_close(fd);
	fd = sys_open(D "/f", O_WRONLY, 0);
	EXPECT_EQ(t, sys_read(fd, buf, 1), -EBADF);
	EXPECT_EQ(t, sys_pread(fd, buf, 1, 0), -EBADF);
	sys_close(fd);
	EXPECT_EQ(t, sys_stat(D "/f", &st), 0);
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
		fd = sys_open(D "/f", O_RDONLY, 0);
		if (fd < 0)
			break;
		if (fd != e->opened && !e->first_err)
			e->first_err = fd + 1000; /* not the lowest free descriptor */
		e->opened++;
	}
	e->next = fd;
	e->files_full = nr_files();
	/* A refused open changes nothing: no truncation, no new file. */
	e->trunc = sys_open(D "/f", O_WRONLY | O_TRUNC, 0);
	e->creat = sys_open(D "/new", O_WRONLY | O_CREAT, 0644);
	sys_close(10);
	e->reopened = sys_open(D "/f", O_RDONLY, 0); /* the lowest free: 10 */
	e->again = sys_open(D "/f", O_RDONLY, 0);
	return 0; /* the thread's end closes the NR_OPEN descriptors */
}

VFS_CASE(test_emfile)
{
	struct emfile e = {0};
	struct thread *th;
	uint64_t files;

	ASSERT_EQ(t, make_file(D "/f", "x", 1), 0);
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
	EXPECT_TRUE(t, file_is(D "/f", "x", 1));
	EXPECT_EQ(t, sys_stat(D "/new", &(struct kstat){0}), -ENOENT);
	EXPECT_EQ(t, nr_files(), files);
}

VFS_CASE(test_erofs)
{
	struct names *l = kzalloc(sizeof(*l));
	struct kstat st;
	int fd;

	ASSERT_NOT_NULL(t, l);
	/* A tmpfs mounted read-only refuses every change. */
	if (!EXPECT_EQ(t, sys_mkdir(D "/ro", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mount("vfs_ro", D "/ro", "tmpfs", 0, "ro"), 0))
		goto out;
	EXPECT_EQ(t, sys_stat(D "/ro", &st), 0);
	EXPECT_TRUE(t, st.mnt_readonly);
	EXPECT_EQ(t, sys_mkdir(D "/ro/x", 0755), -EROFS);
	EXPECT_EQ(t, sys_open(D "/ro/x", O_WRONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_open(D "/ro/x", O_RDONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_open(D "/ro", O_WRONLY, 0), -EISDIR); /* checked first, as Linux */
	/* Readable: just "." and "..". */
	EXPECT_EQ(t, list_dir(D "/ro", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	/* A read-only bind of a writable directory: refused through it, not through the other. */
	EXPECT_EQ(t, sys_mkdir(D "/rw", 0755), 0);
	EXPECT_EQ(t, make_file(D "/rw/f", "data", 4), 0);
	EXPECT_EQ(t, sys_mkdir(D "/rob", 0755), 0);
	if (!EXPECT_EQ(t, sys_mount(D "/rw", D "/rob", NULL, MS_BIND | MS_RDONLY, NULL), 0))
		goto out;
	EXPECT_EQ(t, sys_open(D "/rob/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(D "/rob/f", O_RDWR | O_TRUNC, 0), -EROFS);
	EXPECT_EQ(t, sys_truncate(D "/rob/f", 0), -EROFS);
	EXPECT_EQ(t, sys_unlink(D "/rob/f"), -EROFS);
	EXPECT_EQ(t, sys_rename(D "/rob/f", D "/rob/g"), -EROFS);
	EXPECT_EQ(t, sys_mkdir(D "/rob/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_open(D "/rob/n", O_RDWR | O_CREAT, 0644), -EROFS);
	fd = sys_open(D "/rob/f", O_RDONLY | O_CREAT, 0644); /* there already: nothing to write */
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_ftruncate(fd, 0), -EINVAL);
	sys_close(fd);
	EXPECT_TRUE(t, file_is(D "/rob/f", "data", 4));
	EXPECT_EQ(t, make_file(D "/rw/f", "DATA!", 5), 0);
	EXPECT_TRUE(t, file_is(D "/rob/f", "DATA!", 5)); /* the same file */
	EXPECT_EQ(t, sys_umount(D "/rob"), 0);
	EXPECT_EQ(t, sys_umount(D "/ro"), 0);
out:
	kfree(l);
}

VFS_CASE(test_enospc_with_a_size_limit)
{
	uint8_t *buf = kmalloc(5 * PAGE_SIZE);
	struct kstatfs sfs;
	struct kstat st;
	int fd = -1;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, 0, 5 * PAGE_SIZE, 1);
	if (!EXPECT_EQ(t, sys_mkdir(D "/small", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mount("vfs_small", D "/small", "tmpfs", 0, "size=16k"), 0))
		goto out;
	EXPECT_EQ(t, sys_statfs(D "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_blocks, 4u);
	EXPECT_EQ(t, sfs.f_bfree, 4u);
	fd = sys_open(D "/small/f", O_RDWR | O_CREAT, 0644);
	if (!EXPECT_GE(t, fd, 0))
		goto out;
	/* Five pages asked, four fit: a short write, then ENOSPC. */
	EXPECT_EQ(t, sys_write(fd, buf, 5 * PAGE_SIZE), (ssize_t)(4 * PAGE_SIZE));
	EXPECT_EQ(t, sys_write(fd, buf, 1), -ENOSPC);
	EXPECT_EQ(t, sys_pwrite(fd, buf, 1, 1 << 20), -ENOSPC);
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, (uint64_t)(4 * PAGE_SIZE));
	EXPECT_EQ(t, st.blocks, (uint64_t)(4 * PAGE_SIZE / 512));
	EXPECT_EQ(t, sys_statfs(D "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 0u);
	/* Pages already there can be rewritten; names need no pages. */
	EXPECT_EQ(t, sys_pwrite(fd, "abc", 3, 100), 3);
	EXPECT_EQ(t, make_file(D "/small/empty", "", 0), 0);
	EXPECT_EQ(t, sys_mkdir(D "/small/dir", 0755), 0);
	/* Truncating gives pages back; growing makes a hole, which takes none. */
	EXPECT_EQ(t, sys_ftruncate(fd, PAGE_SIZE + 1), 0);
	EXPECT_EQ(t, sys_statfs(D "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 2u);
	EXPECT_EQ(t, sys_ftruncate(fd, 1 << 20), 0);
	EXPECT_EQ(t, sys_statfs(D "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 2u);
	EXPECT_EQ(t, sys_pwrite(fd, buf, 3 * PAGE_SIZE, 8 * PAGE_SIZE), (ssize_t)(2 * PAGE_SIZE));
	EXPECT_EQ(t, sys_fstat(fd, &st), 0);
	EXPECT_EQ(t, st.size, 1u << 20); /* within the old size */
	EXPECT_EQ(t, st.blocks, (uint64_t)(4 * PAGE_SIZE / 512));
	EXPECT_EQ(t, sys_close(fd), 0);
	fd = -1;
	/* The file gone, its pages are free again. */
	EXPECT_EQ(t, sys_unlink(D "/small/f"), 0);
	EXPECT_EQ(t, sys_statfs(D "/small", &sfs), 0);
	EXPECT_EQ(t, sfs.f_bfree, 4u);
	EXPECT_EQ(t, make_file(D "/small/g", buf, 4 * PAGE_SIZE), 0);
out:
	if (fd >= 0)
		sys_close(fd);
	kfree(buf);
}

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
	l->ctx.actor = collect;
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
	l->ctx.actor = collect;
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

/* ---- allocation failures ------------------------------------------------------------------ */

struct mem {
	uint64_t objects, pages, files, inodes, dentries, pagecache, used, tmpfs_inodes;
	int writers;
};

static struct vfsmount *root_mnt(void)
{
	struct path root;

	fs_root_noref(&root);
	return root.mnt;
}

static struct mem mem_now(void)
{
	rcu_barrier();
	return (struct mem){slab_objects_in_use(), pages_not_leaked(), nr_files(),
			    nr_inodes(),      nr_dentries(),	  nr_pagecache_pages(),
			    tmpfs_used(D),    tmpfs_inodes(D),	  mnt_get_writers(root_mnt())};
}

static bool expect_mem(struct ktest *t, const struct mem *m, unsigned int nth)
{
	struct mem now = mem_now();
	bool ok = true;

	ok &= EXPECT_EQ(t, now.objects, m->objects);
	ok &= EXPECT_EQ(t, now.pages, m->pages);
	ok &= EXPECT_EQ(t, now.files, m->files);
	ok &= EXPECT_EQ(t, now.inodes, m->inodes);
	ok &= EXPECT_EQ(t, now.dentries, m->dentries);
	ok &= EXPECT_EQ(t, now.pagecache, m->pagecache);
	ok &= EXPECT_EQ(t, now.used, m->used);
	ok &= EXPECT_EQ(t, now.tmpfs_inodes, m->tmpfs_inodes);
	ok &= EXPECT_EQ(t, now.writers, m->writers);
	if (!ok)
		ktest_log(t, "after failing allocation %u", nth);
	return ok;
}

#define MAX_NTH 40

/*
 * open(O_CREAT) of a new name fails at each allocation in turn: the dentry, the inode, the
 * struct file. sys_open creates before it allocates the struct file, so when that allocation
 * is the one that fails, the new file stays behind, empty (Linux allocates the file first; a
 * failure after its create, in the open itself, leaves the file too). Nothing else remains.
 */
VFS_CASE(test_enomem_in_open_create)
{
	unsigned int nth, made = 0;
	struct kstat st;

	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		unsigned long injected = alloc_fail_injected();
		int fd;

		alloc_fail_inject(nth);
		fd = sys_open(D "/new", O_RDWR | O_CREAT | O_EXCL, 0644);
		alloc_fail_cancel();
		if (fd >= 0) {
			EXPECT_EQ(t, alloc_fail_injected(), injected);
			EXPECT_EQ(t, sys_close(fd), 0);
			EXPECT_EQ(t, sys_unlink(D "/new"), 0);
			break;
		}
		EXPECT_EQ(t, fd, -ENOMEM);
		EXPECT_EQ(t, alloc_fail_injected(), injected + 1);
		if (sys_stat(D "/new", &st) == 0) {
			made++;
			EXPECT_EQ(t, st.size, 0u);
			EXPECT_EQ(t, sys_unlink(D "/new"), 0);
		}
		if (!expect_mem(t, &m, nth))
			break;
	}
	ktest_log(t, "open(O_CREAT) succeeded with allocation %u failing; %u left the file", nth,
		  made);
	EXPECT_GE(t, nth, 4u); /* dentry, inode, file: three sites */
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
	EXPECT_LE(t, made, 1u);
}

VFS_CASE(test_enomem_in_open_existing)
{
	unsigned int nth;

	ASSERT_EQ(t, make_file(D "/f", "data", 4), 0);
	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		unsigned long injected = alloc_fail_injected();
		int fd;

		alloc_fail_inject(nth);
		fd = sys_open(D "/f", O_RDWR, 0);
		alloc_fail_cancel();
		if (fd >= 0) {
			EXPECT_EQ(t, alloc_fail_injected(), injected);
			EXPECT_EQ(t, sys_close(fd), 0);
			break;
		}
		EXPECT_EQ(t, fd, -ENOMEM);
		if (!expect_mem(t, &m, nth)) /* the mount's writer count included */
			break;
	}
	EXPECT_GE(t, nth, 2u);
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
	EXPECT_TRUE(t, file_is(D "/f", "data", 4));
}

VFS_CASE(test_enomem_in_mkdir)
{
	unsigned int nth;
	struct kstat st;

	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		int err;

		alloc_fail_inject(nth);
		err = sys_mkdir(D "/dir", 0755);
		alloc_fail_cancel();
		if (!err)
			break;
		EXPECT_EQ(t, err, -ENOMEM);
		EXPECT_EQ(t, sys_stat(D "/dir", &st), -ENOENT);
		if (!expect_mem(t, &m, nth))
			break;
	}
	EXPECT_GE(t, nth, 3u); /* dentry, inode */
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
	EXPECT_EQ(t, sys_stat(D "/dir", &st), 0);
	EXPECT_EQ(t, st.nlink, 2u);
	EXPECT_EQ(t, sys_stat(D, &st), 0);
	EXPECT_EQ(t, st.nlink, 3u); /* counted once, not once per failed try */
}

/*
 * write of three pages into a new file fails at each allocation in turn (each page, the radix
 * nodes): -ENOMEM when no byte went in, else a short write of whole pages; the size, the pages
 * held and the tmpfs's page count agree with what was written, and once the file is gone
 * nothing is left. Done at offset 0 and across index 4096 (where the tree needs a third level).
 */
static void enomem_write_at(struct ktest *t, uint64_t pos, unsigned int *sites)
{
	const size_t len = 3 * PAGE_SIZE;
	uint8_t *buf = kmalloc(len);
	unsigned int nth;

	ASSERT_NOT_NULL(t, buf);
	fill(buf, pos, len, 7);
	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		int fd = sys_open(D "/w", O_RDWR | O_CREAT | O_EXCL, 0644);
		uint64_t used = tmpfs_used(D);
		struct kstat st;
		ssize_t w;

		if (!EXPECT_GE(t, fd, 0))
			break;
		alloc_fail_inject(nth);
		w = sys_pwrite(fd, buf, len, pos);
		alloc_fail_cancel();
		EXPECT_EQ(t, sys_fstat(fd, &st), 0);
		if (w == -ENOMEM) {
			EXPECT_EQ(t, st.size, 0u);
			EXPECT_EQ(t, st.blocks, 0u);
		} else {
			uint8_t *back = kmalloc(len);

			EXPECT_GT(t, w, 0);
			EXPECT_LE(t, w, (ssize_t)len);
			EXPECT_EQ(t, st.size, pos + (uint64_t)w);
			if (back) {
				EXPECT_EQ(t, sys_pread(fd, back, len, pos), w);
				EXPECT_EQ(t, check_pattern(back, pos, (size_t)w, 7), -1);
				kfree(back);
			}
		}
		EXPECT_EQ(t, tmpfs_used(D), used + st.blocks / (PAGE_SIZE / 512));
		EXPECT_EQ(t, sys_close(fd), 0);
		EXPECT_EQ(t, sys_unlink(D "/w"), 0);
		if (!expect_mem(t, &m, nth) || w == (ssize_t)len)
			break;
	}
	*sites = nth - 1;
	kfree(buf);
}

VFS_CASE(test_enomem_in_write)
{
	unsigned int low = 0, high = 0;

	enomem_write_at(t, 0, &low);
	enomem_write_at(t, 4096 * PAGE_SIZE - 100, &high);
	ktest_log(t, "allocation sites failed: %u at offset 0, %u across index 4096", low, high);
	EXPECT_GE(t, low, 4u);	 /* three pages and the root node */
	EXPECT_GT(t, high, low); /* and more nodes */
	EXPECT_LT(t, high, (unsigned int)MAX_NTH - 1);
}

/* ---- every CPU at once -------------------------------------------------------------------- */

#define RACE_ITERS 100 /* per CPU */
#define RACE_EXCL  16  /* names every thread tries to make with O_EXCL */
#define RACE_MAX   5000

struct race {
	volatile bool stop;
	atomic_t errors;
	volatile int first_bad_line;
	atomic_t excl_wins[RACE_EXCL];
	atomic64_t listings, seen, looked_up;
};

#define RACE_CHECK(r, cond)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			atomic_inc(&(r)->errors);                                                  \
			if (!(r)->first_bad_line)                                                  \
				(r)->first_bad_line = __LINE__;                                    \
		}                                                                                  \
	} while (0)

static int race_worker(void *arg)
{
	struct race *r = arg;
	unsigned int cpu = smp_processor_id();
	uint8_t *buf = kmalloc(RACE_MAX), *back = kmalloc(RACE_MAX);
	char a[48], b[48];

	RACE_CHECK(r, buf && back);
	for (unsigned int i = 0; buf && back && i < RACE_ITERS; i++) {
		size_t n = 1 + (i * 523 + cpu * 97) % RACE_MAX;
		unsigned int seed = cpu * 1000 + i;
		struct kstat st;
		int fd;

		snprintf(a, sizeof(a), D "/race/w%u_%u", cpu, i % 3);
		snprintf(b, sizeof(b), i % 4 == 3 ? D "/race/sub/r%u_%u" : D "/race/r%u_%u", cpu,
			 i % 5);
		fill(buf, 0, n, seed);
		fd = sys_open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
		RACE_CHECK(r, fd >= 0);
		if (fd < 0)
			continue;
		RACE_CHECK(r, sys_write(fd, buf, n) == (ssize_t)n);
		RACE_CHECK(r, sys_pread(fd, back, n, 0) == (ssize_t)n);
		RACE_CHECK(r, check_pattern(back, 0, n, seed) == -1);
		RACE_CHECK(r, sys_close(fd) == 0);
		RACE_CHECK(r, sys_rename(a, b) == 0);
		RACE_CHECK(r, sys_stat(a, &st) == -ENOENT);
		RACE_CHECK(r, sys_stat(b, &st) == 0 && st.size == n && S_ISREG(st.mode));
		RACE_CHECK(r, read_file(b, back, RACE_MAX) == (ssize_t)n);
		RACE_CHECK(r, check_pattern(back, 0, n, seed) == -1);
		RACE_CHECK(r, sys_unlink(b) == 0);
		if (i < RACE_EXCL) {
			snprintf(a, sizeof(a), D "/race/x%u", i);
			fd = sys_open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
			RACE_CHECK(r, fd >= 0 || fd == -EEXIST);
			if (fd >= 0) {
				atomic_inc(&r->excl_wins[i]);
				sys_close(fd);
			}
		}
	}
	kfree(buf);
	kfree(back);
	return 0;
}

/* Lists the shared directory and looks up what it finds, until the workers are done. */
static int race_lister(void *arg)
{
	struct race *r = arg;
	struct names *l = kzalloc(sizeof(*l));
	char path[48 + NAME_MAX];

	RACE_CHECK(r, l != NULL);
	while (l && !READ_ONCE(r->stop)) {
		struct kstat st;
		int calls = list_dir(D "/race", l, 5);

		RACE_CHECK(r, calls > 0);
		RACE_CHECK(r, l->n >= 3 && !strcmp(l->name[0], ".") && !strcmp(l->name[1], ".."));
		atomic64_inc(&r->listings);
		for (unsigned int i = 2; i < l->n && i < MAX_NAMES; i++) {
			const char *name = l->name[i];
			int err;

			RACE_CHECK(r, name[0] == 'w' || name[0] == 'r' || name[0] == 'x' ||
					      !strcmp(name, "sub"));
			snprintf(path, sizeof(path), D "/race/%s", name);
			err = sys_stat(path, &st); /* it may have gone since */
			RACE_CHECK(r, err == 0 || err == -ENOENT);
			if (!err && name[0] != 's')
				RACE_CHECK(r, S_ISREG(st.mode) && st.size <= RACE_MAX);
			atomic64_inc(&r->seen);
		}
		RACE_CHECK(r, sys_stat(D "/race/never", &st) == -ENOENT);
		RACE_CHECK(r, sys_stat(D "/race/sub/..", &st) == 0 && S_ISDIR(st.mode));
		atomic64_inc(&r->looked_up);
	}
	kfree(l);
	return 0;
}

VFS_CASE(test_every_cpu_in_one_directory)
{
	static struct race r;
	struct thread *w[NR_CPUS] = {0}, *lister;
	struct names *l = kzalloc(sizeof(*l));
	uint64_t inodes, pages;
	unsigned int cpu, started = 0;
	char path[48];

	ASSERT_NOT_NULL(t, l);
	memset((void *)&r, 0, sizeof(r));
	if (!EXPECT_EQ(t, sys_mkdir(D "/race", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mkdir(D "/race/sub", 0755), 0))
		goto out;
	inodes = tmpfs_inodes(D);
	pages = nr_pagecache_pages();
	lister = kthread_run(race_lister, &r, "ktest-vfs-ls");
	if (!EXPECT_NOT_NULL(t, lister))
		goto out;
	for_each_cpu(cpu, &cpu_online_mask) {
		w[cpu] = kthread_create(race_worker, &r, "ktest-vfs/%u", cpu);
		if (!EXPECT_NOT_NULL(t, w[cpu]))
			break;
		kthread_bind(w[cpu], cpu);
		wake_up_new_thread(w[cpu]);
		started++;
	}
	for_each_cpu(cpu, &cpu_online_mask)
		if (w[cpu])
			EXPECT_EQ(t, kthread_join(w[cpu]), 0);
	WRITE_ONCE(r.stop, true);
	EXPECT_EQ(t, kthread_join(lister), 0);
	ktest_log(t, "%u threads x %u files; %lld listings saw %lld names", started, RACE_ITERS,
		  (long long)atomic64_read(&r.listings), (long long)atomic64_read(&r.seen));
	if (!EXPECT_EQ(t, atomic_read(&r.errors), 0))
		ktest_log(t, "first failed check at line %d", r.first_bad_line);
	EXPECT_GT(t, atomic64_read(&r.listings), 0);
	/* Each O_EXCL name was made by exactly one thread. */
	for (unsigned int k = 0; k < RACE_EXCL; k++) {
		EXPECT_EQ(t, atomic_read(&r.excl_wins[k]), 1);
		snprintf(path, sizeof(path), D "/race/x%u", k);
		EXPECT_EQ(t, sys_unlink(path), 0);
	}
	/* What is left: the subdirectory, empty; the counts where they started. */
	EXPECT_EQ(t, list_dir(D "/race", l, 0), 2);
	EXPECT_EQ(t, l->n, 3u);
	EXPECT_EQ(t, find_name(l, "sub"), 2);
	EXPECT_EQ(t, list_dir(D "/race/sub", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	EXPECT_EQ(t, tmpfs_inodes(D), inodes);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
out:
	kfree(l);
}

KTEST_SUITE(vfs, KTEST_CASE(test_slashes_dots_and_empty_paths),
	    KTEST_CASE(test_long_names_and_paths), KTEST_CASE(test_dotdot_at_a_mount_root),
	    KTEST_CASE(test_enoent_and_enotdir), KTEST_CASE(test_eisdir_and_eexist),
	    KTEST_CASE(test_enotempty_ebusy_exdev), KTEST_CASE(test_einval), KTEST_CASE(test_ebadf),
	    KTEST_CASE(test_emfile), KTEST_CASE(test_erofs),
	    KTEST_CASE(test_enospc_with_a_size_limit), KTEST_CASE(test_open_flags),
	    KTEST_CASE(test_read_write_lseek), KTEST_CASE(test_pread_pwrite),
	    KTEST_CASE(test_stat_fields), KTEST_CASE(test_mkdir_rmdir),
	    KTEST_CASE(test_unlink_an_open_file),
	    KTEST_CASE(test_rmdir_an_open_and_working_directory), KTEST_CASE(test_rename),
	    KTEST_CASE(test_readdir), KTEST_CASE(test_truncate), KTEST_CASE(test_fsync),
	    KTEST_CASE(test_chdir_and_relative_paths), KTEST_CASE(test_page_cache_odd_chunks),
	    KTEST_CASE(test_sparse_file_and_radix_levels), KTEST_CASE(test_enomem_in_open_create),
	    KTEST_CASE(test_enomem_in_open_existing), KTEST_CASE(test_enomem_in_mkdir),
	    KTEST_CASE(test_enomem_in_write), KTEST_CASE(test_every_cpu_in_one_directory));
