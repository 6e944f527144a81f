/*
 * Mounts. A struct vfsmount attaches a superblock's tree (from mnt_root down) at a dentry of
 * another mount: the mount tree. The same superblock may be mounted many times (bind mounts),
 * and each mount has its own flags: a read-only bind of a writable filesystem refuses writes
 * while the original mount still takes them.
 *
 * Linux keeps all of it in fs/namespace.c; we split it into short files, one idea each:
 *
 *   fs/namespace.c            the tree: mount, bind, umount, remount, lookup_mnt
 *   fs/mnt_count.c            references: per-CPU counts, mntget, mntput's fast and slow paths
 *   fs/mnt_longterm.c         longterm mounts: kern_mount, clone_private_mount,
 *                             kern_unmount_array (many mounts, one grace period)
 *   fs/mnt_writers.c          writer counts: mnt_want_write/mnt_drop_write, remount,ro's
 *                             WRITE_HOLD and sum (mnt_make_readonly, sb_prepare_remount_readonly)
 *   fs/mnt_writers_variants.c the writer-count modes kept for comparison, and broken ones
 *   fs/mnt_longterm_broken.c  kern_unmount_array without its grace period, and its quarantine
 *
 * Locking: namespace_sem (a rwsem) serialises changes to the tree; mount_lock (a seqlock)
 * is held for writing while the tree or the mount hash changes, so lockless path walks can
 * tell, and its spinlock covers mnt_flags and the slow path of mntput.
 */
#ifndef FS_MOUNT_H
#define FS_MOUNT_H

#include "fs/fs.h"
#include "kernel/locking/seqlock.h"
#include "kernel/percpu.h"

/* vfsmount->mnt_flags */
#define MNT_READONLY   0x01 /* this mount refuses writes */
#define MNT_WRITE_HOLD 0x02 /* remount,ro is summing the writers: new writers wait */
#define MNT_DOOMED     0x04 /* the last reference is gone; being freed */
/* Broken on purpose, for `torture longterm` (fs/mnt_longterm_broken.c): kern_unmount_array
   waits no grace period for this mount, and its free goes to a quarantine, poisoned. */
#define MNT_BROKEN_NO_GP 0x08
/* Its writer counts were found not to balance (more drops than wants at a remount,ro or in
   cpu-cache's shared count, or writers left at its free): reported once (the 2.6.26 patch's
   debugging aid of that name, fs/mnt_writers.c). */
#define MNT_IMBALANCED_WRITE_COUNT 0x10

/* How a mount counts its writers (fixed when it is mounted; fs/mnt_writers_variants.c). */
enum mnt_writers_mode {
	WRITERS_PERCPU,	   /* per-CPU counters in the mount, WRITE_HOLD: Linux 2.6.29 to today */
	WRITERS_ATOMIC,	   /* one shared atomic counter: the alternative the 2.6.26 patch rejects */
	WRITERS_CPU_CACHE, /* the 2.6.26 patch: each CPU caches one mount's count, a shared
			      count per mount behind the caches */
	WRITERS_NONE,	   /* no counting (before 2.6.26): unsafe, the benchmark's floor */
	/* Broken on purpose, for the self-check of `torture mounts` (fs/torture/mount_torture.c): percpu
	   with the one piece that keeps the invariant taken out. Never the default. */
	WRITERS_BROKEN_NO_HOLD, /* remount,ro sets no WRITE_HOLD for its writers to wait on */
	WRITERS_BROKEN_NO_MB,	/* mnt_want_write has no full barrier between count and check */
	NR_WRITERS_MODES
};

/* Below this the shared count of a cpu-cache mount is checked for more drops than wants (the
   2.6.26 patch's limit): it goes negative in normal use, by the counts the caches of other
   CPUs hold for writers that dropped on this one. */
#define MNT_WRITER_UNDERFLOW_LIMIT (-(1 << 16))

/* What each CPU keeps for one mount, on its own cache line. */
struct mnt_pcp {
	int count;   /* references taken on this CPU minus those dropped here */
	int writers; /* write references, the same way */
} __aligned(64);

struct mnt_namespace; /* there is one: init_mnt_ns */
struct delay_point;   /* kernel/delay_point.h */

#define MNT_NS_INTERNAL ((struct mnt_namespace *)1) /* a longterm internal mount */

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	unsigned int mnt_flags; /* MNT_*; changed under mount_lock's spinlock */
	enum mnt_writers_mode mnt_writers_mode;
	struct vfsmount *mnt_parent;   /* the mount this one sits on; itself if none */
	struct dentry *mnt_mountpoint; /* the dentry of mnt_parent it covers */
	/*
	 * &init_mnt_ns while in the mount tree, MNT_NS_INTERNAL for a longterm internal mount,
	 * NULL for a detached short-term one. mntput reads it under rcu_read_lock: non-NULL means
	 * the fast path (fs/mnt_count.c, fs/mnt_longterm.c).
	 */
	struct mnt_namespace *mnt_ns;
	struct mnt_pcp *mnt_pcp;       /* [nr_cpu_ids] */
	atomic_t mnt_writers_shared;   /* atomic's counter; cpu-cache's count behind its caches */
	struct hlist_node mnt_hash;    /* in the mount hash, by (parent, mountpoint) */
	struct list_head mnt_child;    /* on mnt_parent->mnt_mounts */
	struct list_head mnt_mounts;   /* mounts on top of this one's dentries */
	struct list_head mnt_instance; /* on mnt_sb->s_mounts */
	/* In the namespace, in mount order (`mount` lists them); for a longterm internal mount, on
	   fs/mnt_longterm.c's list of them. */
	struct list_head mnt_list;
	int mnt_id;
	char mnt_devname[32];
	struct rcu_head mnt_rcu;
};

