/*
 * KTAP suite "mount": the mount tree, per-CPU writer counts (seed 1) and longterm mounts
 * (seed 2). It checks that:
 *
 *  - a read-only bind mount refuses every write (open for writing, O_CREAT, mkdir, unlink,
 *    rmdir, rename, truncate) with EROFS while the original mount of the same tmpfs takes
 *    them, and that what the original writes is read through the bind;
 *  - remount,ro of a mount fails with EBUSY while a file is open for writing and leaves the
 *    mount writable; after the close it succeeds, writes fail with EROFS, remount rw undoes
 *    it; remount,ro of the superblock fails while a writer holds any mount of it (a bind) and
 *    once it succeeds every mount of it refuses writes;
 *  - a write reference taken on one CPU and dropped on another leaves +1 and -1 in the two
 *    CPUs' counters and a sum of 0 (every writer-count mode sums to 0);
 *  - each writer-count mode (percpu, atomic, seed-cache) refuses remount,ro while any writer
 *    holds; seed-cache keeps both sums right with two mounts used in turn on one CPU;
 *  - the mounts torture (fs/mount_torture.c, for a second) finds no writer behind a successful
 *    remount,ro, and does find them when the mount counts no writers (WRITERS_NONE);
 *  - umount fails with EBUSY for an open file, a mount on top, a working directory inside,
 *    with EINVAL for a directory that is not a mount point, and ".." at a mount's root leads
 *    to the directory under it;
 *  - mntput of longterm mounts (kern_mount, clone_private_mount) on every CPU never takes the
 *    global mount lock, of a detached mount always; kern_unmount_array of 16 mounts waits one
 *    grace period and frees all 16; NULL entries are fine; a mount referenced from another CPU
 *    is freed only by that CPU's last mntput;
 *  - an allocation failure in mount (new tmpfs, bind) and open, at each allocation in turn,
 *    gives ENOMEM and leaves no mount, file, slab object, page or write reference behind;
 *  - bad mount calls get their own errors (EINVAL, ENODEV, ENOTDIR, ENOENT);
 *  - a bind of a read-only mount is read-only.
 *
 * Every case works under /tmp/mount_test, made at its start and taken apart at its end
 * (mounts included) even when a check failed halfway.
 */
#include "kernel/ktest.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/mount_torture.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/rcu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BASE "/tmp/mount_test"

static const enum mnt_writers_mode safe_modes[] = {WRITERS_PERCPU, WRITERS_ATOMIC,
						   WRITERS_SEED_CACHE};

/* ---- helpers ---- */

static int mount_tmpfs(const char *dir, const char *options)
{
	int err = sys_mkdir(dir, 0755);

	if (err && err != -EEXIST)
		return err;
	return sys_mount("mount_test", dir, "tmpfs", 0, options);
}

static int remount(const char *dir, unsigned long flags)
{
	return sys_mount(NULL, dir, NULL, MS_REMOUNT | flags, NULL);
}

/* Opens name with flags, writes data, closes: 0 or the first error. */
static int write_file(const char *name, unsigned int flags, const char *data)
{
	size_t len = strlen(data);
	int fd = sys_open(name, O_WRONLY | flags, 0644), err = 0;

	if (fd < 0)
		return fd;
	if (sys_write(fd, data, len) != (ssize_t)len)
		err = -EIO;
	sys_close(fd);
	return err;
}

/* Reads name into buf (NUL-terminated): the length or an error. */
static int read_file(const char *name, char *buf, size_t size)
{
	int fd = sys_open(name, O_RDONLY, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = sys_read(fd, buf, size - 1);
	sys_close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return (int)n;
}

/* The mount at dir, without a reference: for a mount the tree keeps while the case runs. */
static struct vfsmount *mnt_at(const char *dir)
{
	struct vfsmount *mnt;
	struct path p;

	if (kern_path(dir, 0, &p))
		return NULL;
	mnt = p.mnt;
	path_put(&p);
	return mnt;
}

static bool is_mount_point(const char *dir)
{
	struct path root, p;
	bool yes;

	if (kern_path(dir, 0, &p))
		return false;
	fs_root_noref(&root);
	yes = p.dentry == p.mnt->mnt_root && p.mnt != root.mnt;
	path_put(&p);
	return yes;
}

static bool mnt_readonly(const char *name)
{
	struct kstat st;

	return sys_stat(name, &st) == 0 && st.mnt_readonly;
}

/* Collects the names of a directory, a few at a time, for scrub. */
struct names {
	struct dir_context ctx;
	unsigned int n;
	char name[8][48];
	umode_t mode[8];
};

static bool collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		    umode_t mode)
{
	struct names *nm = container_of(ctx, struct names, ctx);

	(void)ino;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (nm->n == ARRAY_SIZE(nm->name))
		return false;
	if (len < sizeof(nm->name[0])) {
		memcpy(nm->name[nm->n], name, len);
		nm->name[nm->n][len] = '\0';
		nm->mode[nm->n++] = mode;
	}
	return true;
}

/*
 * Takes dir apart whatever a failed case left there: what is mounted on it and below,
 * then the files and directories. Best effort: an open file elsewhere keeps a mount.
 */
static void scrub(const char *dir, int depth)
{
	for (int round = 0; round < 8 && depth < 6; round++) {
		bool removed;

		do {
			struct names nm = {.ctx = {.actor = collect}};
			int fd = sys_open(dir, O_RDONLY | O_DIRECTORY, 0);

			removed = false;
			if (fd < 0)
				return;
			sys_readdir(fd, &nm.ctx);
			sys_close(fd);
			for (unsigned int i = 0; i < nm.n; i++) {
				char child[128];

				snprintf(child, sizeof(child), "%s/%s", dir, nm.name[i]);
				if (S_ISDIR(nm.mode[i]))
					scrub(child, depth + 1);
				else
					removed |= sys_unlink(child) == 0;
				removed |= sys_stat(child, &(struct kstat){0}) == -ENOENT;
			}
		} while (removed);
		if (sys_umount(dir) != 0)
			break; /* not a mount (any more): what is left is the directory's own */
	}
	sys_rmdir(dir);
}

