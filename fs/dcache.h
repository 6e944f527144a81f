/*
 * The dentry cache: the names in directories, each a struct dentry pointing at its inode and
 * at its parent. A dentry is "hashed" while the name exists: it is then in the global hash
 * table (found by parent and name) and on its parent's d_subdirs list. Every hashed dentry is
 * positive (has an inode); a lookup that finds no name leaves nothing behind.
 *
 * Lifetime: a hashed dentry stays in the cache even with no reference (tmpfs keeps its files
 * nowhere else). Unhashing it (unlink, rmdir, unmount) and dropping its last reference kill
 * it: its inode and parent are released and its memory freed after an RCU grace period, so a
 * lockless path walk (fs/namei.c) standing on it reads valid memory. Each dentry holds a
 * reference on its parent, so a directory outlives its entries.
 *
 * Locking: a directory's entries change with its inode's i_rwsem held for writing;
 * dcache_hash_lock covers the hash chains and d_subdirs lists for the lockless readers'
 * sake; d_move (rename) also holds rename_lock for writing, which RCU walkers check.
 */
#ifndef FS_DCACHE_H
#define FS_DCACHE_H

#include "fs/fs.h"
#include "kernel/locking/seqlock.h"

#define DCACHE_HASHED 0x1 /* in the hash table and on the parent's d_subdirs */
#define DENTRY_DEAD   (-128) /* d_count once killed: no reference can be taken again */

struct dentry {
	atomic_t d_count;
	unsigned int d_flags;	/* DCACHE_*; changed under dcache_hash_lock */
	unsigned int d_mounted; /* mounts on this dentry; under mount_lock */
	struct inode *d_inode;	/* NULL until d_add */
	struct dentry *d_parent; /* itself for a root */
	struct super_block *d_sb;
	struct hlist_node d_hash;
	struct list_head d_child;   /* on d_parent->d_subdirs */
	struct list_head d_subdirs; /* this directory's entries */
	uint32_t d_hashval;
	unsigned int d_len;
	uint64_t d_seq; /* rises along d_parent->d_subdirs: where readdir resumes */
	struct rcu_head d_rcu;
	char d_name[NAME_MAX + 1];
};

extern seqlock_t rename_lock;

void dcache_init(void);

/* A new negative, unhashed dentry for name under parent (parent gets a reference). */
struct dentry *d_alloc(struct dentry *parent, const char *name, unsigned int len);
/* The root dentry of a new superblock, holding root's reference. */
struct dentry *d_make_root(struct inode *root);
/* Gives the negative dentry its inode (taking over the caller's reference) and hashes it. */
void d_add(struct dentry *dentry, struct inode *inode);
/* Unhashes a dentry (its name is gone: unlink, rmdir); it dies with its last reference. */
void d_delete(struct dentry *dentry);

struct dentry *dget(struct dentry *dentry);
/* Takes a reference unless the dentry is being killed (lockless walkers); false then. */
bool dget_unless_dead(struct dentry *dentry);
void dput(struct dentry *dentry);

/* The hashed child of parent named name, with a reference, or NULL. parent's i_rwsem held. */
struct dentry *d_lookup(struct dentry *parent, const char *name, unsigned int len);
/* The same under rcu_read_lock, without a reference: check rename_lock after using it. */
struct dentry *__d_lookup_rcu(struct dentry *parent, const char *name, unsigned int len);

/* Moves dentry under new_parent with a new name (rename); both directories locked. */
void d_move(struct dentry *dentry, struct dentry *new_parent, const char *name, unsigned int len);

/* Kills every dentry of a superblock being unmounted; returns how many were still in use. */
unsigned int shrink_dcache_sb(struct super_block *sb);

/* readdir of a directory whose every entry is in the dcache (tmpfs). */
int dcache_readdir(struct file *f, struct dir_context *ctx);

static inline bool d_unhashed(const struct dentry *d)
{
	return !(READ_ONCE(d->d_flags) & DCACHE_HASHED);
}

static inline bool d_mountpoint(const struct dentry *d)
{
	return READ_ONCE(d->d_mounted) != 0;
}

uint64_t nr_dentries(void);

/* "/a/b" for path, as seen from the namespace root (fs/d_path.c); 0 or -ENAMETOOLONG. */
int d_path(const struct path *path, char *buf, size_t size);

#endif
