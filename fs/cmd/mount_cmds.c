/*
 * Shell commands on the mount tree (fs/namespace.c):
 *
 *	mount					every mount: id, source, mount point, type, the
 *						mount's ro/rw and its superblock's, how it counts
 *						writers, and their sum now; then where each
 *						writer-count mode listed comes from
 *	mount -t TYPE [-o OPTS] SOURCE DIR	a new filesystem on DIR (OPTS: ro, writers=MODE,
 *						and the filesystem's own, such as size=64k); an
 *						unknown MODE lists the modes and their lineage
 *	mount --bind [-o OPTS] SOURCE DIR	the tree at SOURCE also on DIR (-o ro: read-only)
 *	umount DIR
 *	remount [--sb] -o ro|rw DIR		this mount only (MS_REMOUNT | MS_BIND); with --sb
 *						the superblock, so every mount of it (MS_REMOUNT)
 *	df [PATH]				size, used and free space of each mount, or of the
 *						filesystem holding PATH
 *
 * A remount,ro refused for writers says how many there are: remount sums every CPU's count
 * while new writers wait (fs/mnt_writers.c) but returns only EBUSY, so we sum again after it;
 * the number is what is held now, which may differ from what remount saw.
 */
#include "fs/syscalls.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/file.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static void print_mount(struct vfsmount *mnt, void *arg)
{
	unsigned int *modes_seen = arg;
	char where[128];

	*modes_seen |= 1u << mnt->mnt_writers_mode;
	if (mnt_path(mnt, where, sizeof(where)))
		strlcpy(where, "(too long)", sizeof(where));
	kprintf("%4d  %-12s %-20s %-6s %-5s %-4s %-10s %6d\n", mnt->mnt_id, mnt->mnt_devname, where,
		mnt->mnt_sb->s_type->name, READ_ONCE(mnt->mnt_flags) & MNT_READONLY ? "ro" : "rw",
		READ_ONCE(mnt->mnt_sb->s_flags) & SB_RDONLY ? "ro" : "rw",
		writers_mode_name(mnt->mnt_writers_mode), mnt_get_writers(mnt));
}

/* Each writer-count mode of the mask, with its lineage. */
static void print_writers_modes(unsigned int mask)
{
	for (int m = 0; m < NR_WRITERS_MODES; m++)
		if (mask & (1u << m))
			kprintf("  writers=%-13s %s\n", writers_mode_name(m),
				writers_mode_lineage(m));
}

static void list_mounts(void)
{
	unsigned int modes_seen = 0;

	kprintf("%4s  %-12s %-20s %-6s %-5s %-4s %-10s %6s\n", "id", "source", "mount point",
		"type", "mount", "sb", "writers", "sum");
	iterate_mounts(print_mount, &modes_seen);
	print_writers_modes(modes_seen);
}

/* Whether opts names a writer-count mode that does not exist ("size=64k,writers=bogus"). */
static bool unknown_writers_mode(const char *opts)
{
	while (*opts) {
		const char *end = strchr(opts, ',');
		size_t len = end ? (size_t)(end - opts) : strlen(opts);
		char opt[32];

		strlcpy(opt, opts, len + 1 < sizeof(opt) ? len + 1 : sizeof(opt));
		if (!strncmp(opt, "writers=", 8) && writers_mode_parse(opt + 8) < 0)
			return true;
		opts += len + (end ? 1 : 0);
	}
	return false;
}

/* mount -t TYPE | --bind, [-o OPTS], then SOURCE DIR. */
static int cmd_mount(int argc, char **argv)
{
	const char *type = NULL, *opts = NULL, *src, *dir;
	bool bind = false;
	int i = 1, err;

	if (argc == 1) {
		list_mounts();
		return 0;
	}
	for (; i < argc - 2; i++) {
		if (!strcmp(argv[i], "--bind"))
			bind = true;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc - 2)
			type = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc - 2)
			opts = argv[++i];
		else
			return shell_usage(argv[0]);
	}
	if (argc - i != 2 || bind == (type != NULL))
		return shell_usage(argv[0]);
	src = argv[i];
	dir = argv[i + 1];
	if (bind) {
		struct kstat st;

		if ((err = sys_stat(src, &st))) /* else an ENOENT would seem to be about DIR */
			return fs_cmd_error("mount", src, err);
	}
	err = sys_mount(src, dir, type, bind ? MS_BIND : 0, opts);
	if (err == -ENODEV)
		return fs_cmd_error_why("mount", type, "unknown file system type", err);
	if (err == -EINVAL && opts && unknown_writers_mode(opts)) {
		kprintf("mount: %s: unknown writer-count mode; the modes are:\n", opts);
		print_writers_modes((1u << NR_WRITERS_MODES) - 1);
		return CMD_FAILED;
	}
	if (err == -EINVAL && opts)
		return fs_cmd_error_why("mount", opts, "bad options", err);
	return err ? fs_cmd_error("mount", dir, err) : 0;
}
SHELL_COMMAND("mount", "[-t TYPE [-o OPTS] SOURCE DIR | --bind [-o ro] SOURCE DIR]",
	      "list the mounts, or mount a filesystem or a bind mount on DIR", cmd_mount);

