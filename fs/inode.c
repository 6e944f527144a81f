/*
 * Inode allocation and references (see inode.h). Inodes come from one slab cache; each
 * superblock keeps a list of its inodes (sb->s_lock) so that unmounting can tell that none
 * is left behind.
 */
#include "fs/inode.h"
#include "kernel/panic.h"
#include "kernel/tick.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"

static struct kmem_cache *inode_cache;
static atomic64_t inodes_in_memory;

/* The time in ns since boot (the TSC), for mtime and ctime. Any context. */
uint64_t current_time_ns(void)
{
	return tsc_to_ns(rdtsc());
}

/* Makes the inode slab cache. Boot, before any filesystem is mounted; panics without memory. */
void inode_init(void)
{
	inode_cache = kmem_cache_create("inode", sizeof(struct inode), 64);
	if (!inode_cache)
		panic("inode_init: no memory for the inode cache");
}

/*
 * A new inode of sb: one reference, i_nlink 1, i_ino unique within the kernel, times now, an empty
 * page cache, on sb's inode list. The filesystem sets its mode, operations and size. NULL without
 * memory. Takes sb->s_lock; does not sleep.
 */
struct inode *new_inode(struct super_block *sb)
{
	static atomic64_t next_ino;
	struct inode *inode;

	if (!(inode = kmem_cache_zalloc(inode_cache)))
		return NULL;
	inode->i_ino = (uint64_t)atomic64_add_return(1, &next_ino);
	inode->i_nlink = 1;
	inode->i_sb = sb;
	atomic_set(&inode->i_count, 1);
	inode->i_mtime_ns = inode->i_ctime_ns = current_time_ns();
	init_rwsem(&inode->i_rwsem, "i_rwsem");
	mapping_init(&inode->i_data, NULL, inode);
	spin_lock(&sb->s_lock);
	list_add(&inode->i_sb_list, &sb->s_inodes);
	sb->s_nr_inodes++;
	spin_unlock(&sb->s_lock);
	atomic64_inc(&inodes_in_memory);
	return inode;
}

/*
 * Takes another reference on an inode the caller already holds one on (panics otherwise). Does not
 * sleep.
 */
void ihold(struct inode *inode)
{
	if (atomic_add_return(1, &inode->i_count) < 2)
		panic("ihold: inode %llu had no reference", (unsigned long long)inode->i_ino);
}

/*
 * A new reference to inode, or NULL if it is already on its way out (its count reached zero:
 * whoever dropped the last one evicts it, and writes it). Lockless; never sleeps.
 */
struct inode *igrab(struct inode *inode)
{
	int c = atomic_read(&inode->i_count);

	while (c > 0) {
		int seen = atomic_cmpxchg(&inode->i_count, c, c + 1);

		if (seen == c)
			return inode;
		c = seen;
	}
	return NULL;
}

static void free_inode_rcu(struct rcu_head *head)
{
	kmem_cache_free(inode_cache, container_of(head, struct inode, i_rcu));
}

/*
 * Drops a reference (NULL is allowed). The last one evicts the inode: the filesystem's evict_inode
 * (which for a disk filesystem may write, and free the blocks of an unlinked file), then its page
 * cache goes, and its memory after a grace period. May sleep when it drops the last reference: no
 * spinlock held.
 */
void iput(struct inode *inode)
{
	struct super_block *sb;

	if (!inode || !atomic_dec_and_test(&inode->i_count))
		return;
	sb = inode->i_sb;
	if (sb->s_op && sb->s_op->evict_inode) /* before the pages go: it may count them */
		sb->s_op->evict_inode(inode);
	truncate_inode_pages(&inode->i_data, 0);
	spin_lock(&sb->s_lock);
	list_del(&inode->i_sb_list);
	sb->s_nr_inodes--;
	spin_unlock(&sb->s_lock);
	atomic64_add_return(-1, &inodes_in_memory);
	call_rcu(&inode->i_rcu, free_inode_rcu);
}

/* Fills *st from what the inode says (no lock: a racing change may show half of itself). */
void generic_fillattr(struct inode *inode, struct kstat *st)
{
	st->ino = inode->i_ino;
	st->mode = inode->i_mode;
	st->nlink = inode->i_nlink;
	st->size = inode->i_size;
	st->blocks = inode->i_data.nrpages * (PAGE_SIZE / 512);
	st->mtime_ns = inode->i_mtime_ns;
	st->ctime_ns = inode->i_ctime_ns;
	st->dev = inode->i_sb->s_dev;
	st->rdev = inode->i_rdev;
}

/*
 * Makes inode, new and not yet reachable by others, a character device (as Linux's
 * init_special_inode): its type and permissions from mode, its number rdev, and fops as the
 * file operations every open of it gets. The filesystem keeps the inode; only its files
 * change.
 */
void init_special_inode(struct inode *inode, umode_t mode, unsigned int rdev,
			const struct file_operations *fops)
{
	inode->i_mode = S_IFCHR | (mode & 07777);
	inode->i_rdev = rdev;
	inode->i_fop = fops;
}

/* Inodes in memory, all superblocks together (a leak check). */
uint64_t nr_inodes(void)
{
	return (uint64_t)atomic64_read(&inodes_in_memory);
}
