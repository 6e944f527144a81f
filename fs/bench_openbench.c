/*
 * `bench openbench`: the seed's benchmark. Each CPU loops open(O_WRONLY), write 3 bytes,
 * close, on files of its own; an op is one such triple. The variants are the writer-count
 * modes of fs/mnt_writers.c, each on one mount (both of a thread's files on one mount) and on a
 * pair of mounts (its two files on two mounts, used in turn: the seed's worst case, where the
 * one-mount-per-CPU cache of seed-cache is flushed at every open).
 *
 * What to read in the results (docs/mounts.md):
 *   - percpu's 2-CPU/1-CPU throughput (each CPU writes only its own counter);
 *   - atomic's beside it (every open and close bounce one shared line);
 *   - percpu over none at 1 CPU on the pair: the cost of counting at all (the seed: 3%);
 *   - seed-cache one over pair: the cache's penalty.
 *
 * The mounts are fresh tmpfs mounts under /tmp, made by setup and removed by teardown.
 */
#include "kernel/bench/bench.h"
#include "fs/mount.h"
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
		if ((err = sys_mkdir(dir, 0755)) || (err = sys_mount("openbench", dir, "tmpfs", 0, opts)))
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
	ob_state = (struct ob_data){cfg, nr_threads};
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
	(void)data;
	(void)extra;
	(void)size;
	ob_teardown_mounts();
}

#define OB_VARIANT(name_, mode_, pair_)                                                  \
	static const struct ob_config ob_cfg_##name_ = {mode_, pair_};                     \
	static int ob_setup_##name_(unsigned int n, void **data)                            \
	{                                                                                   \
		return ob_setup(&ob_cfg_##name_, n, data);                                  \
	}

OB_VARIANT(percpu_one, WRITERS_PERCPU, false)
OB_VARIANT(percpu_pair, WRITERS_PERCPU, true)
OB_VARIANT(atomic_one, WRITERS_ATOMIC, false)
OB_VARIANT(atomic_pair, WRITERS_ATOMIC, true)
OB_VARIANT(cache_one, WRITERS_SEED_CACHE, false)
OB_VARIANT(cache_pair, WRITERS_SEED_CACHE, true)
OB_VARIANT(none_one, WRITERS_NONE, false)
OB_VARIANT(none_pair, WRITERS_NONE, true)

BENCHMARK(openbench, "open, write 3 bytes, close per CPU: writer-count modes, one mount or a pair",
	  1, {"percpu-one", ob_setup_percpu_one, ob_run, ob_teardown},
	  {"percpu-pair", ob_setup_percpu_pair, ob_run, ob_teardown},
	  {"atomic-one", ob_setup_atomic_one, ob_run, ob_teardown},
	  {"atomic-pair", ob_setup_atomic_pair, ob_run, ob_teardown},
	  {"seed-cache-one", ob_setup_cache_one, ob_run, ob_teardown},
	  {"seed-cache-pair", ob_setup_cache_pair, ob_run, ob_teardown},
	  {"none-one", ob_setup_none_one, ob_run, ob_teardown},
	  {"none-pair", ob_setup_none_pair, ob_run, ob_teardown});
