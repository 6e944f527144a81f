/*
 * The vfs suites' fixture and helpers (see vfs_fixture.h).
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "fs/syscalls.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
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

/* ---- counting what the VFS holds --------------------------------------------------------- */

struct counts counts_now(void)
{
	rcu_barrier(); /* unmounted mounts are freed after a grace period */
	return (struct counts){nr_files(), nr_inodes(), nr_dentries(), nr_pagecache_pages(),
			       mnt_count_stats().mounts_alive};
}

void expect_counts(struct ktest *t, const struct counts *before)
{
	struct counts now = counts_now();

	EXPECT_EQ(t, now.files, before->files);
	EXPECT_EQ(t, now.inodes, before->inodes);
	EXPECT_EQ(t, now.dentries, before->dentries);
	EXPECT_EQ(t, now.pagecache, before->pagecache);
	EXPECT_EQ(t, now.mounts, before->mounts);
}

/* Free pages plus the slabs' pages: what neither the page cache nor a leak holds. */
uint64_t pages_not_leaked(void)
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
uint64_t tmpfs_used(const char *path)
{
	struct kstatfs st;

	if (sys_statfs(path, &st))
		return ~0ULL;
	return st.f_blocks - st.f_bfree;
}

uint64_t tmpfs_inodes(const char *path)
{
	struct kstatfs st;

	return sys_statfs(path, &st) ? ~0ULL : st.f_files;
}

/* ---- directory listing -------------------------------------------------------------------- */

bool names_collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
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
int list_dir(const char *path, struct names *l, unsigned int stop_after)
{
	int fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0), calls = 0, err = 0;

	if (fd < 0)
		return fd;
	memset(&l->ctx, 0, sizeof(l->ctx));
	l->ctx.actor = names_collect;
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

int find_name(const struct names *l, const char *name)
{
	for (unsigned int i = 0; i < l->n && i < MAX_NAMES; i++)
		if (!strcmp(l->name[i], name))
			return (int)i;
	return -1;
}

/* Removes path and everything below it, unmounting what is mounted there first. */
int rm_rf(const char *path)
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

/* What vfs_case_init saw before the case, for vfs_case_exit to restore and compare. Cases run
   one at a time, so one instance serves them all; t->priv points at it. */
struct vfs_case_state {
	bool was_open[NR_OPEN];
	struct counts before;
	struct path pwd;
};

static struct vfs_case_state vfs_case_state;

/*
 * Before each vfs case: makes a new, empty TEST_DIR (removing one a dead run left) and notes
 * what the VFS counts and which descriptors are open. Returns 0, or the errno of mkdir (the
 * case then does not run, and the state is already undone).
 */
int vfs_case_init(struct ktest *t)
{
	struct vfs_case_state *state = &vfs_case_state;
	struct kstat st;
	int fd, err;

	t->priv = state;
	/* The descriptor table and fs_struct of this thread exist from here on. */
	fd = sys_open("/", O_RDONLY, 0);
	if (fd >= 0)
		sys_close(fd);
	get_fs_pwd(&state->pwd);
	set_fs_pwd(&state->pwd);
	if (sys_stat(TEST_DIR, &st) == 0)
		rm_rf(TEST_DIR); /* left by a run that died */
	state->before = counts_now();
	for (int i = 0; i < NR_OPEN; i++) {
		struct file *f = fget(i);

		state->was_open[i] = f != NULL;
		if (f)
			fput(f);
	}
	err = sys_mkdir(TEST_DIR, 0755);
	if (err) {
		ktest_log(t, "mkdir %s: %d", TEST_DIR, err);
		path_put(&state->pwd);
	}
	return err;
}

/*
 * After each vfs case, whatever it did or left: removes TEST_DIR with everything in it
 * (mounts, open descriptors, a working directory elsewhere, an armed allocation failure).
 * Then everything the VFS counts must be back.
 */
void vfs_case_exit(struct ktest *t)
{
	struct vfs_case_state *state = t->priv;
	struct kstat st;

	alloc_fail_cancel();
	for (int i = 0; i < NR_OPEN; i++)
		if (!state->was_open[i])
			sys_close(i);
	set_fs_pwd(&state->pwd);
	path_put(&state->pwd);
	EXPECT_EQ(t, rm_rf(TEST_DIR), 0);
	EXPECT_EQ(t, sys_stat(TEST_DIR, &st), -ENOENT);
	expect_counts(t, &state->before);
}

/* ---- helpers ------------------------------------------------------------------------------ */

int make_file(const char *path, const void *data, size_t n)
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
ssize_t read_file(const char *path, void *buf, size_t n)
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
bool file_is(const char *path, const void *want, size_t n)
{
	char buf[64];

	if (n > sizeof(buf) - 1)
		return false;
	return read_file(path, buf, sizeof(buf)) == (ssize_t)n && !memcmp(buf, want, n);
}

uint8_t pattern(uint64_t off, unsigned int seed)
{
	return (uint8_t)(off * 131 + (off >> 12) * 17 + seed * 29 + 1);
}

void fill(uint8_t *buf, uint64_t off, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(off + i, seed);
}

/* The index of the first byte of buf that is not the pattern, or -1. */
long check_pattern(const uint8_t *buf, uint64_t off, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(off + i, seed))
			return (long)i;
	return -1;
}

bool all_zero(const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

uint64_t ino_of(const char *path)
{
	struct kstat st;

	return sys_stat(path, &st) ? 0 : st.ino;
}
