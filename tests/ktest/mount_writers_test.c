/*
 * KTAP suite "mount_writers": read-only binds, remount,ro and the per-CPU writer counts
 * (fs/mnt_writers.c and the modes of fs/mnt_writers_variants.c), under /tmp/mount_test (the
 * fixture: mount_fixture.h). It checks that:
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
 *  - each writer-count mode (percpu, atomic, cpu-cache) refuses remount,ro while any writer
 *    holds; cpu-cache keeps both sums right with two mounts used in turn on one CPU, and, as
 *    the 2.6.26 patch has it, a CPU's cached count never goes below zero: a drop that finds
 *    none sends it to the mount's shared count;
 *  - the patch's debugging aid, in every mode: a write reference leaked on purpose is
 *    reported (once, and counted) when its mount is freed; drops with no want are reported
 *    once when remount,ro sums them, and by cpu-cache when its shared count falls below
 *    MNT_WRITER_UNDERFLOW_LIMIT;
 *  - the WRITE_HOLD wait really happens: a remount,ro held between its hold and its sum (the
 *    delay point mnt-write-hold, linked to mnt-hold-wait so that the window lasts until the
 *    writer got there) makes a writer that arrives wait until the hold ends;
 *  - the mounts torture (fs/torture/mount_torture.c, for a second) finds no writer behind a
 *    successful remount,ro, and does find them when the mount counts no writers
 *    (WRITERS_NONE);
 *  - its duel catches the broken variant no-write-hold within two seconds (milliseconds when
 *    the host gives the guest its CPUs), runs no-writer-mb (which may escape) to a clean end,
 *    and finds nothing wrong with the real modes under the same loads and delay point.
 *
 * mount_longterm_test.c and mount_tree_test.c (umount, ENOMEM, errors) hold the other two
 * mount suites.
 */
#include "tests/ktest/mount_fixture.h"
#include "kernel/ktest.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/torture/mount_torture.h"
#include "arch/x86_64/tsc.h"
#include "kernel/delay_point.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/sched.h"
#include "kernel/smp.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Mounts a tmpfs at BASE "/m" with writer-count mode m (logged): its mount, or NULL. */
static struct vfsmount *mount_in_mode(struct ktest *t, enum mnt_writers_mode m)
{
	char opts[32];

	ktest_log(t, "mode %s", writers_mode_name(m));
	snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(m));
	if (!EXPECT_EQ(t, mount_tmpfs(BASE "/m", opts), 0))
		return NULL;
	return mnt_at(BASE "/m");
}

/* ---- 1: read-only bind mounts ---- */

