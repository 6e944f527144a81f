/*
 * Open files and the per-thread tables that hold them.
 *
 * A struct file is one open: the path it was opened through (holding references on both the
 * mount and the dentry), its access mode, its position. An open for writing holds a write
 * reference on the mount (mnt_want_write) from open until the last fput, which may run on
 * another CPU (fs/mnt_writers.c counts that right).
 *
 * Each thread has a file descriptor table (files_struct, NR_OPEN slots: fs/file.c), made on
 * first use. The threads of one process share one table (clone with CLONE_FILES): the table
 * counts its threads, and the last one to end closes what is left. Its working directory:
 * fs/fs_struct.h.
 */
#ifndef FS_FILE_H
#define FS_FILE_H

#include "kernel/process.h" /* CLONE_FILES, CLONE_FS */
#include "fs/fs.h"
#include "kernel/locking/mutex.h"
#include "mm/vm_file.h"

#define NR_OPEN 64 /* descriptors per table: one bit each in the uint64_t masks below */


/* file->f_mode */
#define FMODE_READ	0x1
#define FMODE_WRITE	0x2
#define FMODE_WRITE_REF 0x4 /* holds a write reference on f_path.mnt */

struct file {
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	unsigned int f_flags; /* O_* as given to open */
	unsigned int f_mode;  /* FMODE_* */
	atomic_t f_count;
	struct mutex f_pos_lock; /* read, write and lseek of one file take turns with f_pos */
	uint64_t f_pos;
	struct vm_file f_vm; /* what a VMA mapping this file holds (fs/mmap.c) */
};

/*
 * Invariant, under lock: a bit of open_fds is set for each slot in use, which is either
 * installed (fd[i] != NULL) or reserved by an open still under way (fd[i] == NULL, its bit
 * set). fget sees only installed slots; a reserved slot is not given out twice.
 */
struct files_struct {
	atomic_t count;		/* threads using the table */
	spinlock_t lock;	/* the slots and both masks */
	uint64_t open_fds;	/* bit i: slot i is installed or reserved */
	uint64_t close_on_exec; /* bit i: close fd i at execve (FD_CLOEXEC) */
	struct file *fd[NR_OPEN];
};

void files_init(void);

/* Opening is in two steps, as Linux's path_openat (fs/file_table.c says why). */
struct file *alloc_empty_file(void);
void file_bind_path(struct file *f, const struct path *path, unsigned int flags, unsigned int mode);
void put_empty_file(struct file *f);
struct file *get_file(struct file *f);
void fput(struct file *f);

/* The calling thread's descriptors (fs/file.c). */
int get_unused_fd_flags(unsigned int flags, int minfd);
void fd_install(int fd, struct file *f);
void put_unused_fd(int fd);
int fd_install_new(struct file *f);
struct file *fget(int fd);
int close_fd(int fd);
int replace_fd(int fd, struct file *f, unsigned int flags);
int get_close_on_exec(int fd);
int set_close_on_exec(int fd, bool on);

struct thread;
/* The table for a new thread: shared with CLONE_FILES, else copied (fs/file.c). */
int copy_files(unsigned long clone_flags, struct thread *child);
/* Drops the current thread's use of its table (it is ending); the last user closes all. */
void exit_files(void);
struct files_struct;
void put_files_struct(struct files_struct *files);
/* Closes the descriptors marked close-on-exec; execve calls it. */
void do_close_on_exec(void);

/* read and write on a file at *pos (moved by what was done): fs/read_write.c. */
ssize_t kernel_read(struct file *f, void *buf, size_t n, uint64_t *pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, uint64_t *pos);

/* Open files in all threads together (a leak check). */
uint64_t nr_files(void);

/* Mapping a file into an address space (fs/mmap.c). */
struct vm_file *file_vm(struct file *f);
struct mm;
int64_t sys_mmap(struct mm *mm, uint64_t addr, size_t len, unsigned int prot, unsigned int flags,
		 int fd, uint64_t off);
/* Fills f->f_vm at open. */
void file_vm_init(struct file *f);

#endif
