/*
 * tmpfs (see tmpfs.h): superblock, inode and file operations.
 *
 * Locking: the VFS holds the directory's i_rwsem around the inode operations and the file's
 * around setsize; read takes the file's i_rwsem for reading, write for writing. The page count
 * of a superblock is an atomic counter checked against the limit before each new page.
 */
#include "fs/tmpfs/tmpfs.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/super.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/slab.h"

struct tmpfs_sb {
	uint64_t max_pages; /* the size limit */
	atomic64_t used_pages;
};

static const struct inode_operations tmpfs_dir_iops, tmpfs_file_iops;
static const struct file_operations tmpfs_dir_fops, tmpfs_file_fops;

static struct tmpfs_sb *TMPFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* Takes one page of the size limit; false when the filesystem is full. */
static bool charge_page(struct super_block *sb)
{
	struct tmpfs_sb *t = TMPFS_SB(sb);

	if ((uint64_t)atomic64_add_return(1, &t->used_pages) <= t->max_pages)
		return true;
	atomic64_add_return(-1, &t->used_pages);
	return false;
}

static void uncharge_pages(struct super_block *sb, uint64_t n)
{
	atomic64_add_return(-(int64_t)n, &TMPFS_SB(sb)->used_pages);
}

static struct inode *tmpfs_get_inode(struct super_block *sb, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_mode = mode;
	if (S_ISDIR(mode)) {
		inode->i_nlink = 2; /* its own "." and its parent's entry */
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
	} else {
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
	}
	return inode;
}

static int tmpfs_mknod(struct inode *dir, struct dentry *d, umode_t mode)
{
	struct inode *inode = tmpfs_get_inode(dir->i_sb, mode);

	if (!inode)
		return -ENOMEM;
	if (S_ISDIR(mode))
		dir->i_nlink++; /* the new directory's ".." */
	d_add(d, inode);
	return 0;
}

static int tmpfs_create(struct inode *dir, struct dentry *d, umode_t mode)
{
	return tmpfs_mknod(dir, d, (mode & 07777) | S_IFREG);
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, umode_t mode)
{
	return tmpfs_mknod(dir, d, (mode & 07777) | S_IFDIR);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	(void)dir;
	d->d_inode->i_nlink--;
	d->d_inode->i_ctime_ns = current_time_ns();
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (!list_empty(&d->d_subdirs))
		return -ENOTEMPTY;
	d->d_inode->i_nlink = 0;
	dir->i_nlink--;
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *old, struct inode *ndir,
			struct dentry *new, const char *new_name)
{
	(void)new_name;
	bool is_dir = S_ISDIR(old->d_inode->i_mode);

	if (new) {
		if (is_dir && !list_empty(&new->d_subdirs))
			return -ENOTEMPTY;
		if (is_dir) {
			new->d_inode->i_nlink = 0;
			ndir->i_nlink--;
		} else {
			new->d_inode->i_nlink--;
		}
	}
	if (is_dir && odir != ndir) {
		odir->i_nlink--;
		ndir->i_nlink++;
	}
	old->d_inode->i_ctime_ns = current_time_ns();
	return 0;
}

/* i_rwsem held for writing. Shrinking frees whole pages past the end, zeroes the tail. */
static int tmpfs_setsize(struct inode *inode, uint64_t size)
{
	uint64_t before = inode->i_data.nrpages;
	uint64_t off = size & (PAGE_SIZE - 1);

	if (size < inode->i_size) {
		truncate_inode_pages(&inode->i_data, (size + PAGE_SIZE - 1) >> PAGE_SHIFT);
		unmap_mapping_pages(&inode->i_data, (size + PAGE_SIZE - 1) >> PAGE_SHIFT);
		uncharge_pages(inode->i_sb, before - inode->i_data.nrpages);
		if (off) {
			struct page *page = find_get_page(&inode->i_data, size >> PAGE_SHIFT);

			if (page) {
				memset((char *)page_address(page) + off, 0, PAGE_SIZE - off);
				put_page(page);
			}
		}
	}
	WRITE_ONCE(inode->i_size, size);
	return 0;
}

static ssize_t tmpfs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *inode = f->f_inode;
	size_t done = 0;

	down_read(&inode->i_rwsem);
	if (*pos < inode->i_size && n > inode->i_size - *pos)
		n = inode->i_size - *pos;
	while (*pos < inode->i_size && done < n) {
		uint64_t off = *pos & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		struct page *page = find_get_page(&inode->i_data, *pos >> PAGE_SHIFT);

		if (page) {
			memcpy(buf + done, (char *)page_address(page) + off, chunk);
			put_page(page);
		} else {
			memset(buf + done, 0, chunk); /* a hole */
		}
		done += chunk;
		*pos += chunk;
	}
	up_read(&inode->i_rwsem);
	return (ssize_t)done;
}