static void test_ro_bind_refuses_writes(struct ktest *t)
{
	uint64_t erofs = mnt_writers_stats().erofs;
	struct kstat a, b;
	char buf[32];

	ASSERT_EQ(t, mount_tmpfs(BASE "/rw", NULL), 0);
	ASSERT_EQ(t, write_text(BASE "/rw/f", O_CREAT, "hello"), 0);
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
	EXPECT_EQ(t, read_text(BASE "/ro/f", buf, sizeof(buf)), 5);
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
	EXPECT_EQ(t, write_text(BASE "/rw/f", O_APPEND, " world"), 0);
	EXPECT_EQ(t, read_text(BASE "/ro/f", buf, sizeof(buf)), 11);
	EXPECT_STREQ(t, buf, "hello world");
	EXPECT_EQ(t, sys_mkdir(BASE "/rw/d2", 0755), 0);
	EXPECT_EQ(t, sys_stat(BASE "/ro/d2", &a), 0);
	EXPECT_EQ(t, sys_rename(BASE "/rw/f", BASE "/rw/g"), 0);
	EXPECT_EQ(t, sys_truncate(BASE "/rw/g", 5), 0);
	EXPECT_EQ(t, read_text(BASE "/ro/g", buf, sizeof(buf)), 5);
	EXPECT_EQ(t, sys_unlink(BASE "/rw/g"), 0);
	EXPECT_EQ(t, sys_stat(BASE "/ro/g", &a), -ENOENT);
	EXPECT_EQ(t, sys_rmdir(BASE "/rw/d"), 0);

	/* No write reference was left behind by a refusal. */
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/ro")), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/rw")), 0);
	EXPECT_EQ(t, sys_umount(BASE "/ro"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/rw"), 0);
}

/* ---- 2: remount,ro ---- */

static void test_remount_ro_busy_while_writing(struct ktest *t)
{
	int fd, fd2;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", NULL), 0);
	fd = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_FALSE(t, mnt_readonly(BASE "/m"));
	/* The failed attempt left the mount as it was: writers keep coming and going. */
	EXPECT_EQ(t, sys_write(fd, "abc", 3), 3);
	fd2 = sys_open(BASE "/m/g", O_WRONLY | O_CREAT, 0644);
	EXPECT_GE(t, fd2, 0);
	if (fd2 >= 0)
		EXPECT_EQ(t, sys_close(fd2), 0);
	EXPECT_EQ(t, sys_close(fd), 0);

	EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
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

	EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND), 0);
	EXPECT_FALSE(t, mnt_readonly(BASE "/m/f"));
	EXPECT_EQ(t, write_text(BASE "/m/f", O_APPEND, "def"), 0);
	EXPECT_EQ(t, sys_unlink(BASE "/m/g"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/*
 * Superblock remount,ro through one mount while the writer holds another (a bind), both
 * ways round; once it succeeds, both mounts refuse writes.
 */
static void test_sb_remount_ro_sees_writers_of_every_mount(struct ktest *t)
{
	static const char *const via[2][2] = {{BASE "/a", BASE "/b/f"}, {BASE "/b", BASE "/a/f"}};
	int fd;

	ASSERT_EQ(t, mount_tmpfs(BASE "/a", NULL), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/b", 0755), 0);
	ASSERT_EQ(t, sys_mount(BASE "/a", BASE "/b", NULL, MS_BIND, NULL), 0);
	for (int i = 0; i < 2; i++) {
		fd = sys_open(via[i][1], O_WRONLY | O_CREAT, 0644);
		ASSERT_GE(t, fd, 0);
		EXPECT_EQ(t, remount_dir(via[i][0], MS_RDONLY), -EBUSY);
		EXPECT_FALSE(t, mnt_readonly(BASE "/a"));
		EXPECT_FALSE(t, mnt_readonly(BASE "/b"));
		EXPECT_EQ(t, sys_write(fd, "x", 1), 1);
		EXPECT_EQ(t, write_text(BASE "/a/g", O_CREAT, "y"), 0); /* both still writable */
		EXPECT_EQ(t, write_text(BASE "/b/g", O_CREAT, "y"), 0);
		EXPECT_EQ(t, sys_close(fd), 0);
	}
	EXPECT_EQ(t, remount_dir(BASE "/a", MS_RDONLY), 0);
	EXPECT_TRUE(t, mnt_readonly(BASE "/a/f"));
	EXPECT_TRUE(t, mnt_readonly(BASE "/b/f"));
	EXPECT_EQ(t, sys_open(BASE "/a/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_open(BASE "/b/f", O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, sys_mkdir(BASE "/b/d", 0755), -EROFS);
	EXPECT_EQ(t, sys_unlink(BASE "/a/f"), -EROFS);
	/* rw again through the other mount: the superblock, so both. */
	EXPECT_EQ(t, remount_dir(BASE "/b", 0), 0);
	EXPECT_EQ(t, write_text(BASE "/a/f", 0, "z"), 0);
	EXPECT_EQ(t, write_text(BASE "/b/f", 0, "z"), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/a")), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt_at(BASE "/b")), 0);
	EXPECT_EQ(t, sys_umount(BASE "/b"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/a"), 0);
}

/* ---- 3: a writer opened on one CPU and closed on another ---- */

static void test_writer_dropped_on_another_cpu(struct ktest *t)
{
	unsigned int a = 0, b = 1;
	int counts[NR_CPUS];

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the write reference must be dropped on another CPU");
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		enum mnt_writers_mode mode = safe_modes[i];
		struct vfsmount *mnt;
		int fd;

		ASSERT_NOT_NULL(t, mnt = mount_in_mode(t, mode));
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
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND), 0);
		kthread_unbind(current);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	}
}

/* ---- 4: every writer-count mode ---- */

static void test_each_mode_refuses_remount_ro_while_writing(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		enum mnt_writers_mode mode = safe_modes[i];
		struct vfsmount *mnt;
		int fd[3];

		ASSERT_NOT_NULL(t, mnt = mount_in_mode(t, mode));
		EXPECT_EQ(t, mnt->mnt_writers_mode, mode);
		for (int k = 0; k < 3; k++) {
			fd[k] = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
			ASSERT_GE(t, fd[k], 0);
		}
		EXPECT_EQ(t, mnt_get_writers(mnt), 3);
		/* Busy until the last writer is gone, for the mount and for the superblock. */
		for (int k = 0; k < 3; k++) {
			EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), -EBUSY);
			EXPECT_EQ(t, remount_dir(BASE "/m", MS_RDONLY), -EBUSY);
			EXPECT_EQ(t, sys_close(fd[k]), 0);
			EXPECT_EQ(t, mnt_get_writers(mnt), 2 - k);
		}
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, sys_open(BASE "/m/f", O_WRONLY, 0), -EROFS);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND), 0);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_RDONLY), 0);
		EXPECT_EQ(t, sys_open(BASE "/m/f", O_WRONLY, 0), -EROFS);
		EXPECT_EQ(t, remount_dir(BASE "/m", 0), 0);
		EXPECT_EQ(t, write_text(BASE "/m/f", 0, "ok"), 0);
		EXPECT_EQ(t, mnt_get_writers(mnt), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	}
}

