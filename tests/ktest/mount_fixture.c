/*
 * The mount suites' fixture and helpers (see mount_fixture.h).
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

const enum mnt_writers_mode safe_modes[3] = {WRITERS_PERCPU, WRITERS_ATOMIC, WRITERS_CPU_CACHE};

/* ---- helpers ---- */

int mount_tmpfs(const char *dir, const char *options)
{
	int err = sys_mkdir(dir, 0755);

	if (err && err != -EEXIST)
		return err;
	return sys_mount("mount_test", dir, "tmpfs", 0, options);
}

int remount_dir(const char *dir, unsigned long flags)
{
	return sys_mount(NULL, dir, NULL, MS_REMOUNT | flags, NULL);
}

/* Opens name with flags, writes data, closes: 0 or the first error. */
int write_text(const char *name, unsigned int flags, const char *data)
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
int read_text(const char *name, char *buf, size_t size)
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
struct vfsmount *mnt_at(const char *dir)
{
	struct vfsmount *mnt;
	struct path p;

	if (kern_path(dir, 0, &p))
		return NULL;
	mnt = p.mnt;
	path_put(&p);
	return mnt;
}

bool is_mount_point(const char *dir)
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

bool mnt_readonly(const char *name)
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
void scrub_dir(const char *dir, int depth)
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
					scrub_dir(child, depth + 1);
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

/* What mount_fixture_init saw, for mount_fixture_exit to put back. */
struct mount_fixture {
	bool was_open[NR_OPEN];
};

/**
 * mount_fixture_init - the suite init of the mount suites: makes BASE
 *
 * Notes which descriptors are open, so that exit closes those the case left open. Returns 0,
 * or -ENOMEM or mkdir's error (the case then fails without running).
 */
int mount_fixture_init(struct ktest *t)
{
	struct mount_fixture *fx = kzalloc(sizeof(*fx));
	int err = sys_mkdir(BASE, 0755);

	if (!fx || (err && err != -EEXIST)) {
		kfree(fx);
		return fx ? err : -ENOMEM;
	}
	for (int fd = 0; fd < NR_OPEN; fd++) {
		struct file *f = fget(fd);

		fx->was_open[fd] = f != NULL;
		if (f)
			fput(f);
	}
	t->priv = fx;
	return 0;
}

/**
 * mount_fixture_exit - the suite exit of the mount suites: puts things back as they were
 *
 * Runs even when the case returned halfway: cancels a pending allocation failure, closes the
 * descriptors the case left open, undoes the working directory and the CPU binding, and takes
 * BASE apart (mounts included), expecting it gone.
 */
void mount_fixture_exit(struct ktest *t)
{
	struct mount_fixture *fx = t->priv;

	alloc_fail_cancel();
	for (int fd = 0; fd < NR_OPEN; fd++)
		if (!fx->was_open[fd])
			sys_close(fd);
	sys_chdir("/");
	kthread_unbind(current);
	scrub_dir(BASE, 0);
	EXPECT_EQ(t, sys_stat(BASE, &(struct kstat){0}), -ENOENT);
	kfree(fx);
	t->priv = NULL;
}

struct snapshot mount_snapshot(void)
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

/* Runs fn(arg) in a thread bound to each online CPU at once and waits for them all. */
int on_every_cpu(struct ktest *t, int (*fn)(void *), void *arg)
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
