/*
 * The counters of the two mount mechanisms, to watch them work from the shell:
 *
 *	writers DIR	the writer count each CPU holds for the mount DIR lies in, and their sum
 *			(fs/mnt_writers.c), with the mode's lineage: single counts may be
 *			negative in percpu, since a writer may drop its reference on another
 *			CPU than it took it on (cpu-cache's cached counts never are)
 *	mntstat		the event counters of fs/mnt_writers.c and fs/mnt_count.c, each
 *			with what it counts
 */
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/file.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"

static int cmd_writers(int argc, char **argv)
{
	int counts[NR_CPUS], sum, percpu = 0;
	struct vfsmount *mnt;
	struct path path;
	char where[128];
	int err;

	if (argc != 2)
		return shell_usage(argv[0]);
	if ((err = kern_path(argv[1], LOOKUP_FOLLOW, &path)))
		return fs_cmd_error("writers", argv[1], err);
	mnt = path.mnt;
	if (mnt_path(mnt, where, sizeof(where)))
		where[0] = '\0';
	kprintf("writers: mount %d on %s, %s, counting %s (%s)%s\n", mnt->mnt_id, where,
		mnt_is_readonly(mnt) ? "read-only" : "read-write",
		writers_mode_name(mnt->mnt_writers_mode),
		writers_mode_lineage(mnt->mnt_writers_mode),
		READ_ONCE(mnt->mnt_flags) & MNT_IMBALANCED_WRITE_COUNT ? ", counts imbalanced"
								       : "");
	sum = mnt_writers_per_cpu(mnt, counts);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		kprintf("  cpu %-2u %6d\n", cpu, counts[cpu]);
		percpu += counts[cpu];
	}
	if (sum != percpu) /* atomic keeps it in one counter, cpu-cache part of it (the drops
			      that found no count in their CPU's cache, and the flushed caches) */
		kprintf("  shared %6d\n", sum - percpu);
	kprintf("  sum    %6d\n", sum);
	path_put(&path);
	return 0;
}
SHELL_COMMAND("writers", "DIR", "per-CPU writer counts of the mount at DIR, and their sum",
	      cmd_writers);

static void counter(const char *label, uint64_t value, const char *what)
{
	kprintf("  %-16s %10llu  %s\n", label, (unsigned long long)value, what);
}

static int cmd_mntstat(int argc, char **argv)
{
	struct mnt_writers_stats w = mnt_writers_stats();
	struct mnt_count_stats c = mnt_count_stats();

	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("writer counts (fs/mnt_writers.c):\n");
	counter("want", w.want, "mnt_want_write calls: opens for writing, creates, removes...");
	counter("drop", w.drop, "mnt_drop_write calls: those write references released");
	counter("erofs", w.erofs, "writes refused with EROFS: mount or superblock read-only");
	counter("hold-waits", w.hold_waits,
		"writers that waited while remount,ro summed the counts (percpu and atomic: "
		"WRITE_HOLD, the 2.6.29 rewrite; cpu-cache: their CPU's lock, the 2.6.26 patch)");
	counter("cache-switches", w.cache_switches,
		"cpu-cache mode (the 2.6.26 patch): a CPU's cached count moved to another mount");
	counter("remount-busy", w.remount_busy, "remount,ro refused with EBUSY: writers counted");
	counter("imbalanced", w.imbalanced,
		"mounts whose writer counts did not balance: more drops than wants, or writers "
		"left at the free (reported once each, as 2.6.26's MNT_IMBALANCED_WRITE_COUNT)");
	kprintf("mount references (fs/mnt_count.c, fs/mnt_longterm.c):\n");
	counter("slow-mntput", c.mount_lock_taken,
		"mntput slow paths: a detached mount, under the global mount lock");
	counter("mounts-alive", c.mounts_alive, "mounts allocated and not yet freed");
	counter("mounts-freed", c.mounts_freed, "mounts freed after their last reference");
	return 0;
}
SHELL_COMMAND("mntstat", "", "counters of the mount writer counts and mount references",
	      cmd_mntstat);
