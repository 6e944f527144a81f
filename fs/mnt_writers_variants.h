/*
 * Between fs/mnt_writers.c and fs/mnt_writers_variants.c: what the mechanism's unlikely branch
 * calls for a mount whose mnt_writers_mode is not WRITERS_PERCPU. Nothing else includes it.
 */
#ifndef FS_MNT_WRITERS_VARIANTS_H
#define FS_MNT_WRITERS_VARIANTS_H

#include "fs/mount.h"
#include "kernel/percpu.h"

int mnt_get_write_access_variant(struct vfsmount *mnt);
void mnt_put_write_access_variant(struct vfsmount *mnt);
int mnt_hold_writers_variant(struct vfsmount *mnt);
void mnt_unhold_writers_variant(struct vfsmount *mnt);

DECLARE_PER_CPU(struct mnt_writers_stats, mnt_writers_stats_pcp);

#endif