/* cpu-cache: two mounts in turn on one CPU move the CPU's cache back and forth. */
static void test_cpu_cache_two_mounts_on_one_cpu(struct ktest *t)
{
	uint64_t switches = mnt_writers_stats().cache_switches;
	struct vfsmount *x, *y;
	int fx1, fx2, fy1, fy2;

	ASSERT_EQ(t, mount_tmpfs(BASE "/x", "writers=cpu-cache"), 0);
	ASSERT_EQ(t, mount_tmpfs(BASE "/y", "writers=cpu-cache"), 0);
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
	EXPECT_EQ(t, remount_dir(BASE "/x", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, remount_dir(BASE "/y", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, sys_close(fx2), 0);
	EXPECT_EQ(t, mnt_get_writers(x), 0);
	EXPECT_EQ(t, remount_dir(BASE "/x", MS_BIND | MS_RDONLY), 0);
	EXPECT_EQ(t, remount_dir(BASE "/y", MS_BIND | MS_RDONLY), -EBUSY);
	EXPECT_EQ(t, sys_close(fy1), 0);
	EXPECT_EQ(t, mnt_get_writers(y), 0);
	EXPECT_EQ(t, remount_dir(BASE "/y", MS_BIND | MS_RDONLY), 0);
	kthread_unbind(current);
	EXPECT_EQ(t, sys_umount(BASE "/x"), 0);
	EXPECT_EQ(t, sys_umount(BASE "/y"), 0);
}

/*
 * cpu-cache, as the patch has it: a CPU's cached count never goes below zero. A reference
 * taken on CPU a and dropped on CPU b, whose cache holds this mount with nothing counted, goes
 * to the shared count (-1 there, +1 in a's cache) instead of leaving -1 in b's cache.
 */
static void test_cpu_cache_count_never_below_zero(struct ktest *t)
{
	unsigned int a = 0, b = 1;
	struct vfsmount *mnt;
	int counts[NR_CPUS];
	int fa, fb;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the write reference must be dropped on another CPU");
	ASSERT_EQ(t, mount_tmpfs(BASE "/m", "writers=cpu-cache"), 0);
	mnt = mnt_at(BASE "/m");
	ASSERT_NOT_NULL(t, mnt);
	ASSERT_EQ(t, sched_set_cpu(current, (int)a), 0);
	fa = sys_open(BASE "/m/f", O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(t, fa, 0);
	ASSERT_EQ(t, sched_set_cpu(current, (int)b), 0);
	fb = sys_open(BASE "/m/g", O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(t, fb, 0);
	EXPECT_EQ(t, sys_close(fb), 0); /* b's cache: this mount, count 0 */
	EXPECT_EQ(t, mnt_writers_per_cpu(mnt, counts), 1);
	EXPECT_EQ(t, counts[a], 1);
	EXPECT_EQ(t, counts[b], 0);
	EXPECT_EQ(t, sys_close(fa), 0); /* taken on a, dropped on b: b's cache has none */
	EXPECT_EQ(t, mnt_writers_per_cpu(mnt, counts), 0);
	EXPECT_EQ(t, counts[a], 1);
	EXPECT_EQ(t, counts[b], 0);
	EXPECT_EQ(t, atomic_read(&mnt->mnt_writers_shared), -1);
	kthread_unbind(current);
	EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
}

/* ---- 5: the 2.6.26 patch's debugging aid: imbalanced writer counts are reported ---- */

/* A write reference leaked on purpose: reported once when the mount is freed. */
static void test_leaked_write_reference_reported_at_free(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		uint64_t before = mnt_writers_stats().imbalanced;
		struct vfsmount *mnt;

		/* Balanced: nothing to report. */
		ASSERT_NOT_NULL(t, mount_in_mode(t, safe_modes[i]));
		EXPECT_EQ(t, write_text(BASE "/m/f", O_CREAT, "ok"), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before);
		/* Two references leaked: one report, for the mount. */
		ASSERT_NOT_NULL(t, mnt = mount_in_mode(t, safe_modes[i]));
		EXPECT_EQ(t, mnt_want_write(mnt), 0);
		EXPECT_EQ(t, mnt_want_write(mnt), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0); /* the last reference: the mount is freed */
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
	}
}

/* Drops with no want (the sum goes negative): reported once, when remount,ro sums. */
static void test_unmatched_drop_reported_once(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		uint64_t before = mnt_writers_stats().imbalanced;
		struct vfsmount *mnt;

		ASSERT_NOT_NULL(t, mnt = mount_in_mode(t, safe_modes[i]));
		mnt_drop_write(mnt);
		EXPECT_EQ(t, mnt_get_writers(mnt), -1);
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before); /* not summed yet */
		/* A negative sum is no writer: the remount succeeds, as in the patch. */
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
		EXPECT_TRUE(t, READ_ONCE(mnt->mnt_flags) & MNT_IMBALANCED_WRITE_COUNT);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND), 0);
		mnt_drop_write(mnt);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND | MS_RDONLY), 0);
		EXPECT_EQ(t, remount_dir(BASE "/m", MS_BIND), 0);
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1); /* once per mount */
		EXPECT_EQ(t, mnt_want_write(mnt), 0);			  /* balance it again */
		EXPECT_EQ(t, mnt_want_write(mnt), 0);
		EXPECT_EQ(t, mnt_get_writers(mnt), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
		EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
	}
}

