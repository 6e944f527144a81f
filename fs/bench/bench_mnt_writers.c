/*
 * The benchmarks of the writer counts (fs/mnt_writers.c), on the writer-count modes of
 * fs/mnt_writers_variants.c, each on a pair of mounts (each thread's two files, or two calls,
 * on two mounts used in turn) and on one mount. The pair is the worst case "r/o bind mounts:
 * track numbers of writers to mounts" (Linux 2.6.26) measured itself on: its one-mount-per-CPU
 * cache (cpu-cache) flushes at every open.
 *
 * The first variant is none-pair, no counting on the pair, the kernel before that patch: the
 * summary of --repeat gives every other variant "vs none-pair", so that its rows read
 *   - cpu-cache-pair vs none-pair: the patch's own worst case, which it reported as 3% slower
 *     (0.97) in its openbench;
 *   - percpu-pair vs none-pair beside it: the same comparison for Linux's rewrite (2.6.29,
 *     per-mount per-CPU counters and WRITE_HOLD, what Linux does today);
 *   - atomic-pair vs none-pair: the shared atomic the patch rejects;
 * and the scaling column (2 CPUs over 1) shows percpu's per-CPU lines against atomic's one.
 *
 * `bench openbench`, after the benchmark that patch was measured with: each CPU loops
 * open(O_WRONLY), write 3 bytes, close, on files of its own; an op is one such triple.
 *
 * `bench mntwrite`: the counting alone, mnt_want_write + mnt_drop_write in a loop, without the
 * open, write and close around it (under TCG they cost some 10 us and hide most of the
 * differences). Its ns per op against openbench's is the share of an open-write-close that
 * counting takes, and its scaling shows the shared line of atomic (and cpu-cache's flushes on
 * the pair) directly. Every mode pays the same calls: mnt_want_write and mnt_drop_write, each
 * mode's code inline in them (fs/mnt_writers_variants.h).
 *
 * The mounts are fresh tmpfs mounts under /tmp, made by setup and removed by teardown.
 */
#include "kernel/bench/bench.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define OB_DIR "/tmp/openbench"

struct ob_config {
	enum mnt_writers_mode mode;
	bool pair;
};

struct ob_data {
	const struct ob_config *cfg;
	unsigned int nr_threads;
	struct path mounts[2]; /* for mntwrite: the roots of the two mounts, referenced */
};

static struct ob_data ob_state;

static void ob_mount_dir(unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, OB_DIR "/m%u", i);
}

/* Thread t's file number k (0 or 1): on mount k for a pair, else on mount 0. */
static void ob_file(const struct ob_config *cfg, unsigned int t, unsigned int k, char *buf,
		    size_t size)
{
	snprintf(buf, size, OB_DIR "/m%u/f%u.%u", cfg->pair ? k : 0, t, k);
}

static void ob_teardown_mounts(void)
{
	for (unsigned int i = 0; i < 2; i++) {
		char dir[48];

		ob_mount_dir(i, dir, sizeof(dir));
		sys_umount(dir);
		sys_rmdir(dir);
	}
	sys_rmdir(OB_DIR);
}

static int ob_setup(const struct ob_config *cfg, unsigned int nr_threads, void **data)
{
	char opts[32], dir[48], name[64];
	int err, fd;

	ob_teardown_mounts(); /* left over from a stopped run */
	snprintf(opts, sizeof(opts), "writers=%s", writers_mode_name(cfg->mode));
	if ((err = sys_mkdir(OB_DIR, 0755)))
		return err;
	for (unsigned int i = 0; i < 2; i++) {
		ob_mount_dir(i, dir, sizeof(dir));
		if ((err = sys_mkdir(dir, 0755)) ||
		    (err = sys_mount("openbench", dir, "tmpfs", 0, opts)))
			goto fail;
	}
	for (unsigned int t = 0; t < nr_threads; t++)
		for (unsigned int k = 0; k < 2; k++) {
			ob_file(cfg, t, k, name, sizeof(name));
			if ((fd = sys_open(name, O_WRONLY | O_CREAT, 0644)) < 0) {
				err = fd;
				goto fail;
			}
			sys_close(fd);
		}
	ob_state = (struct ob_data){.cfg = cfg, .nr_threads = nr_threads};
	*data = &ob_state;
	return 0;
fail:
	ob_teardown_mounts();
	return err;
}

