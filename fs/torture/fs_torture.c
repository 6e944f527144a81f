/*
 * `torture fs`: threads on every CPU hammer a disk file system (by default the ext2 on vda,
 * mounted at /tmp/fstorture for the run) across four directories:
 *
 *  - each thread owns 8 files, t<cpu>-<k>, each in one of the directories d0..d3; it keeps in
 *    its own memory what each should hold: absent, or a size and a generation;
 *  - each round it picks one of its files and an action: write it whole (O_TRUNC, a new
 *    generation, 1 byte to 300 KiB: direct, indirect and double-indirect blocks with 1 KiB
 *    blocks), truncate it shorter or longer, rename it into another directory, delete it, or
 *    read it back and compare; thread 0 also calls sync now and then;
 *  - the bytes encode the file's owner, number and generation (a pattern of offset and seed),
 *    so a block given to two files, or data from an earlier generation, is caught on reading.
 *
 * At the end: sync, umount, mount again (the page cache is gone: everything is read from the
 * disk), every file of every thread checked, umount. Errors are counted; the run passes with
 * none. After a run and poweroff, e2fsck -fn on the image must find nothing
 * (tools/ext2-torture-check does both).
 */
#include "kernel/torture/torture.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/smp.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"

#define FT_DIRS	    4
#define FT_FILES    8 /* per thread */
#define FT_MAX_SIZE (300 * 1024)
#define FT_BUF	    65536
#define FT_DEFAULT  "/tmp/fstorture"

struct ft_file {
	bool exists;
	unsigned int dir;
	uint32_t gen;
	uint64_t size;
	uint64_t data_len; /* bytes of pattern; zeros from there to size (a truncate up) */
};

struct ft_thread {
	unsigned int id;
	uint64_t rnd;
	uint8_t *buf;
	struct ft_file files[FT_FILES];
};

static DEFINE_MUTEX(ft_mutex);
static struct {
	char dir[64];
	volatile bool stop;
	struct ft_thread per_thread[NR_CPUS]; /* what each thread's files should hold */
	struct thread *threads[NR_CPUS];
	unsigned int nr_threads;
	atomic64_t ops, writes, truncates, renames, deletes, verifies, syncs, enospc, errors;
} fs_torture_shared;

static uint64_t next_rand(struct ft_thread *t)
{
	t->rnd ^= t->rnd << 13;
	t->rnd ^= t->rnd >> 7;
	t->rnd ^= t->rnd << 17;
	return t->rnd;
}

static uint8_t ft_pattern(uint64_t i, uint32_t seed)
{
	return (uint8_t)((i * 7 + seed + (i >> 10) * 13) ^ (seed >> 8) ^ (seed >> 16));
}

static uint32_t ft_seed(struct ft_thread *t, unsigned int k)
{
	return (t->id << 20) | (k << 14) | (t->files[k].gen & 0x3fff);
}

static void ft_path(char *buf, size_t size, struct ft_thread *t, unsigned int k, unsigned int dir)
{
	snprintf(buf, size, "%s/d%u/t%u-%u", fs_torture_shared.dir, dir, t->id, k);
}

static void ft_error(struct ft_thread *t, const char *what, unsigned int k, long long v)
{
	atomic64_inc(&fs_torture_shared.errors);
	if (atomic64_read(&fs_torture_shared.errors) <= 20)
		kprintf("torture fs: thread %u file %u: %s (%lld)\n", t->id, k, what, v);
}

/* Reads file k and compares it with what the thread remembers. */
static void ft_verify(struct ft_thread *t, unsigned int k)
{
	struct ft_file *f = &t->files[k];
	uint32_t seed = ft_seed(t, k);
	char path[96];
	uint64_t off = 0;
	int fd;

	ft_path(path, sizeof(path), t, k, f->dir);
	fd = sys_open(path, O_RDONLY, 0);
	if (!f->exists) {
		if (fd != -ENOENT)
			ft_error(t, "deleted file still opens", k, fd);
		if (fd >= 0)
			sys_close(fd);
		return;
	}
	if (fd < 0) {
		ft_error(t, "open for reading failed", k, fd);
		return;
	}
	for (;;) {
		ssize_t r = sys_read(fd, t->buf, FT_BUF);

		if (r < 0)
			ft_error(t, "read failed", k, r);
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			if (t->buf[i] != (off + (uint64_t)i < f->data_len
						  ? ft_pattern(off + (uint64_t)i, seed)
						  : 0)) {
				ft_error(t, "wrong byte at offset", k,
					 (long long)(off + (uint64_t)i));
				sys_close(fd);
				return;
			}
		off += (uint64_t)r;
	}
	sys_close(fd);
	if (off != f->size)
		ft_error(t, "wrong size", k, (long long)off);
	atomic64_inc(&fs_torture_shared.verifies);
}