/*
 * cpu-cache's own check, as in the patch: its shared count is negative in normal use, so a
 * drop checks it only below MNT_WRITER_UNDERFLOW_LIMIT; then the caches are flushed, and a
 * count still negative is reported, once, by the drop that crossed the limit.
 */
static void test_cpu_cache_underflow_limit(struct ktest *t)
{
	uint64_t before = mnt_writers_stats().imbalanced;
	const int n = -MNT_WRITER_UNDERFLOW_LIMIT;
	struct vfsmount *mnt;

	ASSERT_EQ(t, mount_tmpfs(BASE "/m", "writers=cpu-cache"), 0);
	mnt = mnt_at(BASE "/m");
	ASSERT_NOT_NULL(t, mnt);
	for (int k = 0; k < n; k++)
		mnt_put_write_access(mnt);
	EXPECT_EQ(t, mnt_get_writers(mnt), -n);
	EXPECT_EQ(t, mnt_writers_stats().imbalanced, before); /* at the limit, not below */
	mnt_put_write_access(mnt);
	EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
	mnt_put_write_access(mnt);
	EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
	for (int k = 0; k < n + 2; k++)
		EXPECT_EQ(t, mnt_get_write_access(mnt), 0);
	EXPECT_EQ(t, mnt_get_writers(mnt), 0);
	EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	EXPECT_EQ(t, mnt_writers_stats().imbalanced, before + 1);
}

