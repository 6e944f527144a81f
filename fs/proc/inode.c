/*
 * The proc filesystem's inodes and files (see internal.h). Nothing is stored: a read prints
 * the file's whole text into a buffer and copies the piece at the reader's offset, so every
 * read shows the counters as they are now. Linux's seq_file keeps the text of one open between
 * two reads; here a reader that reads in pieces may see the numbers move between pieces (the
 * buffer is a page at first, and grows for a long /proc/mounts).
 *
 * Directories have a lookup that makes the child's inode from its table entry; the dcache then
 * keeps the name, as for a disk filesystem.
 *
 * Locking: none of its own. The VFS holds the directory's i_rwsem around lookup; each show
 * function takes the locks of what it reads.
 */
#include "fs/proc/internal.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

#define PROC_BUF_MIN 4096
#define PROC_BUF_MAX (64 * 1024) /* a longer text is cut there */

static const struct inode_operations proc_dir_iops, proc_file_iops;
static const struct file_operations proc_dir_fops, proc_file_fops;

static struct proc_inode *PROC_I(const struct inode *inode)
{
	return inode->i_private;
}

/*
 * The inode of entry, for process pid (a directory's children inherit it; /proc/self's are
 * PROC_PID_SELF). Returns it with one reference, or NULL when out of memory.
 */
struct inode *proc_get_inode(struct super_block *sb, const struct proc_entry *entry, int pid)
{
	struct proc_inode *pi = kmalloc(sizeof(*pi));
	struct inode *inode;

	if (!pi || !(inode = new_inode(sb))) {
		kfree(pi);
		return NULL;
	}
	pi->entry = entry;
	pi->pid = pid;
	inode->i_private = pi;
	inode->i_mode = entry->mode;
	if (S_ISDIR(entry->mode)) {
		inode->i_nlink = 2;
		inode->i_op = &proc_dir_iops;
		inode->i_fop = &proc_dir_fops;
	} else {
		inode->i_op = &proc_file_iops;
		inode->i_fop = &proc_file_fops;
	}
	return inode;
}

static int proc_lookup(struct inode *dir, struct dentry *dentry)
{
	const struct proc_inode *pi = PROC_I(dir);
	const struct proc_entry *e;
	struct inode *inode;

	for (e = pi->entry->children; e->name; e++) {
		if (strcmp(e->name, dentry->d_name))
			continue;
		inode = proc_get_inode(dir->i_sb, e, e->self ? PROC_PID_SELF : pi->pid);
		if (!inode)
			return -ENOMEM;
		d_add(dentry, inode);
		return 0;
	}
	if (pi->entry == &proc_root)
		return proc_pid_lookup(dir, dentry);
	return 0; /* left negative: ENOENT */
}

/* ".", "..", the table's entries (pos 2 on), then in the root the processes. */
static int proc_readdir(struct file *f, struct dir_context *ctx)
{
	struct dentry *dir = f->f_path.dentry;
	const struct proc_inode *pi = PROC_I(dir->d_inode);
	const struct proc_entry *e = pi->entry->children;
	uint64_t n = 0;

	if (ctx->pos == 0) {
		if (!ctx->actor(ctx, ".", 1, dir->d_inode->i_ino, S_IFDIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->actor(ctx, "..", 2, dir->d_parent->d_inode->i_ino, S_IFDIR))
			return 0;
		ctx->pos = 2;
	}
	for (; e[n].name; n++) {
		if (ctx->pos > n + 2)
			continue;
		/* No inode is made for a name only listed: its number is the slot's. */
		if (!ctx->actor(ctx, e[n].name, (unsigned int)strlen(e[n].name), 0x1000 + n,
				e[n].mode))
			return 0;
		ctx->pos = n + 3;
	}
	if (pi->entry == &proc_root)
		proc_pid_readdir(ctx, n + 2);
	return 0;
}

/* Prints the file's text; *out (kfree) and its length, or a negative errno. */
static ssize_t proc_render(const struct proc_inode *pi, char **out)
{
	struct seq_buf s;
	size_t size;
	int err;

	for (size = PROC_BUF_MIN;; size *= 4) {
		char *buf = kmalloc(size);

		if (!buf)
			return -ENOMEM;
		seq_buf_init(&s, buf, size);
		err = pi->entry->show(&s, pi->pid);
		if (err) {
			kfree(buf);
			return err;
		}
		if (!seq_buf_has_overflowed(&s) || size >= PROC_BUF_MAX) {
			*out = buf;
			return (ssize_t)seq_buf_used(&s);
		}
		kfree(buf);
	}
}

static ssize_t proc_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	const struct proc_inode *pi = PROC_I(f->f_inode);
	char *text = NULL;
	ssize_t len = proc_render(pi, &text);

	if (len < 0)
		return len;
	if (*pos >= (uint64_t)len) {
		n = 0;
	} else {
		if (n > (uint64_t)len - *pos)
			n = (size_t)((uint64_t)len - *pos);
		memcpy(buf, text + *pos, n);
		*pos += n;
	}
	kfree(text);
	return (ssize_t)n;
}

/* Each write stands alone, as Linux's sysctl writes at offset 0 do; the offset is moved past
   what was taken. A file with no write function refuses: -EIO, as a read-only proc file with
   no write method gives in Linux. */
static ssize_t proc_file_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	const struct proc_inode *pi = PROC_I(f->f_inode);
	ssize_t ret;

	if (!pi->entry->write)
		return -EIO;
	ret = pi->entry->write(buf, n);
	if (ret > 0)
		*pos += (uint64_t)ret;
	return ret;
}

/* O_TRUNC on a proc file changes nothing (its size is always 0), as in Linux. */
static int proc_setsize(struct inode *inode, uint64_t size)
{
	(void)inode;
	(void)size;
	return 0;
}

static void proc_evict_inode(struct inode *inode)
{
	kfree(inode->i_private);
	inode->i_private = NULL;
}

static const struct inode_operations proc_dir_iops = {
	.lookup = proc_lookup,
};

static const struct inode_operations proc_file_iops = {
	.setsize = proc_setsize,
};

static const struct file_operations proc_dir_fops = {
	.iterate = proc_readdir,
};

static const struct file_operations proc_file_fops = {
	.read = proc_file_read,
	.write = proc_file_write,
};

const struct super_operations proc_sops = {
	.evict_inode = proc_evict_inode,
};
