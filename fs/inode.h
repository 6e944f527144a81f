/*
 * Inodes in memory. A filesystem makes one with new_inode and sets its mode, operations and
 * size; references come from dentries (one each) and from whoever holds it for a moment
 * (ihold/iput). When the last reference goes, the page cache is emptied, the filesystem's
 * evict_inode frees what it keeps (for tmpfs: nothing more; for a disk filesystem with no
 * link left: the blocks), and the inode is freed.
 */
#ifndef FS_INODE_H
#define FS_INODE_H

#include "fs/fs.h"

void inode_init(void);

/* A new inode of sb with one reference, i_nlink 1, i_ino unique within sb; NULL if no memory. */
struct inode *new_inode(struct super_block *sb);
void ihold(struct inode *inode);
struct inode *igrab(struct inode *inode); /* NULL if it is being evicted */
void iput(struct inode *inode);

/* Fills a kstat with what the inode says. */
void generic_fillattr(struct inode *inode, struct kstat *st);
/* A character device's inode: mode, number and file operations (fs/inode.c). */
void init_special_inode(struct inode *inode, umode_t mode, unsigned int rdev,
			const struct file_operations *fops);

/* Inodes in memory, all superblocks together (a leak check). */
uint64_t nr_inodes(void);

#endif