static ssize_t tmpfs_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *inode = f->f_inode;
	size_t done = 0;
	int err = 0;

	down_write(&inode->i_rwsem);
	if (f->f_flags & O_APPEND)
		*pos = inode->i_size;
	if (*pos >= inode->i_sb->s_maxbytes)
		err = -ENOSPC;
	else if (n > inode->i_sb->s_maxbytes - *pos)
		n = inode->i_sb->s_maxbytes - *pos;
	while (!err && done < n) {
		uint64_t off = *pos & (PAGE_SIZE - 1), index = *pos >> PAGE_SHIFT;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		struct page *page = find_get_page(&inode->i_data, index);

		if (!page) {
			if (!charge_page(inode->i_sb)) {
				err = -ENOSPC;
				break;
			}
			page = find_or_create_page(&inode->i_data, index);
			if (!page) {
				uncharge_pages(inode->i_sb, 1);
				err = -ENOMEM;
				break;
			}
		}
		memcpy((char *)page_address(page) + off, buf + done, chunk);
		put_page(page);
		done += chunk;
		*pos += chunk;
		if (*pos > inode->i_size)
			WRITE_ONCE(inode->i_size, *pos);
	}
	if (done)
		inode->i_mtime_ns = inode->i_ctime_ns = current_time_ns();
	up_write(&inode->i_rwsem);
	return done ? (ssize_t)done : err;
}

/* A fault in a mapping: the page, made (and charged) if it is a hole. No device: shared
   mappings of it are writable at once and never written back (mm/backing-dev.h). */
static int tmpfs_mmap_page(struct file *f, uint64_t index, struct page **out)
{
	struct inode *inode = f->f_inode;
	struct page *page;
	int err = 0;

	if ((*out = find_get_page(&inode->i_data, index)))
		return 0;
	down_write(&inode->i_rwsem); /* as write does: one creator charges the page */
	if (index >= (inode->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT)
		err = -EFAULT;
	else if ((page = find_get_page(&inode->i_data, index)))
		*out = page;
	else if (!charge_page(inode->i_sb))
		err = -ENOSPC;
	else if (!(*out = find_or_create_page(&inode->i_data, index))) {
		uncharge_pages(inode->i_sb, 1);
		err = -ENOMEM;
	}
	up_write(&inode->i_rwsem);
	return err;
}

static void tmpfs_evict_inode(struct inode *inode)
{
	uncharge_pages(inode->i_sb, inode->i_data.nrpages);
}

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct tmpfs_sb *t = TMPFS_SB(sb);
	uint64_t used = (uint64_t)atomic64_read(&t->used_pages);

	st->f_blocks = t->max_pages;
	st->f_bfree = used < t->max_pages ? t->max_pages - used : 0;
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	kfree(sb->s_fs_info);
}

static const struct super_operations tmpfs_sops = {
	.evict_inode = tmpfs_evict_inode,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

static const struct inode_operations tmpfs_dir_iops = {
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
};

static const struct inode_operations tmpfs_file_iops = {
	.setsize = tmpfs_setsize,
};

static const struct file_operations tmpfs_dir_fops = {
	.iterate = dcache_readdir,
};

static const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.mmap_page = tmpfs_mmap_page,
};

/* "size=64m" (k, m, g suffixes; bytes rounded up to pages); other options are errors. */
static int parse_size(const char *options, uint64_t *pages)
{
	uint64_t v = 0;
	const char *p;

	if (!options[0])
		return 0;
	if (strncmp(options, "size=", 5) || !options[5])
		return -EINVAL;
	for (p = options + 5; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (*p == 'k' || *p == 'K')
		v <<= 10, p++;
	else if (*p == 'm' || *p == 'M')
		v <<= 20, p++;
	else if (*p == 'g' || *p == 'G')
		v <<= 30, p++;
	if (*p || v == 0)
		return -EINVAL;
	*pages = (v + PAGE_SIZE - 1) >> PAGE_SHIFT;
	return 0;
}

static int tmpfs_fill_super(struct super_block *sb, const char *source, const char *options)
{
	struct tmpfs_sb *t = kzalloc(sizeof(*t));
	struct inode *root;
	int err;

	(void)source;
	if (!t)
		return -ENOMEM;
	/* The default, as Linux's shmem: half of the RAM the allocator manages. */
	t->max_pages = page_alloc_stats.managed_pages / 2;
	if ((err = parse_size(options, &t->max_pages))) {
		kfree(t);
		return err;
	}
	sb->s_fs_info = t;
	sb->s_op = &tmpfs_sops;
	root = tmpfs_get_inode(sb, S_IFDIR | 0755);
	if (!root || !(sb->s_root = d_make_root(root))) {
		if (root)
			iput(root);
		kfree(t);
		sb->s_fs_info = NULL;
		return -ENOMEM;
	}
	return 0;
}

static struct file_system_type tmpfs_type = {
	.name = "tmpfs",
	.fill_super = tmpfs_fill_super,
};

/* Registers the tmpfs type. Boot, once (vfs_init), before the root mount. */
void init_tmpfs(void)
{
	register_filesystem(&tmpfs_type);
}
