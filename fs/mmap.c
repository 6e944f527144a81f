/*
 * The file side of mmap: the struct vm_file (mm/vm_file.h) that each open file carries, so
 * that mm/ can map the file without knowing what a struct file or an inode is. Each
 * operation goes to the file's own (struct file_operations: mmap_page, page_mkwrite, fsync).
 */
#include "fs/file.h"
#include "fs/inode.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "lib/compiler.h"
#include "lib/errno.h"

static struct file *vf_file(struct vm_file *vf)
{
	return container_of(vf, struct file, f_vm);
}

static void vf_get(struct vm_file *vf)
{
	get_file(vf_file(vf));
}

static void vf_put(struct vm_file *vf)
{
	fput(vf_file(vf));
}

static uint64_t vf_size(struct vm_file *vf)
{
	return READ_ONCE(vf_file(vf)->f_inode->i_size);
}

static int vf_get_page(struct vm_file *vf, uint64_t index, struct page **out)
{
	struct file *f = vf_file(vf);

	return f->f_op->mmap_page(f, index, out);
}

static int vf_page_mkwrite(struct vm_file *vf, struct page *page)
{
	struct file *f = vf_file(vf);

	return f->f_op->page_mkwrite ? f->f_op->page_mkwrite(f, page) : 0;
}

static int vf_fsync(struct vm_file *vf)
{
	struct file *f = vf_file(vf);

	return f->f_op->fsync ? f->f_op->fsync(f) : 0;
}

static const struct vm_file_operations file_vm_ops = {
	.get = vf_get,
	.put = vf_put,
	.size = vf_size,
	.get_page = vf_get_page,
	.page_mkwrite = vf_page_mkwrite,
	.fsync = vf_fsync,
};

/*
 * Fills f->f_vm at open: the operations mm/ calls back (none when the filesystem cannot map:
 * file_vm() then says NULL), the page cache, and whether the open allows reading and writing.
 * Before f is installed; does not sleep.
 */
void file_vm_init(struct file *f)
{
	f->f_vm.ops = f->f_op && f->f_op->mmap_page ? &file_vm_ops : NULL;
	f->f_vm.mapping = &f->f_inode->i_data;
	f->f_vm.readable = f->f_mode & FMODE_READ;
	f->f_vm.writable = f->f_mode & FMODE_WRITE;
}

/*
 * What vm_mmap() takes for f: its struct vm_file, or NULL when f cannot be mapped (a directory, a
 * filesystem without mmap_page).
 */
struct vm_file *file_vm(struct file *f)
{
	return f->f_vm.ops ? &f->f_vm : NULL;
}

/*
 * mmap(2) of descriptor fd of the calling thread into mm (MAP_SHARED or MAP_PRIVATE, prot PROT_*),
 * at addr if given. The VMA takes its own reference on the file. Returns the address, or -EBADF,
 * -ENODEV (the file cannot be mapped), or vm_mmap's errors (-EACCES, -EINVAL, -ENOMEM). Takes mm's
 * mmap_lock (may sleep).
 */
int64_t sys_mmap(struct mm *mm, uint64_t addr, size_t len, unsigned int prot, unsigned int flags,
		 int fd, uint64_t off)
{
	struct file *f = fget(fd);
	struct vm_file *vf;
	int64_t ret;

	if (!f)
		return -EBADF;
	vf = file_vm(f);
	/* The VMA takes its own reference on f; ours goes at once. */
	ret = vf ? vm_mmap(mm, addr, len, prot, flags & ~MAP_ANONYMOUS, vf, off) : -ENODEV;
	fput(f);
	return ret;
}
