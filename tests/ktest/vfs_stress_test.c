/*
 * KTAP suite "vfs_stress": the file system calls under failure and under load, on tmpfs in
 * /tmp/vfs_test (the fixture and its checks: vfs_fixture.h).
 *
 *  - an allocation failure injected at each allocation in turn of open (a new and an existing
 *    file), mkdir and write: -ENOMEM (write: a short write once a page is in), and no file,
 *    inode, dentry, page, object or mount writer left behind;
 *  - a thread per CPU creating, writing, reading back, renaming and unlinking its own files in
 *    one directory (and racing for O_EXCL names) while another lists and looks it up.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
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
	return (struct mem){
		slab_objects_in_use(), pages_not_leaked(),     nr_files(),
		nr_inodes(),	       nr_dentries(),	       nr_pagecache_pages(),
		tmpfs_used(TEST_DIR),  tmpfs_inodes(TEST_DIR), mnt_get_writers(root_mnt())};
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
 * open(O_CREAT) of a new name fails at each allocation in turn: the struct file, the dentry,
 * the inode. sys_open allocates the struct file before the lookup creates anything (as Linux's
 * path_openat), so no failure leaves the new file behind, and nothing else remains either.
 */
static void test_enomem_in_open_create(struct ktest *t)
{
	unsigned int nth, made = 0;
	struct kstat st;

	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		unsigned long injected = alloc_fail_injected();
		int fd;

		alloc_fail_inject(nth);
		fd = sys_open(TEST_DIR "/new", O_RDWR | O_CREAT | O_EXCL, 0644);
		alloc_fail_cancel();
		if (fd >= 0) {
			EXPECT_EQ(t, alloc_fail_injected(), injected);
			EXPECT_EQ(t, sys_close(fd), 0);
			EXPECT_EQ(t, sys_unlink(TEST_DIR "/new"), 0);
			break;
		}
		EXPECT_EQ(t, fd, -ENOMEM);
		EXPECT_EQ(t, alloc_fail_injected(), injected + 1);
		if (sys_stat(TEST_DIR "/new", &st) == 0) {
			made++;
			EXPECT_EQ(t, st.size, 0u);
			EXPECT_EQ(t, sys_unlink(TEST_DIR "/new"), 0);
		}
		if (!expect_mem(t, &m, nth))
			break;
	}
	ktest_log(t, "open(O_CREAT) succeeded with allocation %u failing; %u left the file", nth,
		  made);
	EXPECT_GE(t, nth, 4u); /* file, dentry, inode: three sites */
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
	EXPECT_EQ(t, made, 0u);
}

static void test_enomem_in_open_existing(struct ktest *t)
{
	unsigned int nth;

	ASSERT_EQ(t, make_file(TEST_DIR "/f", "data", 4), 0);
	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		unsigned long injected = alloc_fail_injected();
		int fd;

		alloc_fail_inject(nth);
		fd = sys_open(TEST_DIR "/f", O_RDWR, 0);
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
	EXPECT_TRUE(t, file_is(TEST_DIR "/f", "data", 4));
}

static void test_enomem_in_mkdir(struct ktest *t)
{
	unsigned int nth;
	struct kstat st;

	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		int err;

		alloc_fail_inject(nth);
		err = sys_mkdir(TEST_DIR "/dir", 0755);
		alloc_fail_cancel();
		if (!err)
			break;
		EXPECT_EQ(t, err, -ENOMEM);
		EXPECT_EQ(t, sys_stat(TEST_DIR "/dir", &st), -ENOENT);
		if (!expect_mem(t, &m, nth))
			break;
	}
	EXPECT_GE(t, nth, 3u); /* dentry, inode */
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
	EXPECT_EQ(t, sys_stat(TEST_DIR "/dir", &st), 0);
	EXPECT_EQ(t, st.nlink, 2u);
	EXPECT_EQ(t, sys_stat(TEST_DIR, &st), 0);
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
		int fd = sys_open(TEST_DIR "/w", O_RDWR | O_CREAT | O_EXCL, 0644);
		uint64_t used = tmpfs_used(TEST_DIR);
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
		EXPECT_EQ(t, tmpfs_used(TEST_DIR), used + st.blocks / (PAGE_SIZE / 512));
		EXPECT_EQ(t, sys_close(fd), 0);
		EXPECT_EQ(t, sys_unlink(TEST_DIR "/w"), 0);
		if (!expect_mem(t, &m, nth) || w == (ssize_t)len)
			break;
	}
	*sites = nth - 1;
	kfree(buf);
}