/* ---- 6: the WRITE_HOLD wait ---- */

#define HOLD_WINDOW_US 10000000 /* the bound on the window; the writer's arrival ends it */

static struct hold_race {
	struct vfsmount *mnt;
	int remount_ret, want_ret;
	bool want_in_window; /* the writer called while the remounter was in the window */
	bool held_at_return; /* WRITE_HOLD still set when mnt_want_write returned */
	int64_t waits_seen;  /* mnt-hold-wait passes when mnt_want_write returned */
} hold_race;

static int hold_remounter(void *arg)
{
	(void)arg;
	hold_race.remount_ret = remount_dir(BASE "/m", MS_BIND | MS_RDONLY);
	return 0;
}

/* Calls mnt_want_write once the remounter is inside its window (WRITE_HOLD set, no sum yet). */
static int hold_writer(void *arg)
{
	uint64_t give_up = ktime_ns() + (uint64_t)HOLD_WINDOW_US * 1000;

	(void)arg;
	while (atomic64_read(&dp_mnt_write_hold.hits) == 0)
		if (ktime_ns() > give_up)
			return -ETIMEDOUT;
	hold_race.want_in_window = true;
	hold_race.want_ret = mnt_want_write(hold_race.mnt);
	hold_race.held_at_return = READ_ONCE(hold_race.mnt->mnt_flags) & MNT_WRITE_HOLD;
	hold_race.waits_seen = atomic64_read(&dp_mnt_hold_wait.passes);
	if (!hold_race.want_ret)
		mnt_drop_write(hold_race.mnt);
	return 0;
}

/*
 * A remount,ro stays between its hold and its sum until the writer that arrives there found
 * the hold (mnt-write-hold's window ends at mnt-hold-wait's pass): the writer must wait, and
 * get in only once the hold ended. percpu and atomic count the writer before they look at the
 * hold, so the sum sees it (EBUSY) and the writer gets in; cpu-cache waits for its CPU's lock
 * before it counts, so the remount wins and the writer sees read-only.
 */
