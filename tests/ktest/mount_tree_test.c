/*
 * KTAP suite "mount_tree": the mount tree's own calls, under /tmp/mount_test (the fixture:
 * mount_fixture.h). It checks that:
 *
 *  - umount fails with EBUSY for an open file, a mount on top, a working directory inside,
 *    with EINVAL for a directory that is not a mount point, and ".." at a mount's root leads
 *    to the directory under it;
 *  - an allocation failure in mount (new tmpfs, bind) and open, at each allocation in turn,
 *    gives ENOMEM and leaves no mount, file, slab object, page or write reference behind;
 *  - bad mount calls get their own errors (EINVAL, ENODEV, ENOTDIR, ENOENT);
 *  - a bind of a read-only mount is read-only;
 *  - umount waits for an expedited grace period.
 */
#include "tests/ktest/mount_fixture.h"
#include "kernel/ktest.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/torture/mount_torture.h"
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

/* ---- 6: umount ---- */

static void test_umount_busy_and_dotdot(struct ktest *t)
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
		struct snapshot before = mount_snapshot(), after;
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
		after = mount_snapshot();
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

static void test_allocation_failure_leaks_nothing(struct ktest *t)
{
	unsigned int n;
	int fd;

	ASSERT_EQ(t, mount_tmpfs(BASE "/src", NULL), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/dst", 0755), 0);
	/* Once each, so caches, the descriptor table and their slabs exist beforehand. */
	ASSERT_EQ(t, write_text(BASE "/src/f", O_CREAT, "data"), 0);
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

/* ---- 9: errors ---- */

static void test_mount_errors(struct ktest *t)
{
	uint64_t alive = mnt_count_stats().mounts_alive;

	ASSERT_EQ(t, sys_mkdir(BASE "/d", 0755), 0);
	ASSERT_EQ(t, write_text(BASE "/file", O_CREAT, "x"), 0);
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
	EXPECT_EQ(t, remount_dir(BASE "/d", MS_RDONLY), -EINVAL);
	EXPECT_EQ(t, remount_dir(BASE "/d", MS_BIND | MS_RDONLY), -EINVAL);
	EXPECT_EQ(t, remount_dir(BASE "/missing", MS_RDONLY), -ENOENT);
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
static void test_bind_of_readonly_is_readonly(struct ktest *t)
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

/* umount waits for its grace period expedited (IPIs to the CPUs), not for their ticks, as
   Linux's namespace_unlock does. With one CPU online the grace period passes at once. */
static void test_umount_expedites(struct ktest *t)
{
	uint64_t before;

	if (num_online_cpus() == 1)
		KTEST_SKIP(t, "one CPU: a grace period passes at once");
	ASSERT_EQ(t, sys_mkdir(BASE "/src", 0755), 0);
	ASSERT_EQ(t, sys_mkdir(BASE "/bind", 0755), 0);
	ASSERT_EQ(t, sys_mount(BASE "/src", BASE "/bind", NULL, MS_BIND, NULL), 0);
	before = rcu_get_stats().gp_expedited;
	EXPECT_EQ(t, sys_umount(BASE "/bind"), 0);
	EXPECT_GE(t, rcu_get_stats().gp_expedited - before, 1ULL);
}

KTEST_SUITE_HOOKS(mount_tree, mount_fixture_init, mount_fixture_exit,
		  KTEST_CASE(test_umount_busy_and_dotdot),
		  KTEST_CASE(test_allocation_failure_leaks_nothing), KTEST_CASE(test_mount_errors),
		  KTEST_CASE(test_bind_of_readonly_is_readonly), KTEST_CASE(test_umount_expedites));
