/*
 * The process directories of /proc: /proc/PID for each process, alive or zombie, as Linux's
 * fs/proc/base.c (proc_pid_lookup, proc_pid_readdir).
 *
 * A name looked up stays in the dcache, as every proc name does here: once the process is
 * gone, its directory can still be entered, and its files answer ESRCH (Linux drops the
 * dentry at once, with its d_revalidate; we have none). readdir lists only the live ones.
 */
#include "fs/proc/internal.h"
#include "fs/dcache.h"
#include "kernel/process.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* The number in a name of digits only, without a leading zero; -1 for any other name. */
static int name_to_pid(const char *name)
{
	long v = 0;

	if (name[0] < '1' || name[0] > '9')
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*name - '0');
	}
	return (int)v;
}

/* lookup in the root of a name no table entry has: the directory of the process it names, or
   nothing (ENOENT). dir's i_rwsem held. */
int proc_pid_lookup(struct inode *dir, struct dentry *dentry)
{
	struct process_snapshot ps;
	struct inode *inode;
	int pid = name_to_pid(dentry->d_name);

	if (pid <= 0 || process_snapshot(pid, &ps))
		return 0;
	if (!(inode = proc_get_inode(dir->i_sb, &proc_pid_dir, pid)))
		return -ENOMEM;
	d_add(dentry, inode);
	return 0;
}

/*
 * readdir of the root after its table: one directory per process, by rising pid. The position
 * is first_pos + pid, so a walk resumed later goes on from the next pid even if processes came
 * and went. Returns false when the actor stopped the walk.
 */
bool proc_pid_readdir(struct dir_context *ctx, uint64_t first_pos)
{
	char name[16];
	int pid;

	if (ctx->pos < first_pos)
		ctx->pos = first_pos;
	while ((pid = next_process_pid((int)(ctx->pos - first_pos))) > 0) {
		int len = snprintf(name, sizeof(name), "%d", pid);

		if (!ctx->actor(ctx, name, (unsigned int)len, 0x10000 + (uint64_t)pid,
				S_IFDIR | 0555))
			return false;
		ctx->pos = first_pos + (uint64_t)pid + 1;
	}
	return true;
}
