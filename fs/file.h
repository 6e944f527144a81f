/*
 * Open files and the per-thread tables that hold them.
 *
 * A struct file is one open: the path it was opened through (holding references on both the
 * mount and the dentry), its access mode, its position. An open for writing holds a write
 * reference on the mount (mnt_want_write) from open until the last fput, which may run on
 * another CPU (fs/mnt_writers.c counts that right).
 *
 * Each thread has a file descriptor table (files_struct, NR_OPEN slots) and a working
 * directory (fs_struct), both made on first use and released when the thread ends.
 */
#ifndef FS_FILE_H
#define FS_FILE_H

#include "fs/fs.h"
#include "kernel/locking/mutex.h"
#include "mm/vm_file.h"

#define NR_OPEN 64 /* descriptors per thread */

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
	struct vm_file f_vm;   /* what a VMA mapping this file holds (fs/mmap.c) */
};

struct files_struct {
	spinlock_t lock; /* the slots */
	struct file *fd[NR_OPEN];
};

struct fs_struct {
	spinlock_t lock;
	struct path pwd; /* the working directory; NULL mnt: the namespace root */
};

void files_init(void);

/*
 * Opening is in two steps, as Linux's path_openat: the struct file first (NULL when no memory),
 * before the lookup creates anything, so running out of memory cannot leave a new empty file
 * behind; then, once the path is known, alloc's file is bound to it (taking new references).
 * An empty file that is not bound is given back with put_empty_file.
 */
struct file *alloc_empty_file(void);
void file_bind_path(struct file *f, const struct path *path, unsigned int flags, unsigned int mode);
void put_empty_file(struct file *f);
struct file *get_file(struct file *f);
void fput(struct file *f);

/* The lowest free descriptor now pointing at f (the table takes over f's reference), or -EMFILE. */
int fd_install_new(struct file *f);
/*
 * 0 when the current thread has a free descriptor (its table made if need be), else -EMFILE or
 * -ENOMEM. Only a thread fills its own table, so the slot is still free at fd_install_new:
 * sys_open asks first, and an open refused for EMFILE neither creates nor truncates.
 */
int fd_available(void);
/* The file at fd with a reference, or NULL (a bad descriptor). */
struct file *fget(int fd);
/* Empties the slot; 0 or -EBADF. */
int close_fd(int fd);

/* The working directory of the current thread, with references (the root if never set). */
void get_fs_pwd(struct path *pwd);
/* Sets it; takes new references on path. 0 or -ENOMEM. */
int set_fs_pwd(const struct path *path);

/* Closes every descriptor and drops the working directory of the current thread. */
void exit_files(void);

/* read and write on a file at *pos (moved by what was done): fs/read_write.c. */
ssize_t kernel_read(struct file *f, void *buf, size_t n, uint64_t *pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, uint64_t *pos);

void path_get(const struct path *path);
void path_put(const struct path *path);

/* Open files in all threads together (a leak check). */
uint64_t nr_files(void);

/*
 * Mapping a file into an address space (fs/mmap.c): the struct vm_file that mm/ sees, or NULL
 * when the file cannot be mapped (a directory). vm_mmap(mm, addr, len, prot, flags,
 * file_vm(f), off) then maps it; the VMA holds a reference on f until it is unmapped.
 */
struct vm_file *file_vm(struct file *f);
/* mmap of descriptor fd of the current thread into mm (MAP_SHARED or MAP_PRIVATE): the
   address, or a negative errno (-EBADF, -ENODEV, and vm_mmap's). */
struct mm;
int64_t sys_mmap(struct mm *mm, uint64_t addr, size_t len, unsigned int prot, unsigned int flags,
		 int fd, uint64_t off);
/* Fills f->f_vm at open. */
void file_vm_init(struct file *f);

#endif
