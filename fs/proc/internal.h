/*
 * What the files of fs/proc/ share: the table entries the tree is built from, and the show
 * functions of each file (one source file per group of files, at Linux's paths).
 *
 * Every file of /proc is a struct proc_entry: a name, a mode, and for a regular file a show
 * function that prints the whole text into a seq_buf at each read (fs/proc/inode.c cuts the
 * reader's piece out of it), and for a writable one a write function. A directory lists its
 * children in a table that ends at an entry with no name. The root adds a directory per
 * process (fs/proc/base.c).
 */
#ifndef FS_PROC_INTERNAL_H
#define FS_PROC_INTERNAL_H

#include "fs/fs.h"
#include "lib/seq_buf.h"

/* The process a file under /proc/PID/ or /proc/self/ shows. */
#define PROC_PID_SELF 0	   /* the reader's own process, found at each read */
#define PROC_PID_NONE (-1) /* not a process's file */

struct proc_entry {
	const char *name;
	umode_t mode; /* S_IFDIR | 0555, S_IFREG | 0444 or 0644 */
	/* A regular file: prints its text for process pid; 0 or a negative errno. */
	int (*show)(struct seq_buf *s, int pid);
	/* A writable file: takes n bytes written at once; the bytes used or a negative errno. */
	ssize_t (*write)(const char *buf, size_t n);
	/* A directory: its entries, ending at one with a NULL name. */
	const struct proc_entry *children;
	bool self; /* this directory is /proc/self: its files show the reader's process */
};

/* What a proc inode knows (inode->i_private). */
struct proc_inode {
	const struct proc_entry *entry;
	int pid; /* PROC_PID_* or a process's pid */
};

/* fs/proc/inode.c: the superblock's operations, and the inode of entry for pid, with one reference; NULL if no memory. */
extern const struct super_operations proc_sops;
struct inode *proc_get_inode(struct super_block *sb, const struct proc_entry *entry, int pid);

/* fs/proc/root.c: the root directory, and the entries that fs/proc/base.c lists per process. */
extern const struct proc_entry proc_root;
extern const struct proc_entry proc_pid_dir;

/* fs/proc/base.c: the process directories in /proc. */
int proc_pid_lookup(struct inode *dir, struct dentry *dentry);
bool proc_pid_readdir(struct dir_context *ctx, uint64_t first_pos);

/* The show and write functions, by file. */
int proc_mounts_show(struct seq_buf *s, int pid);	  /* fs/proc/mounts.c */
int proc_vmstat_show(struct seq_buf *s, int pid);	  /* fs/proc/vmstat.c */
int proc_meminfo_show(struct seq_buf *s, int pid);	  /* fs/proc/meminfo.c */
int proc_interrupts_show(struct seq_buf *s, int pid);	  /* fs/proc/interrupts.c */
int proc_pid_stat_show(struct seq_buf *s, int pid);	  /* fs/proc/array.c */
int proc_pid_status_show(struct seq_buf *s, int pid);	  /* fs/proc/array.c */
int proc_aio_nr_show(struct seq_buf *s, int pid);	  /* fs/proc/proc_sysctl.c */
int proc_aio_max_nr_show(struct seq_buf *s, int pid);	  /* fs/proc/proc_sysctl.c */
ssize_t proc_aio_max_nr_write(const char *buf, size_t n); /* fs/proc/proc_sysctl.c */
ssize_t proc_aio_nr_write(const char *buf, size_t n);	  /* fs/proc/proc_sysctl.c */
int proc_cmdline_show(struct seq_buf *s, int pid);	  /* fs/proc/root.c */

#endif
