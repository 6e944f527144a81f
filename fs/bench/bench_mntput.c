/*
 * `bench mntput` (fs/mnt_count.c, fs/mnt_longterm.c): every CPU loops mntget + mntput on one
 * shared mount. An op is one pair. Variants:
 *   longterm   a clone_private_mount, as overlayfs gets since Linux 5.8 ("ovl: make private
 *              mounts longterm"): mntput's fast path (this CPU's counter, no lock)
 *   detached   the same mount made short-term, as before 5.8: every mntput takes the
 *              global mount_lock and sums every CPU's counter
 * The extra key locks_per_op counts mount_lock acquisitions per op (1 and 0 expected).
 */
#include "kernel/bench/bench.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "kernel/rcu/rcu.h"
#include "lib/printf.h"

struct mp_data {
	struct vfsmount *mnt;
	bool longterm;
	uint64_t locks_before, ops;
};

static struct mp_data mp_state;

static int mp_setup(bool longterm, void **data)
{
	struct path p;
	int err;

	if ((err = kern_path("/tmp", 0, &p)))
		return err;
	err = clone_private_mount(&p, &mp_state.mnt);
	path_put(&p);
	if (err)
		return err;
	mp_state.longterm = longterm;
	if (!longterm) {
		mnt_make_shortterm(mp_state.mnt);
		synchronize_rcu();
	}
	mp_state.locks_before = mnt_count_stats().mount_lock_taken;
	mp_state.ops = 0;
	*data = &mp_state;
	return 0;
}

static int mp_setup_longterm(unsigned int n, void **data)
{
	(void)n;
	return mp_setup(true, data);
}

static int mp_setup_detached(unsigned int n, void **data)
{
	(void)n;
	return mp_setup(false, data);
}

static uint64_t mp_run(struct bench_thread *b)
{
	struct mp_data *d = b->data;
	uint64_t ops = 0;

	while (!*b->stop) {
		mntget(d->mnt);
		mntput(d->mnt);
		ops++;
	}
	__atomic_add_fetch(&d->ops, ops, __ATOMIC_RELAXED);
	return ops;
}

static void mp_teardown(void *data, char *extra, size_t size)
{
	struct mp_data *d = data;
	uint64_t locks = mnt_count_stats().mount_lock_taken - d->locks_before;

	snprintf(extra, size, " locks_per_op=%llu.%03llu", (unsigned long long)(locks / (d->ops ? d->ops : 1)),
		 (unsigned long long)(locks * 1000 / (d->ops ? d->ops : 1) % 1000));
	if (d->longterm)
		kern_unmount(d->mnt);
	else
		mntput(d->mnt);
}

BENCHMARK(mntput, "mntget+mntput on one shared mount: longterm (Linux 5.8) against detached", 1,
	  {"longterm", mp_setup_longterm, mp_run, mp_teardown},
	  {"detached", mp_setup_detached, mp_run, mp_teardown});