/*
 * Runs body with BASE made, then puts things back as they were even when body returned
 * halfway: the descriptors it left open closed, the working directory and the CPU binding
 * undone, BASE taken apart.
 */
static void with_base(struct ktest *t, void (*body)(struct ktest *t))
{
	bool was_open[NR_OPEN];
	int err = sys_mkdir(BASE, 0755);

	if (err && err != -EEXIST) {
		EXPECT_EQ(t, err, 0);
		return;
	}
	for (int fd = 0; fd < NR_OPEN; fd++) {
		struct file *f = fget(fd);

		was_open[fd] = f != NULL;
		if (f)
			fput(f);
	}
	body(t);
	alloc_fail_cancel();
	for (int fd = 0; fd < NR_OPEN; fd++)
		if (!was_open[fd])
			sys_close(fd);
	sys_chdir("/");
	kthread_unbind(current);
	scrub(BASE, 0);
	EXPECT_EQ(t, sys_stat(BASE, &(struct kstat){0}), -ENOENT);
}

/* What a failed call must not leave behind. */
struct snapshot {
	uint64_t mounts_alive, files, dentries, inodes, objects, free_pages;
};

static struct snapshot snapshot(void)
{
	struct snapshot s;

	rcu_barrier(); /* dentries, inodes and mounts are freed after a grace period */
	s = (struct snapshot){
		.mounts_alive = mnt_count_stats().mounts_alive,
		.files = nr_files(),
		.dentries = nr_dentries(),
		.inodes = nr_inodes(),
		.objects = slab_objects_in_use(),
		.free_pages = nr_free_pages(),
	};
	return s;
}

#define EXPECT_SAME_SNAPSHOT(t, a, b)                                                              \
	do {                                                                                       \
		EXPECT_EQ(t, (b).mounts_alive, (a).mounts_alive);                                  \
		EXPECT_EQ(t, (b).files, (a).files);                                                \
		EXPECT_EQ(t, (b).dentries, (a).dentries);                                          \
		EXPECT_EQ(t, (b).inodes, (a).inodes);                                              \
		EXPECT_EQ(t, (b).objects, (a).objects);                                            \
		EXPECT_EQ(t, (b).free_pages, (a).free_pages);                                      \
	} while (0)

/* Runs fn(arg) in a thread bound to each online CPU at once and waits for them all. */
static int on_every_cpu(struct ktest *t, int (*fn)(void *), void *arg)
{
	struct thread *th[NR_CPUS];
	unsigned int cpu, n = 0;
	int ret = 0;

	for_each_cpu(cpu, &cpu_online_mask) {
		th[n] = kthread_create(fn, arg, "ktest-mnt/%u", cpu);
		if (!EXPECT_NOT_NULL(t, th[n]))
			break;
		kthread_bind(th[n], cpu);
		wake_up_new_thread(th[n++]);
	}
	while (n--)
		ret |= kthread_join(th[n]);
	return ret;
}

/* ---- 1: read-only bind mounts ---- */

