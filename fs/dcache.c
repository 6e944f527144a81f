/*
 * The dentry cache (see dcache.h): a hash table of names keyed by (parent, name), each
 * dentry's reference count, and the killing of dentries that are unhashed and unreferenced.
 *
 * Killing races with lockless lookups, which may find a dentry in a hash chain just before it
 * is unhashed and then take a reference. The count settles it: a killer moves it from 0 to
 * DENTRY_DEAD with a compare-and-swap, a lookup moves it from n >= 0 to n + 1 the same way, so
 * exactly one wins. Both dput (count to 0, then look at the flag) and d_delete (clear the flag,
 * then look at the count) try to kill; a full barrier between each one's write and read means
 * at least one of them sees both changes.
 *
 * Lock order: rename_lock, then dcache_hash_lock. Neither is held while a dentry is killed.
 */
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "kernel/panic.h"
#include "kernel/rcu/rculist.h"
#include "mm/slab.h"
#include "lib/string.h"

#define D_HASH_BITS 10
#define D_HASH_SIZE (1U << D_HASH_BITS)

DEFINE_SEQLOCK(rename_lock);
static DEFINE_SPINLOCK(dcache_hash_lock);
static struct hlist_head dentry_hashtable[D_HASH_SIZE];
static struct kmem_cache *dentry_cache;
static atomic64_t dentries;
static uint64_t last_d_seq; /* under dcache_hash_lock */

void dcache_init(void)
{
	dentry_cache = kmem_cache_create("dentry", sizeof(struct dentry), 64);
	if (!dentry_cache)
		panic("dcache_init: no memory for the dentry cache");
}

/* FNV-1a over the name, mixed with the parent's address. */
static uint32_t d_hash(const struct dentry *parent, const char *name, unsigned int len)
{
	uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)parent >> 6);

	for (unsigned int i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static struct hlist_head *d_bucket(uint32_t hash)
{
	return &dentry_hashtable[hash & (D_HASH_SIZE - 1)];
}

static void d_set_name(struct dentry *d, const char *name, unsigned int len)
{
	memcpy(d->d_name, name, len);
	d->d_name[len] = '\0';
	d->d_len = len;
	d->d_hashval = d_hash(d->d_parent, name, len);
}

static struct dentry *__d_alloc(struct super_block *sb, const char *name, unsigned int len)
{
	struct dentry *d;

	if (len > NAME_MAX || !(d = kmem_cache_zalloc(dentry_cache)))
		return NULL;
	atomic_set(&d->d_count, 1);
	d->d_sb = sb;
	d->d_parent = d;
	INIT_HLIST_NODE(&d->d_hash);
	INIT_LIST_HEAD(&d->d_child);
	INIT_LIST_HEAD(&d->d_subdirs);
	d_set_name(d, name, len);
	atomic64_inc(&dentries);
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, unsigned int len)
{
	struct dentry *d = __d_alloc(parent->d_sb, name, len);

	if (!d)
		return NULL;
	d->d_parent = dget(parent);
	d->d_hashval = d_hash(parent, name, len);
	return d;
}

struct dentry *d_make_root(struct inode *root)
{
	struct dentry *d = __d_alloc(root->i_sb, "/", 1);

	if (d)
		d->d_inode = root;
	return d;
}

void d_add(struct dentry *d, struct inode *inode)
{
	d->d_inode = inode;
	spin_lock(&dcache_hash_lock);
	d->d_seq = ++last_d_seq;
	list_add_tail(&d->d_child, &d->d_parent->d_subdirs);
	hlist_add_head_rcu(&d->d_hash, d_bucket(d->d_hashval)); /* publishes d_inode too */
	WRITE_ONCE(d->d_flags, d->d_flags | DCACHE_HASHED);
	spin_unlock(&dcache_hash_lock);
}

struct dentry *dget(struct dentry *d)
{
	if (atomic_add_return(1, &d->d_count) <= 1)
		panic("dget: dentry '%s' had no reference (count %d)", d->d_name,
		      atomic_read(&d->d_count) - 1);
	return d;
}

bool dget_unless_dead(struct dentry *d)
{
	int c = atomic_read(&d->d_count);

	while (c >= 0) {
		int seen = atomic_cmpxchg(&d->d_count, c, c + 1);

		if (seen == c)
			return true;
		c = seen;
	}
	return false;
}

static void d_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(dentry_cache, container_of(head, struct dentry, d_rcu));
}

/* Takes an unhashed dentry from 0 to dead; returns its parent to put next, or NULL. */
static struct dentry *d_kill(struct dentry *d)
{
	struct dentry *parent = d->d_parent;

	if (atomic_cmpxchg(&d->d_count, 0, DENTRY_DEAD) != 0)
		return NULL; /* a lookup took a reference first: its dput kills */
	iput(d->d_inode);
	atomic64_add_return(-1, &dentries);
	call_rcu(&d->d_rcu, d_free_rcu);
	return parent == d ? NULL : parent;
}