static void ft_write(struct ft_thread *t, unsigned int k)
{
	struct ft_file *f = &t->files[k];
	uint64_t size = 1 + next_rand(t) % (next_rand(t) % 4 == 0 ? FT_MAX_SIZE : 16384);
	char path[96];
	uint32_t seed;
	int fd;

	f->gen++;
	seed = ft_seed(t, k);
	ft_path(path, sizeof(path), t, k, f->dir);
	fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		ft_error(t, "open for writing failed", k, fd);
		return;
	}
	f->exists = true;
	f->size = f->data_len = 0;
	for (uint64_t off = 0; off < size;) {
		size_t n = (size_t)MIN((uint64_t)FT_BUF, size - off);
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			t->buf[i] = ft_pattern(off + i, seed);
		w = sys_write(fd, t->buf, n);
		if (w > 0)
			f->size = f->data_len = off + (uint64_t)w;
		if (w == -ENOSPC || (w >= 0 && (size_t)w < n)) {
			/* the disk is full: fine, the size says so */
			atomic64_inc(&fs_torture_shared.enospc);
			break;
		}
		if (w < 0) {
			ft_error(t, "write failed", k, w);
			break;
		}
		off += n;
	}
	sys_close(fd);
	atomic64_inc(&fs_torture_shared.writes);
}

static void ft_round(struct ft_thread *t)
{
	unsigned int k = (unsigned int)(next_rand(t) % FT_FILES), action = next_rand(t) % 10;
	struct ft_file *f = &t->files[k];
	char path[96], to[96];
	int err;

	if (!f->exists || action < 3) {
		ft_write(t, k);
	} else if (action < 5) {
		ft_verify(t, k);
	} else if (action < 7) { /* truncate: mostly shorter, sometimes longer (a hole) */
		uint64_t size = next_rand(t) % (f->size + (action == 6 ? 8192 : 1));

		ft_path(path, sizeof(path), t, k, f->dir);
		if ((err = sys_truncate(path, size))) {
			ft_error(t, "truncate failed", k, err);
		} else { /* a longer file reads zeros past the old end */
			f->size = size;
			f->data_len = MIN(f->data_len, size);
		}
		atomic64_inc(&fs_torture_shared.truncates);
	} else if (action < 9) {
		unsigned int dir =
			(f->dir + 1 + (unsigned int)(next_rand(t) % (FT_DIRS - 1))) % FT_DIRS;

		ft_path(path, sizeof(path), t, k, f->dir);
		ft_path(to, sizeof(to), t, k, dir);
		if ((err = sys_rename(path, to)))
			ft_error(t, "rename failed", k, err);
		else
			f->dir = dir;
		atomic64_inc(&fs_torture_shared.renames);
	} else {
		ft_path(path, sizeof(path), t, k, f->dir);
		if ((err = sys_unlink(path)))
			ft_error(t, "unlink failed", k, err);
		f->exists = false;
		atomic64_inc(&fs_torture_shared.deletes);
	}
	if (t->id == 0 && next_rand(t) % 64 == 0) {
		if ((err = sys_sync()))
			ft_error(t, "sync failed", k, err);
		atomic64_inc(&fs_torture_shared.syncs);
	}
	atomic64_inc(&fs_torture_shared.ops);
}

static int ft_worker(void *arg)
{
	struct ft_thread *t = arg;

	while (!READ_ONCE(fs_torture_shared.stop))
		ft_round(t);
	return 0;
}

static void ft_report(const char *when)
{
	kprintf("%sops %lld: writes %lld, truncates %lld, renames %lld, deletes %lld, verified "
		"%lld, syncs %lld, ENOSPC %lld, errors %lld\n",
		when, (long long)atomic64_read(&fs_torture_shared.ops),
		(long long)atomic64_read(&fs_torture_shared.writes),
		(long long)atomic64_read(&fs_torture_shared.truncates),
		(long long)atomic64_read(&fs_torture_shared.renames),
		(long long)atomic64_read(&fs_torture_shared.deletes),
		(long long)atomic64_read(&fs_torture_shared.verifies),
		(long long)atomic64_read(&fs_torture_shared.syncs),
		(long long)atomic64_read(&fs_torture_shared.enospc),
		(long long)atomic64_read(&fs_torture_shared.errors));
}

