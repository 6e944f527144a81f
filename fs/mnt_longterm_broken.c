/*
 * The broken variant no-grace-period of `torture longterm`, beside fs/mnt_longterm.c:
 * kern_unmount_array with its synchronize_rcu() taken out, for mounts marked MNT_BROKEN_NO_GP
 * (the torture's own, marked before anyone else has seen them).
 *
 * Without the grace period a fast-path mntput that saw mnt_ns set can still be on its way to
 * its decrement when the owner's slow-path put sums: the sum counts that reference, so the
 * owner does not free, and then the fast path drops what was the last reference where no one
 * looks. The mount leaks, its superblock with it. The delay point mntput-fast widens that
 * window.
 *
 * Those mounts, once freed, go to a quarantine, poisoned, instead of back to the allocator,
 * so that a put through a mount freed too early would show as a changed word instead of
 * corrupting the allocator's memory. It has never fired (a missing grace period makes the sum
 * count one reference too many, never too few); it stays as the guard.
 */
#include "fs/mount.h"
#include "lib/string.h"
#include "mm/slab.h"

#define MNT_POISON_BYTE 0x6b
#define MNT_POISON_WORD 0x6b6b6b6b6b6b6b6bULL

/* Quarantined mounts, linked through mnt_rcu.next (the callback that queued them has run). */
static struct rcu_head *quarantine;
static DEFINE_SPINLOCK(quarantine_lock);

/**
 * mnt_set_broken_no_gp - mark mnt for the broken variant no-grace-period
 *
 * For a longterm mount nobody but its maker has seen yet: kern_unmount_array of an array of
 * such mounts waits no grace period, and their frees go to the quarantine. Takes mount_lock.
 */
void mnt_set_broken_no_gp(struct vfsmount *mnt)
{
	read_seqlock_excl(&mount_lock);
	mnt->mnt_flags |= MNT_BROKEN_NO_GP;
	read_sequnlock_excl(&mount_lock);
}

/* True when every mount of the array is marked MNT_BROKEN_NO_GP: skip the grace period. */
bool mnt_array_broken_no_gp(struct vfsmount **mnts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (mnts[i] && !(READ_ONCE(mnts[i]->mnt_flags) & MNT_BROKEN_NO_GP))
			return false;
	return true;
}

/**
 * mnt_quarantine - keep a freed MNT_BROKEN_NO_GP mount, poisoned
 *
 * Called by the RCU callback that would free it. mnt_pcp stays a valid pointer to the
 * poisoned counters and mnt_ns reads as non-NULL, so a put through the freed mount takes the
 * fast path and changes a poisoned counter: seen, and harmless.
 */
void mnt_quarantine(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp = mnt->mnt_pcp;

	memset(pcp, MNT_POISON_BYTE, nr_cpu_ids * sizeof(*pcp));
	memset(mnt, MNT_POISON_BYTE, offsetof(struct vfsmount, mnt_rcu));
	mnt->mnt_pcp = pcp;
	spin_lock(&quarantine_lock);
	mnt->mnt_rcu.next = quarantine;
	quarantine = &mnt->mnt_rcu;
	spin_unlock(&quarantine_lock);
}

/* The words of a quarantined mount that are no longer poison. */
static long changed_words(const struct vfsmount *mnt)
{
	const uint64_t *w = (const uint64_t *)mnt, *pcp = (const uint64_t *)mnt->mnt_pcp;
	size_t skip = offsetof(struct vfsmount, mnt_pcp) / 8;
	long changed = 0;

	BUILD_BUG_ON(offsetof(struct vfsmount, mnt_rcu) % 8 ||
		     offsetof(struct vfsmount, mnt_pcp) % 8);
	for (size_t i = 0; i < offsetof(struct vfsmount, mnt_rcu) / 8; i++)
		changed += i != skip && w[i] != MNT_POISON_WORD;
	for (size_t i = 0; i < nr_cpu_ids * sizeof(struct mnt_pcp) / 8; i++)
		changed += pcp[i] != MNT_POISON_WORD;
	return changed;
}

/* Whether mnt was freed into the quarantine (compares addresses only). */
bool mnt_in_quarantine(const struct vfsmount *mnt)
{
	bool found = false;

	spin_lock(&quarantine_lock);
	for (struct rcu_head *h = quarantine; h && !found; h = h->next)
		found = h == &mnt->mnt_rcu;
	spin_unlock(&quarantine_lock);
	return found;
}

/**
 * mnt_quarantine_release - check and free every quarantined mount
 *
 * Call only when no one can reach them any more (after an rcu_barrier()). Returns how many
 * words of them changed after their poisoning: writes through a freed mount.
 */
long mnt_quarantine_release(void)
{
	struct rcu_head *h;
	long changed = 0;

	spin_lock(&quarantine_lock);
	h = quarantine;
	quarantine = NULL;
	spin_unlock(&quarantine_lock);
	while (h) {
		struct vfsmount *mnt = container_of(h, struct vfsmount, mnt_rcu);

		h = h->next;
		changed += changed_words(mnt);
		kfree(mnt->mnt_pcp);
		kfree(mnt);
	}
	return changed;
}