static void test_enomem_in_write(struct ktest *t)
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

		snprintf(a, sizeof(a), TEST_DIR "/race/w%u_%u", cpu, i % 3);
		snprintf(b, sizeof(b),
			 i % 4 == 3 ? TEST_DIR "/race/sub/r%u_%u" : TEST_DIR "/race/r%u_%u", cpu,
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
			snprintf(a, sizeof(a), TEST_DIR "/race/x%u", i);
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
		int calls = list_dir(TEST_DIR "/race", l, 5);

		RACE_CHECK(r, calls > 0);
		RACE_CHECK(r, l->n >= 3 && !strcmp(l->name[0], ".") && !strcmp(l->name[1], ".."));
		atomic64_inc(&r->listings);
		for (unsigned int i = 2; i < l->n && i < MAX_NAMES; i++) {
			const char *name = l->name[i];
			int err;

			RACE_CHECK(r, name[0] == 'w' || name[0] == 'r' || name[0] == 'x' ||
					      !strcmp(name, "sub"));
			snprintf(path, sizeof(path), TEST_DIR "/race/%s", name);
			err = sys_stat(path, &st); /* it may have gone since */
			RACE_CHECK(r, err == 0 || err == -ENOENT);
			if (!err && name[0] != 's')
				RACE_CHECK(r, S_ISREG(st.mode) && st.size <= RACE_MAX);
			atomic64_inc(&r->seen);
		}
		RACE_CHECK(r, sys_stat(TEST_DIR "/race/never", &st) == -ENOENT);
		RACE_CHECK(r, sys_stat(TEST_DIR "/race/sub/..", &st) == 0 && S_ISDIR(st.mode));
		atomic64_inc(&r->looked_up);
	}
	kfree(l);
	return 0;
}

static void test_every_cpu_in_one_directory(struct ktest *t)
{
	static struct race race;
	struct thread *workers[NR_CPUS] = {0}, *lister;
	struct names *l = kzalloc(sizeof(*l));
	uint64_t inodes, pages;
	unsigned int cpu, started = 0;
	char path[48];

	ASSERT_NOT_NULL(t, l);
	memset((void *)&race, 0, sizeof(race));
	if (!EXPECT_EQ(t, sys_mkdir(TEST_DIR "/race", 0755), 0) ||
	    !EXPECT_EQ(t, sys_mkdir(TEST_DIR "/race/sub", 0755), 0))
		goto out;
	inodes = tmpfs_inodes(TEST_DIR);
	pages = nr_pagecache_pages();
	lister = kthread_run(race_lister, &race, "ktest-vfs-ls");
	if (!EXPECT_NOT_NULL(t, lister))
		goto out;
	for_each_cpu(cpu, &cpu_online_mask) {
		workers[cpu] = kthread_create(race_worker, &race, "ktest-vfs/%u", cpu);
		if (!EXPECT_NOT_NULL(t, workers[cpu]))
			break;
		kthread_bind(workers[cpu], cpu);
		wake_up_new_thread(workers[cpu]);
		started++;
	}
	for_each_cpu(cpu, &cpu_online_mask)
		if (workers[cpu])
			EXPECT_EQ(t, kthread_join(workers[cpu]), 0);
	WRITE_ONCE(race.stop, true);
	EXPECT_EQ(t, kthread_join(lister), 0);
	ktest_log(t, "%u threads x %u files; %lld listings saw %lld names", started, RACE_ITERS,
		  (long long)atomic64_read(&race.listings), (long long)atomic64_read(&race.seen));
	if (!EXPECT_EQ(t, atomic_read(&race.errors), 0))
		ktest_log(t, "first failed check at line %d", race.first_bad_line);
	EXPECT_GT(t, atomic64_read(&race.listings), 0);
	/* Each O_EXCL name was made by exactly one thread. */
	for (unsigned int k = 0; k < RACE_EXCL; k++) {
		EXPECT_EQ(t, atomic_read(&race.excl_wins[k]), 1);
		snprintf(path, sizeof(path), TEST_DIR "/race/x%u", k);
		EXPECT_EQ(t, sys_unlink(path), 0);
	}
	/* What is left: the subdirectory, empty; the counts where they started. */
	EXPECT_EQ(t, list_dir(TEST_DIR "/race", l, 0), 2);
	EXPECT_EQ(t, l->n, 3u);
	EXPECT_EQ(t, find_name(l, "sub"), 2);
	EXPECT_EQ(t, list_dir(TEST_DIR "/race/sub", l, 0), 2);
	EXPECT_EQ(t, l->n, 2u);
	EXPECT_EQ(t, tmpfs_inodes(TEST_DIR), inodes);
	EXPECT_EQ(t, nr_pagecache_pages(), pages);
out:
	kfree(l);
}

KTEST_SUITE_HOOKS(vfs_stress, vfs_case_init, vfs_case_exit, KTEST_CASE(test_enomem_in_open_create),
		  KTEST_CASE(test_enomem_in_open_existing), KTEST_CASE(test_enomem_in_mkdir),
		  KTEST_CASE(test_enomem_in_write), KTEST_CASE(test_every_cpu_in_one_directory));