static void test_writer_waits_for_write_hold(struct ktest *t)
{
	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: a writer must arrive while remount,ro holds");
	for (size_t i = 0; i < ARRAY_SIZE(safe_modes); i++) {
		enum mnt_writers_mode mode = safe_modes[i];
		uint64_t waits = mnt_writers_stats().hold_waits;
		struct thread *rem, *wri;

		hold_race = (struct hold_race){.mnt = mount_in_mode(t, mode), .remount_ret = 1};
		ASSERT_NOT_NULL(t, hold_race.mnt);
		ASSERT_EQ(t, delay_point_set("mnt-hold-wait", 1, 1), 0);
		ASSERT_EQ(t,
			  delay_point_set_until("mnt-write-hold", HOLD_WINDOW_US, "mnt-hold-wait"),
			  0);
		wri = kthread_create(hold_writer, NULL, "holdwriter");
		rem = kthread_create(hold_remounter, NULL, "holdremount");
		ASSERT_TRUE(t, wri && rem);
		kthread_bind(wri, 1);
		kthread_bind(rem, 0);
		wake_up_new_thread(wri);
		wake_up_new_thread(rem);
		EXPECT_EQ(t, kthread_join(rem), 0);
		EXPECT_EQ(t, kthread_join(wri), 0);
		delay_point_set("mnt-write-hold", 0, 0);
		delay_point_set("mnt-hold-wait", 0, 0);

		EXPECT_TRUE(t, hold_race.want_in_window);
		EXPECT_EQ(t, atomic64_read(&dp_mnt_write_hold.hits), 1);
		/* The writer found the hold and waited, and was out only after its end. */
		EXPECT_EQ(t, hold_race.waits_seen, 1);
		EXPECT_EQ(t, mnt_writers_stats().hold_waits - waits, 1u);
		EXPECT_FALSE(t, hold_race.held_at_return);
		if (mode == WRITERS_CPU_CACHE) {
			EXPECT_EQ(t, hold_race.remount_ret, 0);
			EXPECT_EQ(t, hold_race.want_ret, -EROFS);
		} else {
			EXPECT_EQ(t, hold_race.remount_ret, -EBUSY);
			EXPECT_EQ(t, hold_race.want_ret, 0);
		}
		EXPECT_EQ(t, mnt_get_writers(hold_race.mnt), 0);
		EXPECT_EQ(t, sys_umount(BASE "/m"), 0);
	}
}

/* ---- 7: the mounts torture ---- */