static uint64_t ob_run(struct bench_thread *b)
{
	const struct ob_config *cfg = ((struct ob_data *)b->data)->cfg;
	char names[2][64];
	uint64_t ops = 0;

	for (unsigned int k = 0; k < 2; k++)
		ob_file(cfg, b->index, k, names[k], sizeof(names[k]));
	while (!*b->stop) {
		int fd = sys_open(names[ops & 1], O_WRONLY, 0);

		if (fd < 0)
			break;
		sys_write(fd, "abc", 3);
		sys_close(fd);
		ops++;
	}
	return ops;
}

static void ob_teardown(void *data, char *extra, size_t size)
{
	struct ob_data *d = data;

	(void)extra;
	(void)size;
	for (unsigned int i = 0; i < 2; i++)
		if (d->mounts[i].mnt) {
			path_put(&d->mounts[i]);
			d->mounts[i] = (struct path){0};
		}
	ob_teardown_mounts();
}

/* mntwrite: openbench's mounts, and a referenced path to each mount's root. */
static int mw_setup(const struct ob_config *cfg, unsigned int nr_threads, void **data)
{
	int err = ob_setup(cfg, nr_threads, data);
	char dir[48];

	if (err)
		return err;
	for (unsigned int i = 0; !err && i < 2; i++) {
		ob_mount_dir(i, dir, sizeof(dir));
		err = kern_path(dir, 0, &ob_state.mounts[i]);
	}
	if (err)
		ob_teardown(&ob_state, NULL, 0);
	return err;
}

static uint64_t mw_run(struct bench_thread *b)
{
	struct ob_data *d = b->data;
	struct vfsmount *mnt[2] = {d->mounts[0].mnt, d->mounts[d->cfg->pair ? 1 : 0].mnt};
	uint64_t ops = 0;

	while (!*b->stop) {
		for (unsigned int i = 0; i < 64; i++, ops++) {
			if (mnt_want_write(mnt[ops & 1]))
				return ops;
			mnt_drop_write(mnt[ops & 1]);
		}
	}
	return ops;
}

#define OB_VARIANT(name_, mode_, pair_)                                                            \
	static const struct ob_config ob_cfg_##name_ = {mode_, pair_};                             \
	static int ob_setup_##name_(unsigned int n, void **data)                                   \
	{                                                                                          \
		return ob_setup(&ob_cfg_##name_, n, data);                                         \
	}                                                                                          \
	static int mw_setup_##name_(unsigned int n, void **data)                                   \
	{                                                                                          \
		return mw_setup(&ob_cfg_##name_, n, data);                                         \
	}

OB_VARIANT(none_pair, WRITERS_NONE, true)
OB_VARIANT(cache_pair, WRITERS_CPU_CACHE, true)
OB_VARIANT(percpu_pair, WRITERS_PERCPU, true)
OB_VARIANT(atomic_pair, WRITERS_ATOMIC, true)
OB_VARIANT(none_one, WRITERS_NONE, false)
OB_VARIANT(cache_one, WRITERS_CPU_CACHE, false)
OB_VARIANT(percpu_one, WRITERS_PERCPU, false)
OB_VARIANT(atomic_one, WRITERS_ATOMIC, false)

/* A benchmark's eight variants: each writer-count mode, on a pair of mounts or on one; the
   first, none-pair, is what the summary's ratios are over. */
#define OB_V(label_, setup_, name_, run_)                                                          \
	{                                                                                          \
		label_, setup_##_##name_, run_, ob_teardown                                        \
	}
#define OB_VARIANTS(setup_, run_)                                                                  \
	OB_V("none-pair", setup_, none_pair, run_),                                                \
		OB_V("cpu-cache-pair", setup_, cache_pair, run_),                                  \
		OB_V("percpu-pair", setup_, percpu_pair, run_),                                    \
		OB_V("atomic-pair", setup_, atomic_pair, run_),                                    \
		OB_V("none-one", setup_, none_one, run_),                                          \
		OB_V("cpu-cache-one", setup_, cache_one, run_),                                    \
		OB_V("percpu-one", setup_, percpu_one, run_),                                      \
		OB_V("atomic-one", setup_, atomic_one, run_)

BENCHMARK(openbench,
	  "open, write 3 bytes, close per CPU: writer-count modes on a pair of mounts or one; "
	  "cpu-cache-pair vs none-pair is the 2.6.26 patch's worst case (it saw 0.97)",
	  1, OB_VARIANTS(ob_setup, ob_run));

BENCHMARK(mntwrite,
	  "mnt_want_write + mnt_drop_write per CPU: writer-count modes on a pair of mounts or one",
	  1, OB_VARIANTS(mw_setup, mw_run));
