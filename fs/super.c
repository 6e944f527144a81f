/*
 * Filesystem types and superblocks (see super.h).
 *
 * Locking: fs_types_lock over the list of types (registered at boot, never removed);
 * super_list_mutex over the list of superblocks (sync may sleep while walking it). Neither is
 * taken inside the other.
 */
#include "fs/super.h"
#include "fs/dcache.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

static LIST_HEAD(fs_types);
static DEFINE_SPINLOCK(fs_types_lock);
static LIST_HEAD(super_blocks);
static DEFINE_MUTEX(super_list_mutex);
static unsigned int next_dev = 1;

/*
 * Makes type known by its name to mount. Boot; type lives for good (there is no unregister). Takes
 * fs_types_lock.
 */
void register_filesystem(struct file_system_type *type)
{
	spin_lock(&fs_types_lock);
	list_add_tail(&type->list, &fs_types);
	spin_unlock(&fs_types_lock);
}

/*
 * The registered type named name (the last registered, if two share it), or NULL. Takes
 * fs_types_lock; does not sleep.
 */
struct file_system_type *get_fs_type(const char *name)
{
	struct file_system_type *t, *found = NULL;

	spin_lock(&fs_types_lock);
	list_for_each_entry(t, &fs_types, list)
		if (!strcmp(t->name, name))
			found = t;
	spin_unlock(&fs_types_lock);
	return found;
}

/*
 * A new superblock of type, filled by type->fill_super(source, options), with one active
 * reference, and on the list sync walks. sb_flags (SB_RDONLY) are set before fill_super runs, so a
 * filesystem mounted read-only writes nothing to its disk. Returns NULL on failure, with a
 * negative errno in *err (-ENOMEM, or fill_super's). May sleep (fill_super reads the disk); takes
 * super_list_mutex.
 */
struct super_block *mount_fs(struct file_system_type *type, const char *source,
			     const char *options, unsigned int sb_flags, int *err)
{
	struct super_block *sb = kzalloc(sizeof(*sb));

	if (!sb) {
		*err = -ENOMEM;
		return NULL;
	}
	sb->s_type = type;
	sb->s_flags = sb_flags;
	sb->s_maxbytes = 1ULL << 40;
	atomic_set(&sb->s_active, 1);
	spin_lock_init(&sb->s_lock, "s_lock");
	INIT_LIST_HEAD(&sb->s_mounts);
	INIT_LIST_HEAD(&sb->s_inodes);
	strlcpy(sb->s_id, source ? source : type->name, sizeof(sb->s_id));
	*err = type->fill_super(sb, source, options ? options : "");
	if (*err) {
		if (sb->s_root)
			deactivate_super(sb);
		else
			kfree(sb);
		return NULL;
	}
	mutex_lock(&super_list_mutex);
	sb->s_dev = next_dev++;
	list_add_tail(&sb->s_list, &super_blocks);
	mutex_unlock(&super_list_mutex);
	return sb;
}

/*
 * Drops an active reference. The last one tears the superblock down: off the list, its dentries
 * killed, its root put, the filesystem's put_super (which writes what is dirty), and the memory
 * freed, unless a dentry or an inode is still in use: that is a leak, reported, and the superblock
 * is then kept. May sleep; takes super_list_mutex.
 */
void deactivate_super(struct super_block *sb)
{
	unsigned int busy;

	if (!atomic_dec_and_test(&sb->s_active))
		return;
	if (sb->s_dev) {
		mutex_lock(&super_list_mutex);
		list_del(&sb->s_list);
		mutex_unlock(&super_list_mutex);
	}
	busy = shrink_dcache_sb(sb);
	dput(sb->s_root);
	if (sb->s_op && sb->s_op->put_super)
		sb->s_op->put_super(sb);
	if (busy || sb->s_nr_inodes)
		pr_warn("%s: %u dentries and %llu inodes still in use after unmount\n", sb->s_id,
			busy, (unsigned long long)sb->s_nr_inodes);
	else
		kfree(sb);
}

/*
 * Calls fn(sb, arg) for each mounted superblock, under super_list_mutex: fn may sleep, and must
 * not mount or unmount.
 */
void iterate_supers(void (*fn)(struct super_block *sb, void *arg), void *arg)
{
	struct super_block *sb;

	mutex_lock(&super_list_mutex);
	list_for_each_entry(sb, &super_blocks, s_list)
		fn(sb, arg);
	mutex_unlock(&super_list_mutex);
}