static void test_torture_mounts(struct ktest *t)
{
	struct snapshot before = mount_snapshot(), after;
	struct mount_torture_result r;

	struct mount_torture_spec spec = {safe_modes, ARRAY_SIZE(safe_modes), MOUNT_LOAD_FILES, 0,
					  false};

	EXPECT_EQ(t, mount_torture_run(BASE "/t", &spec, 1000, &r), 0);
	ktest_log(t, "writes %lld, EROFS %lld, remount ro %lld, busy %lld, moved %lld, errors %lld",
		  r.writes, r.erofs, r.remounts_ro, r.busy, r.moved, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_GT(t, r.writes, 0);
	EXPECT_GT(t, r.remounts_ro, 0);
	after = mount_snapshot();
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
	EXPECT_EQ(t, after.files, before.files);
}

/* The detector: with a mode that counts no writers, remount,ro lets them through. */
static void test_torture_catches_uncounted_writers(struct ktest *t)
{
	static const enum mnt_writers_mode none[] = {WRITERS_NONE};
	struct mount_torture_spec spec = {none, 1, MOUNT_LOAD_FILES, 0, false};
	struct mount_torture_result r;

	EXPECT_EQ(t, mount_torture_run(BASE "/t", &spec, 600, &r), 0);
	ktest_log(t, "writes %lld, EROFS %lld, remount ro %lld, busy %lld, errors %lld", r.writes,
		  r.erofs, r.remounts_ro, r.busy, r.errors);
	EXPECT_GT(t, r.errors, 0);
	EXPECT_EQ(t, r.busy, 0); /* nothing is counted, so nothing is ever busy */
}

/* ---- 8: the broken variants: the torture must catch them ---- */

/*
 * The bound on catching a broken variant: the run ends at its first violation, or after
 * CATCH_MS (room for a busy host that gives the guest's CPUs no time for a while: it is caught
 * within milliseconds when they run). no-writer-mb is only run, not required.
 */
#define CATCH_MS      2000
#define MAY_ESCAPE_MS 200

static void test_torture_catches_no_write_hold(struct ktest *t)
{
	struct torture_broken_result r = {0};

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the duel races a writer against remount,ro");
	ASSERT_EQ(t, mount_torture_catch(MOUNT_BROKEN_NO_WRITE_HOLD, CATCH_MS, &r), 0);
	ktest_log(t, "no-write-hold: %s after %llu ms (%lld errors)",
		  r.errors ? "caught" : "NOT caught",
		  (unsigned long long)(r.errors ? r.first_ms : r.ms), r.errors);
	EXPECT_GT(t, r.errors, 0);
}

/*
 * no-writer-mb may escape (docs/mounts.md: only the host's store buffer shows it, and not
 * within a short run on a busy host): the case runs it, logs what the duel saw, and checks
 * that the run ends cleanly (the mount came off with no writer counted). It does not require
 * the catch.
 */
static void test_torture_runs_no_writer_mb(struct ktest *t)
{
	struct torture_broken_result r = {0};
	struct snapshot before, after;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the duel races a writer against remount,ro");
	before = mount_snapshot();
	ASSERT_EQ(t, mount_torture_run_broken(MOUNT_BROKEN_NO_WRITER_MB, MAY_ESCAPE_MS, &r), 0);
	ktest_log(t, "no-writer-mb: %s: %lld errors in %llu ms, the first after %llu ms",
		  r.errors ? "caught" : "escaped", r.errors, (unsigned long long)r.ms,
		  (unsigned long long)r.first_ms);
	after = mount_snapshot();
	EXPECT_EQ(t, after.mounts_alive, before.mounts_alive);
	EXPECT_EQ(t, after.files, before.files);
}

/* The real modes under the loads and the delay point the broken variants are caught with. */
static void test_torture_real_modes_under_the_same_load(struct ktest *t)
{
	struct mount_torture_spec duel = {safe_modes, ARRAY_SIZE(safe_modes), MOUNT_LOAD_DUEL,
					  MOUNT_TORTURE_RO_SUMMED_US, false};
	struct mount_torture_spec files = duel;
	struct mount_torture_result r;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: the duel races a writer against remount,ro");
	files.load = MOUNT_LOAD_FILES;
	EXPECT_EQ(t, mount_torture_run(BASE "/t", &duel, 200, &r), 0);
	ktest_log(t, "duel, delayed: writer won %lld, remounter won %lld, errors %lld", r.writes,
		  r.remounts_ro, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	duel.ro_summed_us = 0;
	EXPECT_EQ(t, mount_torture_run(BASE "/t", &duel, 200, &r), 0);
	ktest_log(t, "duel: writer won %lld, remounter won %lld, errors %lld", r.writes,
		  r.remounts_ro, r.errors);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_EQ(t, mount_torture_run(BASE "/t", &files, 200, &r), 0);
	ktest_log(t, "files, delayed: writes %lld, remount ro %lld, errors %lld", r.writes,
		  r.remounts_ro, r.errors);
	EXPECT_EQ(t, r.errors, 0);
}

KTEST_SUITE_HOOKS(mount_writers, mount_fixture_init, mount_fixture_exit,
		  KTEST_CASE(test_ro_bind_refuses_writes),
		  KTEST_CASE(test_remount_ro_busy_while_writing),
		  KTEST_CASE(test_sb_remount_ro_sees_writers_of_every_mount),
		  KTEST_CASE(test_writer_dropped_on_another_cpu),
		  KTEST_CASE(test_each_mode_refuses_remount_ro_while_writing),
		  KTEST_CASE(test_cpu_cache_two_mounts_on_one_cpu),
		  KTEST_CASE(test_cpu_cache_count_never_below_zero),
		  KTEST_CASE(test_leaked_write_reference_reported_at_free),
		  KTEST_CASE(test_unmatched_drop_reported_once),
		  KTEST_CASE(test_cpu_cache_underflow_limit),
		  KTEST_CASE(test_writer_waits_for_write_hold), KTEST_CASE(test_torture_mounts),
		  KTEST_CASE(test_torture_catches_uncounted_writers),
		  KTEST_CASE(test_torture_catches_no_write_hold),
		  KTEST_CASE(test_torture_runs_no_writer_mb),
		  KTEST_CASE(test_torture_real_modes_under_the_same_load));