static int cmd_umount(int argc, char **argv)
{
	int err;

	if (argc != 2)
		return shell_usage(argv[0]);
	err = sys_umount(argv[1]);
	if (err == -EINVAL)
		return fs_cmd_error_why("umount", argv[1], "not a mount point", err);
	if (err == -EBUSY)
		return fs_cmd_error_why("umount", argv[1],
					"busy: open files, a working directory or mounts on it",
					err);
	return err ? fs_cmd_error("umount", argv[1], err) : 0;
}
SHELL_COMMAND("umount", "DIR", "unmount the filesystem mounted on DIR", cmd_umount);

/* Write references held on every mount of sb (remount --sb checks them all). */
static int sb_writers(struct super_block *sb)
{
	struct vfsmount *mnt;
	int sum = 0;

	spin_lock(&sb->s_lock);
	list_for_each_entry(mnt, &sb->s_mounts, mnt_instance) {
		sum += mnt_get_writers(mnt);
	}
	spin_unlock(&sb->s_lock);
	return sum;
}

/* After remount,ro gave EBUSY: "remount: DIR: busy (N writers)". */
static int report_busy(const char *dir, bool whole_sb)
{
	struct path path;
	int n;

	if (kern_path(dir, LOOKUP_FOLLOW, &path))
		return fs_cmd_error("remount", dir, -EBUSY);
	n = whole_sb ? sb_writers(path.mnt->mnt_sb) : mnt_writers_per_cpu(path.mnt, NULL);
	path_put(&path);
	kprintf("remount: %s: busy (%d writer%s)\n", dir, n, n == 1 ? "" : "s");
	return CMD_FAILED;
}

static int cmd_remount(int argc, char **argv)
{
	const char *opt = NULL, *dir = argv[argc - 1];
	bool whole_sb = false, ro;
	unsigned long flags = MS_REMOUNT;
	int err;

	for (int i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--sb"))
			whole_sb = true;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc - 1)
			opt = argv[++i];
		else
			return shell_usage(argv[0]);
	}
	if (argc < 4 || !opt || (strcmp(opt, "ro") && strcmp(opt, "rw")))
		return shell_usage(argv[0]);
	ro = !strcmp(opt, "ro");
	flags |= (whole_sb ? 0 : MS_BIND) | (ro ? MS_RDONLY : 0);
	err = sys_mount(NULL, dir, NULL, flags, NULL);
	if (err == -EBUSY && ro)
		return report_busy(dir, whole_sb);
	if (err == -EINVAL)
		return fs_cmd_error_why("remount", dir, "not a mount point", err);
	return err ? fs_cmd_error("remount", dir, err) : 0;
}
SHELL_COMMAND("remount", "[--sb] -o ro|rw DIR",
	      "make the mount on DIR read-only or writable (--sb: its whole superblock)",
	      cmd_remount);

static void print_df_line(const char *where, const struct kstatfs *st)
{
	uint64_t kib = st->f_bsize / 1024;
	uint64_t used = (st->f_blocks - st->f_bfree) * kib;

	if (st->f_blocks)
		kprintf("%10llu %10llu %10llu %8llu  %s\n",
			(unsigned long long)(st->f_blocks * kib), (unsigned long long)used,
			(unsigned long long)(st->f_bfree * kib), (unsigned long long)st->f_files,
			where);
	else /* no size limit: only the inodes mean something */
		kprintf("%10s %10s %10s %8llu  %s\n", "-", "-", "-",
			(unsigned long long)st->f_files, where);
}

static void df_mount(struct vfsmount *mnt, void *arg)
{
	struct kstatfs st;
	char where[128];

	(void)arg;
	if (mnt_path(mnt, where, sizeof(where)))
		strlcpy(where, "(too long)", sizeof(where));
	if (!vfs_statfs(mnt->mnt_sb, &st))
		print_df_line(where, &st);
}

static int cmd_df(int argc, char **argv)
{
	struct kstatfs st;
	int err;

	if (argc > 2)
		return shell_usage(argv[0]);
	kprintf("%10s %10s %10s %8s  %s\n", "KiB", "used", "free", "inodes", "mounted on");
	if (argc == 1) {
		/* Each mount's superblock: a mount point may be hidden under a later mount. */
		iterate_mounts(df_mount, NULL);
		return 0;
	}
	if ((err = sys_statfs(argv[1], &st)))
		return fs_cmd_error("df", argv[1], err);
	print_df_line(argv[1], &st);
	return 0;
}
SHELL_COMMAND("df", "[PATH]", "size, used and free space of each mount (or of PATH's)", cmd_df);

static int cmd_sync(int argc, char **argv)
{
	int err;

	if (argc != 1)
		return shell_usage(argv[0]);
	err = sys_sync();
	return err ? fs_cmd_error("sync", "file systems", err) : 0;
}
SHELL_COMMAND("sync", "", "write every file system's dirty pages and buffers to its disk", cmd_sync);
