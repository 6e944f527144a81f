/*
 * struct file: allocation, references, and the release that ends an open (see file.h).
 */
#include "fs/file.h"
#include "fs/dcache.h"
#include "fs/mount.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "mm/slab.h"

static struct kmem_cache *file_cache;
/*
 * Open files, counted per CPU like the mounts' writers: an open on one CPU and its close on
 * another leave +1 and -1, and only the sum (nr_files) means anything. One shared counter would
 * be a cache line that every open and close on every CPU writes.
 */
static DEFINE_PER_CPU(int64_t, open_files);

static void count_open_files(int64_t n)
{
	preempt_disable();
	*this_cpu_ptr(&open_files) += n;
	preempt_enable();
}

/* Makes the file slab cache. Boot; panics without memory. */
void files_init(void)
{
	/* Opens and closes run on every CPU at once: per-CPU arrays keep them off one lock. */
	file_cache = kmem_cache_create_percpu("file", sizeof(struct file), 64);
	if (!file_cache)
		panic("files_init: no memory for the file cache");
}

/*
 * Opening is in two steps, as Linux's path_openat: the struct file first, before the lookup
 * creates anything, so running out of memory cannot leave a new empty file behind; then, once
 * the path is known, file_bind_path binds it. Returns the empty file, or NULL when memory ran
 * out. An empty file that is not bound is given back with put_empty_file.
 */
struct file *alloc_empty_file(void)
{
	return kmem_cache_zalloc(file_cache);
}

/* Binds an empty file to path (taking new references on its mount and dentry) with the open's
   flags and FMODE_* mode; the file then holds one reference, the caller's. */
void file_bind_path(struct file *f, const struct path *path, unsigned int flags, unsigned int mode)
{
	f->f_path = *path;
	path_get(path);
	f->f_inode = path->dentry->d_inode;
	f->f_op = f->f_inode->i_fop;
	f->f_flags = flags;
	f->f_mode = mode;
	atomic_set(&f->f_count, 1);
	mutex_init(&f->f_pos_lock, "f_pos_lock");
	count_open_files(1);
}

/* Gives back a file alloc_empty_file returned and nobody bound. */
void put_empty_file(struct file *f)
{
	kmem_cache_free(file_cache, f);
}

/* One more reference on f; the caller holds one already. Returns f. */
struct file *get_file(struct file *f)
{
	atomic_inc(&f->f_count);
	return f;
}

/* The last reference: the write reference goes (on whatever CPU runs this), then the path. */
static void __fput(struct file *f)
{
	if (f->f_mode & FMODE_WRITE_REF)
		mnt_drop_write(f->f_path.mnt);
	path_put(&f->f_path);
	count_open_files(-1);
	kmem_cache_free(file_cache, f);
}

/* Drops a reference on f; the last one releases it (its write reference on the mount, then
   its path), on whatever CPU runs this. May sleep. */
void fput(struct file *f)
{
	int left = atomic_add_return(-1, &f->f_count);

	if (left < 0)
		panic("fput: file count went below zero");
	if (left == 0)
		__fput(f);
}

/* Open files in all threads together, the per-CPU counts summed (a leak check). */
uint64_t nr_files(void)
{
	int64_t sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(*per_cpu_ptr(&open_files, cpu));
	return (uint64_t)sum;
}