extern seqlock_t mount_lock;
extern struct mnt_namespace init_mnt_ns;

/* ---- fs/mnt_count.c: references (the contracts stand above each definition) ---- */

struct vfsmount *alloc_vfsmnt(struct super_block *sb, struct dentry *root, const char *devname,
			      enum mnt_writers_mode mode);
struct vfsmount *mntget(struct vfsmount *mnt);
void mntput(struct vfsmount *mnt);
int mnt_get_count(const struct vfsmount *mnt);
/* In mntput's fast path, after it saw mnt_ns set: the window the grace period covers. */
extern struct delay_point dp_mntput_fast;

struct mnt_count_stats {
	uint64_t mount_lock_taken; /* mntput slow paths (the global lock) */
	uint64_t mounts_freed;
	uint64_t mounts_alive;
};
struct mnt_count_stats mnt_count_stats(void);

/* ---- fs/mnt_longterm.c: longterm mounts ---- */

int kern_mount(const char *fstype, const char *options, struct vfsmount **out);
int clone_private_mount(const struct path *path, struct vfsmount **out);
void mnt_make_shortterm(struct vfsmount *mnt);
void kern_unmount_array(struct vfsmount **mnts, unsigned int n);
void kern_unmount(struct vfsmount *mnt);
unsigned int mnt_longterm_check(void (*fn)(struct vfsmount *mnt, bool leaked, void *arg),
				void *arg);

/* ---- fs/mnt_longterm_broken.c: `torture longterm`'s broken variant no-grace-period ---- */

void mnt_set_broken_no_gp(struct vfsmount *mnt);
bool mnt_array_broken_no_gp(struct vfsmount **mnts, unsigned int n);
void mnt_quarantine(struct vfsmount *mnt);
bool mnt_in_quarantine(const struct vfsmount *mnt);
long mnt_quarantine_release(void);

/* ---- fs/mnt_writers.c: writer counts (the contracts stand above each definition) ---- */

int mnt_want_write(struct vfsmount *mnt);
void mnt_drop_write(struct vfsmount *mnt);
int mnt_get_write_access(struct vfsmount *mnt);
void mnt_put_write_access(struct vfsmount *mnt);
int mnt_get_writers(struct vfsmount *mnt);
int mnt_make_readonly(struct vfsmount *mnt);
void mnt_make_writable(struct vfsmount *mnt);
int sb_prepare_remount_readonly(struct super_block *sb);
/* In mnt_make_readonly, between the sum of the writers and read-only: what WRITE_HOLD covers. */
extern struct delay_point dp_mnt_ro_summed;
/* In mnt_hold_writers, between WRITE_HOLD set and the sum: writers that come must wait. */
extern struct delay_point dp_mnt_write_hold;
/* In mnt_get_write_access, when it found the hold: before it waits for the hold's end. */
extern struct delay_point dp_mnt_hold_wait;
void mnt_writers_imbalance(struct vfsmount *mnt, int count, const char *how);
void mnt_writers_check_freed(struct vfsmount *mnt);

/* Whether the mount or its superblock refuses writes. Inline: mnt_get_write_access reads it
   right after its wait for WRITE_HOLD. */
static inline bool mnt_is_readonly(const struct vfsmount *mnt)
{
	return (READ_ONCE(mnt->mnt_flags) & MNT_READONLY) ||
	       (READ_ONCE(mnt->mnt_sb->s_flags) & SB_RDONLY);
}

struct mnt_writers_stats {
	uint64_t want, drop, erofs; /* calls, and refusals */
	uint64_t hold_waits;	    /* a writer found WRITE_HOLD set (cpu-cache: its CPU's lock
				       held) and waited */
	uint64_t cache_switches;    /* WRITERS_CPU_CACHE: a CPU's cache moved to another mount */
	uint64_t remount_busy;	    /* remount,ro refused for writers */
	uint64_t imbalanced;	    /* mounts whose writer counts did not balance (reported) */
};
struct mnt_writers_stats mnt_writers_stats(void);

/* ---- fs/mnt_writers_variants.c: the other writer-count modes ---- */

const char *writers_mode_name(enum mnt_writers_mode mode);
const char *writers_mode_lineage(enum mnt_writers_mode mode);
int writers_mode_parse(const char *name);
extern enum mnt_writers_mode default_writers_mode;
int mnt_writers_per_cpu(struct vfsmount *mnt, int *counts);
void mnt_cpu_cache_forget(struct vfsmount *mnt);

/* ---- fs/namespace.c: the tree ---- */

void mnt_init(void);
/* Mounts the root filesystem (a tmpfs); the namespace starts there. */
void init_mount_tree(void);
struct vfsmount *lookup_mnt(const struct path *path);
/* Lockless form for path walks: under rcu_read_lock, no reference; check mount_lock after. */
struct vfsmount *__lookup_mnt(struct vfsmount *mnt, struct dentry *dentry);
/* The root of the namespace, with references. */
void get_fs_root_path(struct path *root);
/* The same without references: the root mount and its dentry live as long as the kernel. */
void fs_root_noref(struct path *root);

#define MS_RDONLY  0x01
#define MS_BIND	   0x02
#define MS_REMOUNT 0x04
int do_mount(const char *source, const char *dir, const char *type, unsigned long flags,
	     const char *options);
int do_umount(const char *dir);

/* Calls fn for each mount in the namespace, in mount order, under namespace_sem (read). */
void iterate_mounts(void (*fn)(struct vfsmount *mnt, void *arg), void *arg);
/* The name of mnt's root, as seen from the namespace root (fs/d_path.c). */
int mnt_path(struct vfsmount *mnt, char *buf, size_t size);

#endif