void dput(struct dentry *d)
{
	while (d) {
		int left = atomic_add_return(-1, &d->d_count); /* a full barrier */

		if (left < 0)
			panic("dput: dentry '%s' count went below zero", d->d_name);
		if (left > 0 || !d_unhashed(d))
			return;
		d = d_kill(d);
	}
}

/* dcache_hash_lock held: out of the hash chain and the parent's list. */
static void __d_drop(struct dentry *d)
{
	hlist_del_rcu(&d->d_hash);
	list_del_init(&d->d_child);
	WRITE_ONCE(d->d_flags, d->d_flags & ~DCACHE_HASHED);
}

void d_delete(struct dentry *d)
{
	spin_lock(&dcache_hash_lock);
	__d_drop(d);
	spin_unlock(&dcache_hash_lock);
	smp_mb(); /* the flag is clear before the count is read (see the top of this file) */
	if (atomic_read(&d->d_count) == 0)
		dput(d_kill(d));
}

struct dentry *__d_lookup_rcu(struct dentry *parent, const char *name, unsigned int len)
{
	uint32_t hash = d_hash(parent, name, len);
	struct dentry *d;

	hlist_for_each_entry_rcu(d, d_bucket(hash), d_hash)
		if (d->d_hashval == hash && READ_ONCE(d->d_parent) == parent &&
		    READ_ONCE(d->d_len) == len && !memcmp(d->d_name, name, len) && !d_unhashed(d))
			return d;
	return NULL;
}

struct dentry *d_lookup(struct dentry *parent, const char *name, unsigned int len)
{
	struct dentry *d;

	rcu_read_lock();
	d = __d_lookup_rcu(parent, name, len);
	if (d && !dget_unless_dead(d))
		d = NULL;
	rcu_read_unlock();
	return d;
}

void d_move(struct dentry *d, struct dentry *new_parent, const char *name, unsigned int len)
{
	struct dentry *old_parent = d->d_parent;

	dget(new_parent);
	write_seqlock(&rename_lock);
	spin_lock(&dcache_hash_lock);
	hlist_del_rcu(&d->d_hash);
	list_del(&d->d_child);
	WRITE_ONCE(d->d_parent, new_parent);
	d_set_name(d, name, len);
	d->d_seq = ++last_d_seq;
	list_add_tail(&d->d_child, &new_parent->d_subdirs);
	hlist_add_head_rcu(&d->d_hash, d_bucket(d->d_hashval));
	spin_unlock(&dcache_hash_lock);
	write_sequnlock(&rename_lock);
	dput(old_parent);
}

/*
 * Unmount: no path reaches the superblock any more. Unhashes the tree bottom up and kills
 * each dentry nobody holds; counts the ones still held (a leaked reference).
 */
unsigned int shrink_dcache_sb(struct super_block *sb)
{
	struct dentry *d = sb->s_root;
	unsigned int busy = 0;

	for (;;) {
		while (!list_empty(&d->d_subdirs)) /* down to a leaf */
			d = list_first_entry(&d->d_subdirs, struct dentry, d_child);
		if (d == sb->s_root)
			break;
		struct dentry *parent = d->d_parent;

		spin_lock(&dcache_hash_lock);
		__d_drop(d);
		spin_unlock(&dcache_hash_lock);
		if (atomic_read(&d->d_count) == 0)
			dput(d_kill(d)); /* the parent keeps its other children's references */
		else
			busy++;
		d = parent;
	}
	return busy;
}

int dcache_readdir(struct file *f, struct dir_context *ctx)
{
	struct dentry *dir = f->f_path.dentry, *d;

	if (ctx->pos == 0) {
		if (!ctx->actor(ctx, ".", 1, dir->d_inode->i_ino, S_IFDIR))
			return 0;
		ctx->pos++;
	}
	if (ctx->pos == 1) {
		if (!ctx->actor(ctx, "..", 2, dir->d_parent->d_inode->i_ino, S_IFDIR))
			return 0;
		ctx->pos++;
	}
	down_read(&dir->d_inode->i_rwsem);
	/* Not a count of entries: one removed between two calls would make the next skip one. */
	list_for_each_entry(d, &dir->d_subdirs, d_child) {
		if (d->d_seq < ctx->pos - 2)
			continue; /* returned by an earlier call */
		if (!ctx->actor(ctx, d->d_name, d->d_len, d->d_inode->i_ino, d->d_inode->i_mode))
			break;
		ctx->pos = d->d_seq + 3;
	}
	up_read(&dir->d_inode->i_rwsem);
	return 0;
}

uint64_t nr_dentries(void)
{
	return (uint64_t)atomic64_read(&dentries);
}