static void ro_bind(struct ktest *t)
{
	uint64_t erofs = mnt_writers_stats().erofs;
	struct kstat a, b;
	char buf[32];

	ASSERT_EQ(t, mount_tmpfs(BASE "/rw", NULL), 0);
	ASSERT_EQ(t, write_file(BASE "/rw/f", O_CREAT, "hello"), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/rw/d", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/ro", 0755), 0);
	ASSERT_EQ(t, sys_mount(BASE "/rw", BASE "/ro", NULL, MS_BIND | MS_RDONLY, NULL), 0);

	/* Every kind of write through the bind is refused, and changes nothing. */
	EXPECT_EQ(t, sys_open(BASE "/ro/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/ro/f", O_RDWR, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/ro/f", O_WRONLY | O_TRUNC, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/ro/new", O_WRONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/ro/new", O_RDONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_mkdir(BASE "/ro/d2", 0755), -EROFS);
	EXPECT_EQ(t, sys_unlink(BASE "/ro/f"), -EROFS);
	EXPECT_EQ(t, sys_rmdir(BASE "/ro/d"), -EROFS);
	EXPECT_EQ(t, sys_rename(BASE "/ro/f", BASE "/ro/g"), -EROFS);
	EXPECT_EQ(t, sys_truncate(BASE "/ro/f", 0), -EROFS);
	EXPECT_GE(t, mnt_writers_stats().erofs - erofs, 10u);
	EXPECT_EQ(t, sys_stat(BASE "/rw/new", &a), -ENOENT);
	EXPECT_EQ(t, sys_stat(BASE "/rw/d2", &a), -ENOENT);
	EXPECT_EQ(t, sys_stat(BASE "/rw/d", &a), 0);
	EXPECT_EQ(t, read_file(BASE "/ro/f", buf, sizeof(buf)), 5);
	EXPECT_STREQ(t, buf, "hello");

	/* One file, two mounts: only the bind is read-only. */
	ASSERT_EQ(t, sys_stat(BASE "/rw/f", &a), 0);
	ASSERT_EQ(t, sys_stat(BASE "/ro/f", &b), 0);
	EXPECT_EQ(t, a.ino, b.ino);
	EXPECT_EQ(t, a.dev, b.dev);
	EXPECT_NE(t, a.mnt_id, b.mnt_id);
	EXPECT_FALSE(t, a.mnt_readonly);
	EXPECT_TRUE(t, b.mnt_readonly);

	/* The original still takes every write, and the bind reads the result. */
	EXPECT_EQ(t, write_file(BASE "/rw/f", O_APPEND, " world"), 0);
	EXPECT_EQ(t, read_file(BASE "/ro/f", buf, sizeof(buf)), 11);
	EXPECT_STREQ(t, buf, "hello world");
	EXPECT_EQ(t, sys_mkdir(BASE "/rw/d2", 0755), 0);
	EXPECT_EQ(t, sys_stat(BASE "/ro/d2", &a), 0);
	EXPECT_EQ(t, sys_rename(BASE "/rw/f", BASE "/rw/g"), 0);
	EXPECT_EQ(t, sys_truncate(BASE "/rw/g", 5), 0);
	EXPECT_EQ(t, read_file(BASE "/ro/g", buf, sizeof(buf)), 5);
	EXPECT_EQ(t, sys_unlink(BASE "/rw/g"), 0);
	EXPECT_EQ(t, sys_stat(BASE "/ro/g", &a), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(BASE "/rw/d"), 0);

	/* No write reference was left behind by a refusal. */
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/ro")), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/rw")), 0);
	EXPECT_EQ(t, sys_umount(BASE "/ro"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/rw"), 0);
}

static void test_ro_bind_refuses_writes(struct ktest *t)
{
	with_base(t, ro_bind);
}

/* ---- 2: remount,ro ---- */

static void remount_mount(struct ktest *t)
{
	int fd, fd2;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	fd = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, remount(BASE "/m", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_FALSE(t, mnt_readonly(BASE "/m"));
	/* The failed attempt left the mount as it was: writers keep coming and going. */
	EXPECT_EQ(t, sys_write(fd, "abc", 3), 3);
	fd2 = sys_open(BASE "/m/g", O_WRONLY | O_CREAT, 0644);
	EXPECT_GE(t, fd2, 0);
	if (fd2 >= 0)
		EXPECT_EQ(t, sys_close(fd2), 0);
	EXPECT_EQ(t, sys_close(fd), 0);

	EXPECT_EQ(t, remount(BASE "/m", MS_BIND | MS_RDONLY), 0);
	EXPECT_TRUE(t, mnt_readonly(BASE "/m/f"));
	EXPECT_EQ(t, sys_open(BASE "/m/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/m/h", O_WRONLY | O_CREAT, 0644), -EROFS);
	EXPECT_EQ(t, sys_mkdir(BASE "/m/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_unlink(BASE "/m/g"), -EROFS);
	fd = sys_open(BASE "/m/f", O_RDONLY, 0); /* reading is fine */
	EXPECT_GE(t, fd, 0);
	if (fd >= 0)
		EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/m")), 0);

	EXPECT_EQ(t, remount(BASE "/m", MS_BIND), 0);
	EXPECT_FALSE(t, mnt_readonly(BASE "/m/f"));
	EXPECT_EQ(t, write_file(BASE "/m/f", O_APPEND, "def"), 0);
	EXPECT_EQ(t, sys_unlink(BASE "/m/g"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

static void test_remount_ro_busy_while_writing(struct ktest *t)
{
	with_base(t, remount_mount);
}

/*
 * Superblock remount,ro through one mount while the writer holds another (a bind), both
 * ways round; once it succeeds, both mounts refuse writes.
 */
static void remount_sb(struct ktest *t)
{
	static const char *const via[2][2] = {{BASE "/a", BASE "/b/f"}, {BASE "/b", BASE "/a/f"}};
	int fd;

	ASSERT_EQ(t, mount_tmpfs(BASE "/a", NULL), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/b", 0755), 0);
	ASSERT_EQ(t, sys_mount(BASE "/a", BASE "/b", NULL, MS_BIND, NULL), 0);
	for (int i = 0; i < 2; i++) {
		fd = sys_open(via[i][1], O_WRONLY | O_CREAT, 0644);
		ASSERT_GE(t, fd, 0);
		EXPECT_EQ(t, remount(via[i][0], MS_RDONLY), -EBUSY);
		EXPECT_FALSE(t, mnt_readonly(BASE "/a"));
		EXPECT_FALSE(t, mnt_readonly(BASE "/b"));
		EXPECT_EQ(t, sys_write(fd, "x", 1), 1);
		EXPECT_EQ(t, write_file(BASE "/a/g", O_CREAT, "y"), 0); /* both still writable */
		EXPECT_EQ(t, write_file(BASE "/b/g", O_CREAT, "y"), 0);
		EXPECT_EQ(t, sys_close(fd), 0);
	}
	EXPECT_EQ(t, remount(BASE "/a", MS_RDONLY), 0);
	EXPECT_TRUE(t, mnt_readonly(BASE "/a/f"));
	EXPECT_TRUE(t, mnt_readonly(BASE "/b/f"));
	EXPECT_EQ(t, sys_open(BASE "/a/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/b/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_mkdir(BASE "/b/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_unlink(BASE "/a/f"), -EROFS);
	/* rw again through the other mount: the superblock, so both. */
	EXPECT_EQ(t, remount(BASE "/b", 0), 0);
	EXPECT_EQ(t, write_file(BASE "/a/f", 0, "z"), 0);
	EXPECT_EQ(t, write_file(BASE "/b/f", 0, "z"), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/a")), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/b")), 0);
	EXPECT_EQ(t, sys_umount(BASE "/b"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/a"), 0);
}

static void test_sb_remount_ro_sees_writers_of_every_mount(struct ktest *t)
{
	with_base(t, remount_sb);
}

/* ---- 3: a writer opened on one CPU and closed on another ---- */

static void cross_cpu(struct ktest *t)
{
	unsigned int a = 0, b = 1;
	int counts[NR_CPUS];

	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		enum mnt_writers_mode mode = safe_modes[i];
		struct vfsmount *mnt;
		char opts[32];
		int fd;

		snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(mode));
		ASSERT_EQ(t, mount_tmpfs(BASE "/m", opts), 0);
		mnt = mnt_at(BASE "/m");
		ASSERT_NOT_NULL(t, mnt);
		ASSERT_EQ(t, sched_set_cpu(current, (int)a), 0);
		ASSERT_EQ(t, smp_processor_id(), a);
		fd = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
		ASSERT_GE(t, fd, 0);
		EXPECT_EQ(t, mnt_writers_per_cpu(mnt, counts), 1);
		if (mode != WRITERS_ATOMIC) {
			EXPECT_EQ(t, counts[a], 1);
			EXPECT_EQ(t, counts[b], 0);
		}
		ASSERT_EQ(t, sched_set_cpu(current, (int)b), 0); /* moves this thread now */
		ASSERT_EQ(t, smp_processor_id(), b);
		EXPECT_EQ(t, sys_close(fd), 0);
		EXPECT_EQ(t, mnt_writers_per_cpu(mnt, counts), 0);
		if (mode == WRITERS_PERCPU) { /* only the sum means anything */
			EXPECT_EQ(t, counts[a], 1);
			EXPECT_EQ(t, counts[b], -1);
		}
		/* remount,ro believes the sum: nothing holds. */
		EXPECT_EQ(t, remount(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, remount(BASE "/m", MS_BIND), 0);
		kthread_unbind(current);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	}
}

static void test_writer_dropped_on_another_cpu(struct ktest *t)
{
	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the write reference must be dropped on another CPU");
	with_base(t, cross_cpu);
}

/* ---- 4: every writer-count mode ---- */

static void each_mode(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		enum mnt_writers_mode mode = safe_modes[i];
		struct vfsmount *mnt;
		char opts[32];
		int fd[3];

		ktest_log(t, "mode %s", writers_mode_name(mode));
		snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(mode));
		ASSERT_EQ(t, mount_tmpfs(BASE "/m", opts), 0);
		mnt = mnt_at(BASE "/m");
		ASSERT_NOT_NULL(t, mnt);
		EXPECT_EQ(t, mnt->mnt_writers_mode, mode);
		for (int k = 0; k < 3; k++) {
			fd[k] = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
			ASSERT_GE(t, fd[k], 0);
		}
		EXPECT_EQ(t, mnt_get_writers(mnt), 3);
		/* Busy until the last writer is gone, for the mount and for the superblock. */
		for (int k = 0; k < 3; k++) {
			EXPECT_EQ(t, remount(BASE "/m", MS_BIND | MS_RDONLY), -EBUSY);
			EXPECT_EQ(t, remount(BASE "/m", MS_RDONLY), -EBUSY);
			EXPECT_EQ(t, sys_close(fd[k]), 0);
			EXPECT_EQ(t, mnt_get_writers(mnt), 2 - k);
		}
		EXPECT_EQ(t, remount(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, sys_open(BASE "/m/f", O_WRONLY, 0), -EROFS);
		EXPECT_EQ(t, remount(BASE "/m", MS_BIND), 0);
		EXPECT_EQ(t, remount(BASE "/m", MS_RDONLY), 0);
		EXPECT_EQ(t, sys_open(BASE "/m/f", O_WRONLY, 0), -EROFS);
		EXPECT_EQ(t, remount(BASE "/m", 0), 0);
		EXPECT_EQ(t, write_file(BASE "/m/f", 0, "ok"), 0);
		EXPECT_EQ(t, mnt_get_writers(mnt), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	}
}

static void test_each_mode_refuses_remount_ro_while_writing(struct ktest *t)
{
	with_base(t, each_mode);
}

/* seed-cache: two mounts in turn on one CPU move the CPU's cache back and forth. */
static void seed_cache_two_mounts(struct ktest *t)
{
	uint64_t switches = mnt_writers_stats().cache_switches;
	struct vfsmount *x, *y;
	int fx1, fx2, fy1, fy2;

	ASSERT_EQ(t, mount_tmpfs(BASE "/x", "writers=seed-cache"), 0);
	ASSERT_EQ(t, mount_tmpfs(BASE "/y", "writers=seed-cache"), 0);
	x = mnt_at(BASE "/x");
	y = mnt_at(BASE "/y");
	ASSERT_TRUE(t, x && y);
	ASSERT_EQ(t, sched_set_cpu(current, (int)smp_processor_id()), 0);
	fx1 = sys_open(BASE "/x/f", O_WRONLY | O_CREAT, 0644);
	fy1 = sys_open(BASE "/y/f", O_WRONLY | O_CREAT, 0644);
	fx2 = sys_open(BASE "/x/g", O_WRONLY | O_CREAT, 0644);
	fy2 = sys_open(BASE "/y/g", O_WRONLY | O_CREAT, 0644);
	ASSERT_TRUE(t, fx1 >= 0 && fy1 >= 0 && fx2 >= 0 && fy2 >= 0);
	EXPECT_EQ(t, mnt_get_writers(x), 2);
	EXPECT_EQ(t, mnt_get_writers(y), 2);
	EXPECT_GE(t, mnt_writers_stats().cache_switches - switches, 3u);
	EXPECT_EQ(t, sys_close(fx1), 0); /* x's count was flushed: the shared counter drops */
	EXPECT_EQ(t, mnt_get_writers(x), 1);
	EXPECT_EQ(t, mnt_get_writers(y), 2);
	EXPECT_EQ(t, sys_close(fy2), 0); /* y is cached here: the cache drops */
	EXPECT_EQ(t, mnt_get_writers(x), 1);
	EXPECT_EQ(t, mnt_get_writers(y), 1);
	EXPECT_EQ(t, remount(BASE "/x", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, remount(BASE "/y", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, sys_close(fx2), 0);
	EXPECT_EQ(t, mnt_get_writers(x), 0);
	EXPECT_EQ(t, remount(BASE "/x", MS_BIND | MS_RDONLY), 0);
	EXPECT_EQ(t, remount(BASE "/y", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, sys_close(fy1), 0);
	EXPECT_EQ(t, mnt_get_writers(y), 0);
	EXPECT_EQ(t, remount(BASE "/y", MS_BIND | MS_RDONLY), 0);
	kthread_unbind(current);
	EXPECT_EQ(t, sys_umount(BASE "/x"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/y"), 0);
}

static void test_seed_cache_two_mounts_on_one_cpu(struct ktest *t)
{
	with_base(t, seed_cache_two_mounts);
}

/* ---- 5: the mounts torture ---- */

static void torture(struct ktest *t)
{
	struct snapshot before = snapshot(), after;
	struct mount_torture_result r;

	EXPECT_EQ(t, mount_torture_run(BASE "/t", safe_modes, ARRAY_SIZE(safe_modes), 1000, &r), 0);
	ktest_log(t, "writes %lld, EROFS %lld, remount ro %lld, busy %lld, moved %lld, errors %lld",
		  r.writes, r.erofs, r.remounts_ro, r.busy, r.moved, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_GT(t, r.writes, 0);
	EXPECT_GT(t, r.remounts_ro, 0);
	after = snapshot();
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
	EXPECT_EQ(t, after.files, before.files);
}

static void test_torture_mounts(struct ktest *t)
{
	with_base(t, torture);
}

/* The detector: with a mode that counts no writers, remount,ro lets them through. */
static void torture_none(struct ktest *t)
{
	static const enum mnt_writers_mode none[] = {WRITERS_NONE};
	struct mount_torture_result r;

	EXPECT_EQ(t, mount_torture_run(BASE "/t", none, 1, 600, &r), 0);
	ktest_log(t, "writes %lld, EROFS %lld, remount ro %lld, busy %lld, errors %lld", r.writes,
		  r.erofs, r.remounts_ro, r.busy, r.errors);
	EXPECT_GT(t, r.errors, 0);
	EXPECT_EQ(t, r.busy, 0); /* nothing is counted, so nothing is ever busy */
}

static void test_torture_catches_uncounted_writers(struct ktest *t)
{
	with_base(t, torture_none);
}

/* ---- 6: umount ---- */

static void umount_cases(struct ktest *t)
{
	uint64_t alive = mnt_count_stats().mounts_alive;
	struct kstat a, b;
	int fd;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, alive + 1);
	ASSERT_EQ(t, sys_mkdir(BASE "/m/sub", 0755), 0);

	fd = sys_open(BASE "/m/f", O_RDONLY | O_CREAT, 0644); /* any open file holds the mount */
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), -EBUSY);
	EXPECT_EQ(t, sys_close(fd), 0);

	ASSERT_EQ(t, mount_tmpfs(BASE "/m/sub", NULL), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), -EBUSY);
	EXPECT_EQ(t, sys_umount(BASE "/m/sub"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m/sub"), -EINVAL); /* a plain directory again */

	ASSERT_EQ(t, sys_chdir(BASE "/m/sub"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), -EBUSY);
	/* ".." from the mount's root, relative to the working directory */
	EXPECT_EQ(t, sys_stat("../..", &a), 0);
	EXPECT_EQ(t, sys_stat(BASE, &b), 0);
	EXPECT_EQ(t, a.ino, b.ino);
	EXPECT_EQ(t, a.mnt_id, b.mnt_id);
	ASSERT_EQ(t, sys_chdir("/"), 0);

	EXPECT_EQ(t, sys_umount(BASE), -EINVAL);
	EXPECT_EQ(t, sys_umount(BASE "/m/f"), -EINVAL);
	EXPECT_EQ(t, sys_umount(BASE "/nothing"), -ENOENT);
	EXPECT_EQ(t, sys_umount("/"), -EBUSY);

	/* ".." at the root of the mount is the directory under it, in the parent mount. */
	ASSERT_EQ(t, sys_stat(BASE "/m/..", &a), 0);
	EXPECT_EQ(t, a.ino, b.ino);
	EXPECT_EQ(t, a.dev, b.dev);
	EXPECT_EQ(t, a.mnt_id, b.mnt_id);
	EXPECT_FALSE(t, a.mnt_readonly);
	ASSERT_EQ(t, sys_stat(BASE "/m/sub/../..", &a), 0);
	EXPECT_EQ(t, a.ino, b.ino);
	EXPECT_EQ(t, a.mnt_id, b.mnt_id);
	ASSERT_EQ(t, sys_stat(BASE "/m/../m/f", &a), 0); /* and back down into the mount */
	EXPECT_EQ(t, a.dev, mnt_at(BASE "/m")->mnt_sb->s_dev);

	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	EXPECT_FALSE(t, is_mount_point(BASE "/m"));
	EXPECT_EQ(t, sys_stat(BASE "/m/f", &a), -ENOENT);
	EXPECT_EQ(t, sys_umount(BASE "/m"), -EINVAL);
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, alive);
}

static void test_umount_busy_and_dotdot(struct ktest *t)
{
	with_base(t, umount_cases);
}

/* ---- 7: longterm mounts (seed 2) ---- */

#define PUTS_PER_CPU 500

/* On each CPU: PUTS_PER_CPU get/put pairs, then PUTS_PER_CPU puts of the test's references. */
static int put_many(void *arg)
{
	struct vfsmount *mnt = arg;

	for (int i = 0; i < PUTS_PER_CPU; i++) {
		mntget(mnt);
		mntput(mnt);
	}
	for (int i = 0; i < PUTS_PER_CPU; i++)
		mntput(mnt);
	return 0;
}

/* The mount_lock acquisitions that putting from every CPU takes. */
static uint64_t locks_for_puts(struct ktest *t, struct vfsmount *mnt)
{
	uint64_t before, refs = (uint64_t)num_online_cpus() * PUTS_PER_CPU;

	for (uint64_t i = 0; i < refs; i++)
		mntget(mnt);
	before = mnt_count_stats().mount_lock_taken;
	EXPECT_EQ(t, on_every_cpu(t, put_many, mnt), 0);
	EXPECT_EQ(t, mnt_get_count(mnt), 1); /* only the test's own reference is left */
	return mnt_count_stats().mount_lock_taken - before;
}

static void longterm_puts(struct ktest *t)
{
	uint64_t per_cpu = 2 * PUTS_PER_CPU, cpus = num_online_cpus();
	struct mnt_count_stats s0, s1;
	struct vfsmount *km = NULL, *clone = NULL, *detached = NULL;
	struct path p;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	ASSERT_EQ(t, kern_path(BASE "/m", 0, &p), 0);
	EXPECT_EQ(t, clone_private_mount(&p, &clone), 0);
	EXPECT_EQ(t, clone_private_mount(&p, &detached), 0);
	path_put(&p);
	EXPECT_EQ(t, kern_mount("tmpfs", NULL, &km), 0);
	if (!km || !clone || !detached)
		goto out;
	EXPECT_EQ(t, locks_for_puts(t, km), 0u);
	EXPECT_EQ(t, locks_for_puts(t, clone), 0u);

	/* Short-term, as clone_private_mount was before the seed: every put takes the lock. */
	mnt_make_shortterm(detached);
	synchronize_rcu();
	s0 = mnt_count_stats();
	EXPECT_EQ(t, locks_for_puts(t, detached), per_cpu * cpus);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive); /* the test's reference keeps it */
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed);
	mntput(detached); /* the last one frees it, under the lock */
	detached = NULL;
	s0 = mnt_count_stats();
	EXPECT_EQ(t, s0.mounts_freed, s1.mounts_freed + 1);
	EXPECT_EQ(t, s0.mounts_alive, s1.mounts_alive - 1);
	EXPECT_EQ(t, s0.mount_lock_taken, s1.mount_lock_taken + 1);
out:
	kern_unmount(km);
	kern_unmount(clone);
	if (detached)
		kern_unmount(detached);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

static void test_longterm_mntput_takes_no_lock(struct ktest *t)
{
	with_base(t, longterm_puts);
}

#define ARRAY_MOUNTS 16

/* Half kern_mount, half clones of BASE/m; 0 when all were made. */
static int make_mounts(struct ktest *t, struct vfsmount **mnts, unsigned int n)
{
	struct path p;
	int err = 0;

	memset(mnts, 0, n * sizeof(*mnts));
	if (!EXPECT_EQ(t, kern_path(BASE "/m", 0, &p), 0))
		return -ENOENT;
	for (unsigned int i = 0; i < n && !err; i++)
		err = i % 2 ? clone_private_mount(&p, &mnts[i])
			    : kern_mount("tmpfs", NULL, &mnts[i]);
	path_put(&p);
	EXPECT_EQ(t, err, 0);
	return err;
}

/*
 * RCU's own count of grace periods while mnts are unmounted (one array call, or one call per
 * mount), with an extra reference on each so that no free queues callbacks (whose grace
 * periods would be counted too); the references are put afterwards.
 */
static uint64_t rcu_gps_for_unmount(struct ktest *t, struct vfsmount **mnts, unsigned int n,
				    bool array)
{
	struct mnt_count_stats s0, s1;
	uint64_t gp0, gp1;

	for (unsigned int i = 0; i < n; i++)
		mntget(mnts[i]);
	rcu_barrier(); /* nothing of earlier cases is waiting for a grace period */
	s0 = mnt_count_stats();
	gp0 = rcu_get_stats().gp_completed;
	if (array)
		kern_unmount_array(mnts, n);
	else
		for (unsigned int i = 0; i < n; i++)
			kern_unmount(mnts[i]);
	gp1 = rcu_get_stats().gp_completed;
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.grace_periods - s0.grace_periods, array ? 1u : (uint64_t)n);
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed); /* our references keep them */
	for (unsigned int i = 0; i < n; i++)
		mntput(mnts[i]); /* short-term now: the last put frees */
	EXPECT_EQ(t, mnt_count_stats().mounts_freed - s1.mounts_freed, (uint64_t)n);
	return gp1 - gp0;
}

static void unmount_array(struct ktest *t)
{
	struct vfsmount *mnts[ARRAY_MOUNTS];
	struct mnt_count_stats s0, s1;
	uint64_t gps;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	s0 = mnt_count_stats();
	if (make_mounts(t, mnts, ARRAY_MOUNTS)) {
		kern_unmount_array(mnts, ARRAY_MOUNTS);
		return;
	}
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, s0.mounts_alive + ARRAY_MOUNTS);
	kern_unmount_array(mnts, ARRAY_MOUNTS);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.grace_periods - s0.grace_periods, 1u);
	EXPECT_EQ(t, s1.mounts_freed - s0.mounts_freed, (uint64_t)ARRAY_MOUNTS);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive);

	/* RCU's count agrees: one wait (two if one grace period was under way), not 16. */
	if (make_mounts(t, mnts, ARRAY_MOUNTS)) {
		kern_unmount_array(mnts, ARRAY_MOUNTS);
		return;
	}
	gps = rcu_gps_for_unmount(t, mnts, ARRAY_MOUNTS, true);
	if (num_online_cpus() > 1) {
		EXPECT_GE(t, gps, 1u);
		EXPECT_LE(t, gps, 2u);
	}
	/* One by one, each pays its own. */
	if (make_mounts(t, mnts, 4)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	gps = rcu_gps_for_unmount(t, mnts, 4, false);
	if (num_online_cpus() > 1)
		EXPECT_GE(t, gps, 4u);
	else
		ktest_log(t, "RCU's grace-period count not checked: -smp 1 needs no wait");
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

static void test_unmount_array_one_grace_period(struct ktest *t)
{
	with_base(t, unmount_array);
}

static void unmount_null(struct ktest *t)
{
	struct vfsmount *mnts[3] = {NULL, NULL, NULL};
	struct mnt_count_stats s0 = mnt_count_stats(), s1;

	kern_unmount(NULL);
	kern_unmount_array(mnts, 3);
	kern_unmount_array(NULL, 0);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.grace_periods, s0.grace_periods); /* nothing to wait for */
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed);
	ASSERT_EQ(t, kern_mount("tmpfs", NULL, &mnts[1]), 0);
	s0 = mnt_count_stats();
	kern_unmount_array(mnts, 3);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.grace_periods, s0.grace_periods + 1);
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed + 1);
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive - 1);
}

static void test_unmount_null_entries(struct ktest *t)
{
	with_base(t, unmount_null);
}

/* A thread on another CPU holds a reference to a mount across kern_unmount_array. */
struct holder {
	struct vfsmount *mnt;
	volatile bool held, put, done;
};

static int hold_then_put(void *arg)
{
	struct holder *h = arg;

	mntget(h->mnt);
	WRITE_ONCE(h->held, true);
	while (!READ_ONCE(h->put))
		yield();
	mntput(h->mnt); /* the last reference: frees it, here */
	WRITE_ONCE(h->done, true);
	return 0;
}

static void held_elsewhere(struct ktest *t)
{
	unsigned int me = smp_processor_id(), other = (me + 1) % num_online_cpus();
	struct vfsmount *mnts[4];
	struct mnt_count_stats s0, s1;
	static struct holder h;
	struct thread *th;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	if (make_mounts(t, mnts, 4)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	h = (struct holder){.mnt = mnts[1]};
	th = kthread_create(hold_then_put, &h, "ktest-holder");
	if (!EXPECT_NOT_NULL(t, th)) {
		kern_unmount_array(mnts, 4);
		return;
	}
	kthread_bind(th, other);
	wake_up_new_thread(th);
	while (!READ_ONCE(h.held))
		yield();
	s0 = mnt_count_stats();
	kern_unmount_array(mnts, 4);
	s1 = mnt_count_stats();
	EXPECT_EQ(t, s1.grace_periods, s0.grace_periods + 1);
	EXPECT_EQ(t, s1.mounts_freed, s0.mounts_freed + 3); /* not the held one */
	EXPECT_EQ(t, s1.mounts_alive, s0.mounts_alive - 3);
	EXPECT_FALSE(t, READ_ONCE(h.mnt->mnt_flags) & MNT_DOOMED);
	EXPECT_EQ(t, mnt_get_count(h.mnt), 1);
	EXPECT_NULL(t, READ_ONCE(h.mnt->mnt_ns)); /* short-term now: its last put frees it */
	WRITE_ONCE(h.put, true);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_TRUE(t, h.done);
	s0 = mnt_count_stats();
	EXPECT_EQ(t, s0.mounts_freed, s1.mounts_freed + 1);
	EXPECT_EQ(t, s0.mounts_alive, s1.mounts_alive - 1);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

static void test_mount_held_on_another_cpu_outlives_unmount(struct ktest *t)
{
	with_base(t, held_elsewhere);
}

/* ---- 8: allocation failure ---- */

/*
 * Calls call() with the nth allocation failing, n = 1, 2, ... until it succeeds (at most
 * limit). Each failure must be -ENOMEM with one failure injected, leave the snapshot as it
 * was and pass check(). Returns the n that succeeded, or 0.
 */
static unsigned int fail_each_allocation(struct ktest *t, const char *what, int (*call)(void),
					 bool (*check)(void), void (*undo)(void),
					 unsigned int limit)
{
	for (unsigned int n = 1; n <= limit; n++) {
		struct snapshot before = snapshot(), after;
		unsigned long injected = alloc_fail_injected();
		int err, failures = t->failures;

		alloc_fail_inject(n);
		err = call();
		alloc_fail_cancel();
		if (err >= 0) {
			EXPECT_EQ(t, alloc_fail_injected(), injected);
			ktest_log(t, "%s: succeeded with allocation %u failing (%u allocations)",
				  what, n, n - 1);
			return n;
		}
		EXPECT_EQ(t, err, -ENOMEM);
		EXPECT_EQ(t, alloc_fail_injected(), injected + 1);
		if (undo)
			undo();
		after = snapshot();
		EXPECT_SAME_SNAPSHOT(t, before, after);
		EXPECT_TRUE(t, check());
		if (t->failures != failures) {
			ktest_log(t, "%s: with allocation %u failing", what, n);
			return 0;
		}
	}
	EXPECT_TRUE(t, false); /* never succeeded */
	return 0;
}

static int mount_new(void)
{
	return sys_mount("mount_test", BASE "/dst", "tmpfs", 0, NULL);
}

static int mount_bind(void)
{
	return sys_mount(BASE "/src", BASE "/dst", NULL, MS_BIND, NULL);
}

static bool dst_not_mounted(void)
{
	return !is_mount_point(BASE "/dst") && mnt_get_writers(mnt_at(BASE "/src")) == 0;
}

static int fd_opened;

static int open_existing(void)
{
	return fd_opened = sys_open(BASE "/src/f", O_WRONLY, 0);
}

static int open_create(void)
{
	return fd_opened = sys_open(BASE "/src/new", O_RDWR | O_CREAT, 0644);
}

/* A failed O_CREAT may have made the file before the failure (as in Linux): remove it. */
static void unlink_new(void)
{
	sys_unlink(BASE "/src/new");
}

static bool no_writer_on_src(void)
{
	return mnt_get_writers(mnt_at(BASE "/src")) == 0;
}

static void enomem(struct ktest *t)
{
	unsigned int n;
	int fd;

	ASSERT_EQ(t, mount_tmpfs(BASE "/src", NULL), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/dst", 0755), 0);
	/* Once each, so caches, the descriptor table and their slabs exist beforehand. */
	ASSERT_EQ(t, write_file(BASE "/src/f", O_CREAT, "data"), 0);
	ASSERT_EQ(t, mount_new(), 0);
	ASSERT_EQ(t, sys_umount(BASE "/dst"), 0);
	ASSERT_EQ(t, mount_bind(), 0);
	ASSERT_EQ(t, sys_umount(BASE "/dst"), 0);

	n = fail_each_allocation(t, "mount tmpfs", mount_new, dst_not_mounted, NULL, 20);
	EXPECT_GT(t, n, 1u);
	EXPECT_TRUE(t, is_mount_point(BASE "/dst"));
	EXPECT_EQ(t, sys_umount(BASE "/dst"), 0);

	n = fail_each_allocation(t, "bind", mount_bind, dst_not_mounted, NULL, 20);
	EXPECT_GT(t, n, 1u);
	EXPECT_TRUE(t, is_mount_point(BASE "/dst"));
	EXPECT_EQ(t, sys_umount(BASE "/dst"), 0);

	n = fail_each_allocation(t, "open", open_existing, no_writer_on_src, NULL, 20);
	EXPECT_GT(t, n, 1u);
	if (n) {
		EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/src")), 1);
		EXPECT_EQ(t, sys_close(fd_opened), 0);
	}
	n = fail_each_allocation(t, "open O_CREAT", open_create, no_writer_on_src, unlink_new, 20);
	EXPECT_GT(t, n, 1u);
	if (n)
		EXPECT_EQ(t, sys_close(fd_opened), 0);
	/* Still works, and nothing holds the mount. */
	fd = sys_open(BASE "/src/f", O_WRONLY, 0);
	EXPECT_GE(t, fd, 0);
	if (fd >= 0)
		EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, sys_umount(BASE "/src"), 0);
}

static void test_allocation_failure_leaks_nothing(struct ktest *t)
{
	with_base(t, enomem);
}

/* ---- 9: errors ---- */

static void errors(struct ktest *t)
{
	uint64_t alive = mnt_count_stats().mounts_alive;

	ASSERT_EQ(t, sys_mkdir(BASE "/d", 0755), 0);
	ASSERT_EQ(t, write_file(BASE "/file", O_CREAT, "x"), 0);
	EXPECT_EQ(t, sys_mount("x", BASE "/d", "tmpfs", 0, "writers=bogus"), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", BASE "/d", "tmpfs", 0, "writers="), -EINVAL);
	EXPECT_EQ(t, sys_mount(BASE, BASE "/d", NULL, MS_BIND, "writers=bogus"), -EINVAL);
	EXPECT_EQ(t, sys_mount("x", BASE "/d", "nosuchfs", 0, NULL), -ENODEV);
	EXPECT_EQ(t, sys_mount("x", BASE "/d", NULL, 0, NULL), -ENODEV);
	EXPECT_EQ(t, sys_mount("x", BASE "/file", "tmpfs", 0, NULL), -ENOTDIR);
	EXPECT_EQ(t, sys_mount(BASE, BASE "/file", NULL, MS_BIND, NULL), -ENOTDIR);
	EXPECT_EQ(t, sys_mount("x", BASE "/missing", "tmpfs", 0, NULL), -ENOENT);
	EXPECT_EQ(t, sys_mount("x", BASE "/missing/d", "tmpfs", 0, NULL), -ENOENT);
	EXPECT_EQ(t, sys_mount(BASE "/missing", BASE "/d", NULL, MS_BIND, NULL), -ENOENT);
	EXPECT_EQ(t, sys_mount(NULL, BASE "/d", NULL, MS_BIND, NULL), -EINVAL);
	EXPECT_EQ(t, remount(BASE "/d", MS_RDONLY), -EINVAL);
	EXPECT_EQ(t, remount(BASE "/d", MS_BIND | MS_RDONLY), -EINVAL);
	EXPECT_EQ(t, remount(BASE "/missing", MS_RDONLY), -ENOENT);
	EXPECT_FALSE(t, is_mount_point(BASE "/d"));
	EXPECT_EQ(t, mnt_count_stats().mounts_alive, alive);
	/* A valid mode is accepted. */
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		char opts[32];

		snprintf(opts, sizeof(opts), "ro,writers=%s", writers_mode_name(safe_modes[i]));
		EXPECT_EQ(t, sys_mount("x", BASE "/d", "tmpfs", 0, opts), 0);
		EXPECT_TRUE(t, mnt_readonly(BASE "/d"));
		EXPECT_EQ(t, sys_umount(BASE "/d"), 0);
	}
}

/* A bind of a read-only mount starts read-only (asking for rw does not lift it), as in Linux. */
static void bind_of_readonly(struct ktest *t)
{
	ASSERT_EQ(t, sys_mkdir(BASE "/ro", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/again", 0755), 0);
	ASSERT_EQ(t, sys_mount("x", BASE "/ro", "tmpfs", 0, "ro"), 0);
	EXPECT_EQ(t, sys_mount(BASE "/ro", BASE "/again", NULL, MS_BIND, "rw"), 0);
	EXPECT_TRUE(t, mnt_readonly(BASE "/again"));
	EXPECT_EQ(t, sys_mkdir(BASE "/again/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_umount(BASE "/again"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/ro"), 0);
}

static void test_mount_errors(struct ktest *t)
{
	with_base(t, errors);
}

static void test_bind_of_readonly_is_readonly(struct ktest *t)
{
	with_base(t, bind_of_readonly);
}

KTEST_SUITE(mount, KTEST_CASE(test_ro_bind_refuses_writes),
	    KTEST_CASE(test_remount_ro_busy_while_writing),
	    KTEST_CASE(test_sb_remount_ro_sees_writers_of_every_mount),
	    KTEST_CASE(test_writer_dropped_on_another_cpu),
	    KTEST_CASE(test_each_mode_refuses_remount_ro_while_writing),
	    KTEST_CASE(test_seed_cache_two_mounts_on_one_cpu), KTEST_CASE(test_torture_mounts),
	    KTEST_CASE(test_torture_catches_uncounted_writers),
	    KTEST_CASE(test_umount_busy_and_dotdot), KTEST_CASE(test_longterm_mntput_takes_no_lock),
	    KTEST_CASE(test_unmount_array_one_grace_period), KTEST_CASE(test_unmount_null_entries),
	    KTEST_CASE(test_mount_held_on_another_cpu_outlives_unmount),
	    KTEST_CASE(test_allocation_failure_leaks_nothing), KTEST_CASE(test_mount_errors),
	    KTEST_CASE(test_bind_of_readonly_is_readonly));
