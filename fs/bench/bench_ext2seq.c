/*
 * `bench ext2seq`: sequential throughput of a 16 MiB file through ext2 on vda (mounted at
 * /tmp/ext2bench for the run), to set beside `bench blkraw`'s raw figures. Thread 0 does the
 * work (the other threads only wait), one op per 16 MiB:
 *
 *	write	    open(O_TRUNC), 1 MiB writes, fsync: page cache, block allocation, writeback
 *	read-cached read in 1 MiB calls with the file's pages in the page cache: memory copies
 *	read-cold   the file's (clean) pages dropped before each pass, so readpage reads the disk,
 *		    4 KiB per request (the indirect blocks stay in the buffer cache)
 *
 * The BENCH line adds mb_per_s= (10^6 bytes per second of thread 0's passes).
 */
#include "kernel/bench/bench.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/sched/sleep.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define SEQ_DIR	  "/tmp/ext2bench"
#define SEQ_FILE  SEQ_DIR "/seq16m"
#define SEQ_SIZE  (16u << 20)
#define SEQ_CHUNK (1u << 20)

enum seq_kind { SEQ_WRITE, SEQ_READ_CACHED, SEQ_READ_COLD };

static struct seq_state {
	enum seq_kind kind;
	char *buf;
	uint64_t bytes, ns;
	int errors;
} ext2seq_state;

static int seq_write_file(void)
{
	int fd = sys_open(SEQ_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644), err = 0;

	if (fd < 0)
		return fd;
	for (uint32_t off = 0; off < SEQ_SIZE && !err; off += SEQ_CHUNK)
		if (sys_write(fd, ext2seq_state.buf, SEQ_CHUNK) != SEQ_CHUNK)
			err = -EIO;
	if (!err)
		err = sys_fsync(fd);
	sys_close(fd);
	return err;
}

/* Drops the file's pages (clean after fsync) from the page cache. */
static void seq_drop_pages(void)
{
	struct path p;

	if (kern_path(SEQ_FILE, 0, &p))
		return;
	down_write(&p.dentry->d_inode->i_rwsem);
	truncate_inode_pages(&p.dentry->d_inode->i_data, 0);
	up_write(&p.dentry->d_inode->i_rwsem);
	path_put(&p);
}

static int seq_read_file(void)
{
	int fd = sys_open(SEQ_FILE, O_RDONLY, 0), err = 0;

	if (fd < 0)
		return fd;
	for (uint32_t off = 0; off < SEQ_SIZE && !err; off += SEQ_CHUNK)
		if (sys_read(fd, ext2seq_state.buf, SEQ_CHUNK) != SEQ_CHUNK)
			err = -EIO;
	sys_close(fd);
	return err;
}

static int seq_setup(enum seq_kind kind, void **data)
{
	struct kstat st;
	int err;

	memset(&ext2seq_state, 0, sizeof(ext2seq_state));
	ext2seq_state.kind = kind;
	if (!(ext2seq_state.buf = kmalloc(SEQ_CHUNK)))
		return -ENOMEM;
	for (uint32_t i = 0; i < SEQ_CHUNK; i++)
		ext2seq_state.buf[i] = (char)(i * 31 + (i >> 12));
	sys_mkdir(SEQ_DIR, 0755);
	if ((err = sys_mount("vda", SEQ_DIR, "ext2", 0, NULL))) {
		kfree(ext2seq_state.buf);
		return err;
	}
	if (kind != SEQ_WRITE && (sys_stat(SEQ_FILE, &st) || st.size != SEQ_SIZE) &&
	    (err = seq_write_file())) {
		sys_umount(SEQ_DIR);
		kfree(ext2seq_state.buf);
		return err;
	}
	if (kind == SEQ_READ_CACHED)
		seq_read_file(); /* every page in the cache before timing */
	*data = &ext2seq_state;
	return 0;
}

static uint64_t seq_run(struct bench_thread *t)
{
	uint64_t ops = 0, start;

	if (t->index != 0) {
		while (!*t->stop)
			msleep(5);
		return 0;
	}
	while (!*t->stop) {
		int err;

		if (ext2seq_state.kind == SEQ_READ_COLD)
			seq_drop_pages(); /* not timed */
		start = ktime_ns();
		err = ext2seq_state.kind == SEQ_WRITE ? seq_write_file() : seq_read_file();
		ext2seq_state.ns += ktime_ns() - start;
		if (err) {
			ext2seq_state.errors++;
			break;
		}
		ext2seq_state.bytes += SEQ_SIZE;
		ops++;
	}
	return ops;
}

static void seq_teardown(void *data, char *extra, size_t size)
{
	(void)data;
	if (ext2seq_state.ns) {
		uint64_t centi = ext2seq_state.bytes * 100000 / ext2seq_state.ns;

		snprintf(extra, size, " mb_per_s=%llu.%02llu mib=%llu errors=%d",
			 (unsigned long long)(centi / 100), (unsigned long long)(centi % 100),
			 (unsigned long long)(ext2seq_state.bytes >> 20), ext2seq_state.errors);
	}
	sys_umount(SEQ_DIR);
	kfree(ext2seq_state.buf);
	ext2seq_state.buf = NULL;
}

static int seq_setup_write(unsigned int n, void **data)
{
	(void)n;
	return seq_setup(SEQ_WRITE, data);
}

static int seq_setup_read_cached(unsigned int n, void **data)
{
	(void)n;
	return seq_setup(SEQ_READ_CACHED, data);
}

static int seq_setup_read_cold(unsigned int n, void **data)
{
	(void)n;
	return seq_setup(SEQ_READ_COLD, data);
}

LATENCY_BENCHMARK(ext2seq, "sequential write (with fsync) and read of a 16 MiB file on ext2 (vda)",
		  1, {"write", seq_setup_write, seq_run, seq_teardown},
		  {"read-cached", seq_setup_read_cached, seq_run, seq_teardown},
		  {"read-cold", seq_setup_read_cold, seq_run, seq_teardown});
