/*
 * /proc/mounts and /proc/PID/mounts: one line per mount of the namespace, in mount order, as
 * Linux's show_vfsmnt (fs/proc_namespace.c) prints them:
 *
 *	SOURCE MOUNTPOINT FSTYPE OPTIONS 0 0
 *
 * OPTIONS starts with "ro" when the mount or its superblock refuses writes, else "rw"; Linux
 * goes on with relatime and the filesystem's own options, which we do not keep. There is one
 * namespace, so every process sees the same list.
 */
#include "fs/proc/internal.h"
#include "fs/mount.h"
#include "lib/errno.h"
#include "mm/slab.h"

/* Prints str with space, tab, newline and backslash as octal escapes (\040...), as Linux's
   mangle() does, so a name with a space stays one field. */
static void print_escaped(struct seq_buf *s, const char *str)
{
	for (; *str; str++) {
		if (*str == ' ' || *str == '\t' || *str == '\n' || *str == '\\')
			seq_buf_printf(s, "\\%03o", (unsigned char)*str);
		else
			seq_buf_putc(s, *str);
	}
}

struct mounts_walk {
	struct seq_buf *s;
	char *path; /* PATH_MAX bytes */
};

static void show_vfsmnt(struct vfsmount *mnt, void *arg)
{
	struct mounts_walk *w = arg;

	if (mnt_path(mnt, w->path, PATH_MAX))
		return; /* a name too long for a path is left out, as d_path's error */
	print_escaped(w->s, mnt->mnt_devname[0] ? mnt->mnt_devname : "none");
	seq_buf_putc(w->s, ' ');
	print_escaped(w->s, w->path);
	seq_buf_putc(w->s, ' ');
	print_escaped(w->s, mnt->mnt_sb->s_type->name);
	seq_buf_printf(w->s, " %s 0 0\n", mnt_is_readonly(mnt) ? "ro" : "rw");
}

/* The mount table (pid does not matter: there is one namespace). 0 or -ENOMEM. */
int proc_mounts_show(struct seq_buf *s, int pid)
{
	struct mounts_walk w = {s, kmalloc(PATH_MAX)};

	(void)pid;
	if (!w.path)
		return -ENOMEM;
	iterate_mounts(show_vfsmnt, &w);
	kfree(w.path);
	return 0;
}