static int fs_torture(int argc, char **argv)
{
	unsigned int seconds;
	const char *dev;
	char path[96];
	bool stopped;
	int err;

	if (torture_parse_seconds_and_dev(argc, argv, &seconds, &dev))
		return -EINVAL;
	if (!mutex_trylock(&ft_mutex)) {
		kprintf("torture fs: another run is going on\n");
		return 0;
	}
	memset(&fs_torture_shared, 0, sizeof(fs_torture_shared));
	strlcpy(fs_torture_shared.dir, FT_DEFAULT, sizeof(fs_torture_shared.dir));
	sys_mkdir(fs_torture_shared.dir, 0755);
	if ((err = sys_mount(dev, fs_torture_shared.dir, "ext2", 0, NULL))) {
		kprintf("torture fs: cannot mount %s as ext2 on %s (%s)\n", dev,
			fs_torture_shared.dir, errno_name(err));
		mutex_unlock(&ft_mutex);
		return 0;
	}
	for (unsigned int d = 0; d < FT_DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%u", fs_torture_shared.dir, d);
		sys_mkdir(path, 0755); /* may exist from an earlier run */
	}
	fs_torture_shared.nr_threads = MIN(num_online_cpus(), (unsigned int)NR_CPUS);
	for (unsigned int i = 0; i < fs_torture_shared.nr_threads; i++) {
		struct ft_thread *t = &fs_torture_shared.per_thread[i];

		t->id = i;
		t->rnd = 0x9e3779b97f4a7c15ull * (i + 1) + ktime_ns();
		t->buf = kmalloc(FT_BUF);
		for (unsigned int k = 0; k < FT_FILES; k++) { /* leftovers of an earlier run go */
			for (unsigned int d = 0; d < FT_DIRS; d++) {
				ft_path(path, sizeof(path), t, k, d);
				sys_unlink(path);
			}
			t->files[k].dir = k % FT_DIRS;
		}
		fs_torture_shared.threads[i] =
			t->buf ? kthread_create(ft_worker, t, "fstort/%u", i) : NULL;
		if (!fs_torture_shared.threads[i]) {
			ft_error(t, "no memory for the thread", 0, -ENOMEM);
			continue;
		}
		kthread_bind(fs_torture_shared.threads[i], i);
		wake_up_new_thread(fs_torture_shared.threads[i]);
	}
	kprintf("torture fs: %u threads, %u files each in %u directories of %s (ext2 on %s)\n",
		fs_torture_shared.nr_threads, FT_FILES, FT_DIRS, fs_torture_shared.dir, dev);
	stopped = torture_watch(seconds, ft_report);
	WRITE_ONCE(fs_torture_shared.stop, true);
	for (unsigned int i = 0; i < fs_torture_shared.nr_threads; i++)
		if (fs_torture_shared.threads[i])
			kthread_join(fs_torture_shared.threads[i]);
	/* From the disk: sync, umount, mount, check every file, umount. */
	if ((err = sys_sync()))
		ft_error(&fs_torture_shared.per_thread[0], "final sync failed", 0, err);
	if ((err = sys_umount(fs_torture_shared.dir)) ||
	    (err = sys_mount(dev, fs_torture_shared.dir, "ext2", 0, NULL))) {
		ft_error(&fs_torture_shared.per_thread[0], "umount and mount again failed", 0, err);
	} else {
		for (unsigned int i = 0; i < fs_torture_shared.nr_threads; i++)
			if (fs_torture_shared.per_thread[i].buf)
				for (unsigned int k = 0; k < FT_FILES; k++)
					ft_verify(&fs_torture_shared.per_thread[i], k);
		if ((err = sys_umount(fs_torture_shared.dir)))
			ft_error(&fs_torture_shared.per_thread[0], "final umount failed", 0, err);
	}
	for (unsigned int i = 0; i < fs_torture_shared.nr_threads; i++)
		kfree(fs_torture_shared.per_thread[i].buf);
	ft_report("end: ");
	torture_verdict("fs", stopped, atomic64_read(&fs_torture_shared.errors));
	mutex_unlock(&ft_mutex);
	return 0;
}

TORTURE("fs", "[--seconds S] [--dev vda]",
	"threads on every CPU create, write, truncate, rename, delete and verify files on ext2",
	fs_torture);
