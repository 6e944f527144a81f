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

/* Makes the dentry slab cache. Boot, before any filesystem is mounted; panics without memory. */
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

/*
 * A new dentry for name under parent: negative (no inode), unhashed, one reference, holding a
 * reference on parent. The caller holds parent's i_rwsem and hashes it with d_add() or drops it
 * with dput(). Returns NULL when len is over NAME_MAX or memory is short. Does not sleep.
 */
struct dentry *d_alloc(struct dentry *parent, const char *name, unsigned int len)
{
	struct dentry *d = __d_alloc(parent->d_sb, name, len);

	if (!d)
		return NULL;
	d->d_parent = dget(parent);
	d->d_hashval = d_hash(parent, name, len);
	return d;
}

/*
 * The root dentry of a new superblock, "/" and its own parent, taking over the caller's reference
 * on root. Never hashed: it is reached through the mount, not by name. NULL without memory (the
 * caller still holds root).
 */
struct dentry *d_make_root(struct inode *root)
{
	struct dentry *d = __d_alloc(root->i_sb, "/", 1);

	if (d)
		d->d_inode = root;
	return d;
}

/*
 * Gives a negative dentry its inode (taking over the caller's reference) and hashes it: from here
 * on lookups find it and readdir lists it last. The parent's i_rwsem held for writing. Does not
 * sleep.
 */
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

/*
 * Takes another reference on d, which the caller already holds one on (panics otherwise: the
 * lockless walkers use dget_unless_dead()). Returns d.
 */
struct dentry *dget(struct dentry *d)
{
	if (atomic_add_return(1, &d->d_count) <= 1)
		panic("dget: dentry '%s' had no reference (count %d)", d->d_name,
		      atomic_read(&d->d_count) - 1);
	return d;
}

/*
 * Takes a reference on d unless it is being killed: true, or false for a dead dentry. For lockless
 * walkers under rcu_read_lock(), which may find d in a hash chain as its last reference goes; the
 * compare-and-swap pairs with the one in d_kill(): exactly one of them wins a count of 0.
 */
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

/*
 * Drops a reference. An unhashed dentry dies with its last one: its inode is put, its parent's
 * reference dropped (and the parent killed the same way if that was its last), its memory freed
 * after a grace period. A hashed dentry stays cached. May call iput() (which may write an inode);
 * no spinlock may be held. Panics if the count goes below zero.
 */
void dput(struct dentry *d)
{
	while (d) {
		/* A full barrier between the count and the flag: pairs with the smp_mb() in
		   d_delete(), so that of the two at least one sees both and kills. */
		int left = atomic_add_return(-1, &d->d_count);

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

/*
 * Unhashes d, whose name is gone (unlink, rmdir): lookups no longer find it, and it dies with its
 * last reference, here if nobody else holds one. The parent's i_rwsem held for writing.
 */
void d_delete(struct dentry *d)
{
	spin_lock(&dcache_hash_lock);
	__d_drop(d);
	spin_unlock(&dcache_hash_lock);
	/* The flag is clear before the count is read: pairs with the full barrier of the
	   decrement in dput(), which writes the count and then reads the flag. */
	smp_mb();
	if (atomic_read(&d->d_count) == 0)
		dput(d_kill(d));
}

/*
 * The hashed child of parent named name, without a reference, or NULL. Under rcu_read_lock(),
 * which keeps the result's memory valid; it may be renamed or killed meanwhile, so the caller
 * takes a reference with dget_unless_dead() and checks rename_lock before trusting it. Takes no
 * lock.
 */
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

/*
 * The hashed child of parent named name, with a reference, or NULL. Callers hold parent's i_rwsem,
 * so the answer stays true while they hold it. Does not sleep.
 */
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

/*
 * Moves d under new_parent with a new name (rename): holds rename_lock for writing so that
 * lockless walkers that crossed d meanwhile walk again. Both directories' i_rwsem held for
 * writing; the caller has removed any dentry that held the new name.
 */
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

/*
 * readdir from the dcache, for filesystems whose dcache is complete (tmpfs): ".", "..", then the
 * entries in the order they were added (a rename adds again). ctx->pos is 0 and 1 for the dots,
 * then 2 + the d_seq of the next entry wanted, so removals between two calls make the second skip
 * nothing. Takes the directory's i_rwsem for reading (may sleep). Returns 0.
 */
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

/* Dentries alive, all superblocks together (a leak check). */
uint64_t nr_dentries(void)
{
	return (uint64_t)atomic64_read(&dentries);
}
