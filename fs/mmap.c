/*
 * The file side of mmap: the struct vm_file (mm/vm_file.h) that each open file carries, so
 * that mm/ can map the file without knowing what a struct file or an inode is. Each
 * operation goes to the file's own (struct file_operations: mmap_page, page_mkwrite, fsync).
 */
#include "fs/file.h"
#include "fs/inode.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/mm.h"
#include "kernel/sched/sched.h"
#include "kernel/syscall.h"
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

/* Linux's mapping types (the low four bits, its MAP_TYPE) and the flags it has always known. */
#define MAP_TYPE_MASK	    0x0f
#define MAP_SHARED_VALIDATE 0x03
#define MAP_GROWSDOWN	    0x0100
#define MAP_LOCKED	    0x2000
#define MAP_NONBLOCK	    0x10000
#define MAP_HUGETLB	    0x40000
#define MAP_UNINITIALIZED   0x4000000
#define LEGACY_MAP_MASK                                                                            \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |   \
	 MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |           \
	 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
/* What vm_mmap takes; the rest of the known flags change nothing here: no reservation is made
   (MAP_NORESERVE), nothing is swapped (MAP_LOCKED only populates), a stack does not grow
   (MAP_GROWSDOWN, MAP_STACK), and Linux itself ignores MAP_DENYWRITE, MAP_EXECUTABLE,
   MAP_UNINITIALIZED and MAP_NONBLOCK without MAP_POPULATE. */
#define MAP_VM (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_ANONYMOUS)

/*
 * The mapping type, as Linux's do_mmap reads it: MAP_SHARED and MAP_PRIVATE ignore any flag
 * above the ones mmap has always known (programs have passed garbage there for decades);
 * MAP_SHARED_VALIDATE, made for new flags, refuses them with -EOPNOTSUPP and is otherwise
 * MAP_SHARED; it maps files only. MAP_HUGETLB: no huge pages here (Linux: -EINVAL for a file
 * not on hugetlbfs, -ENOMEM with no huge pages reserved). *flags becomes what vm_mmap takes,
 * with MAP_POPULATE.
 */
static int mmap_type(unsigned long *flags, bool file)
{
	unsigned long f = *flags;

	switch (f & MAP_TYPE_MASK) {
	case MAP_SHARED_VALIDATE:
		if (!file)
			return -EINVAL;
		if (f & ~(LEGACY_MAP_MASK | MAP_FIXED_NOREPLACE))
			return -EOPNOTSUPP;
		f = (f & ~MAP_TYPE_MASK) | MAP_SHARED;
		break;
	case MAP_SHARED:
	case MAP_PRIVATE:
		break;
	default:
		return -EINVAL;
	}
	if (f & MAP_HUGETLB)
		return file ? -EINVAL : -ENOMEM;
	*flags = (f & (MAP_VM | MAP_POPULATE)) | (f & MAP_LOCKED ? MAP_POPULATE : 0);
	return 0;
}

/* The checks of Linux's do_mmap and get_unmapped_area that vm_mmap makes differently: 0, or
   the errno Linux gives. */
static int mmap_check_linux(uint64_t addr, size_t len, unsigned long flags)
{
	if (!len)
		return -EINVAL;
	if (len > USER_TOP) /* rounding it up would overflow */
		return -ENOMEM;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0; /* a hint vm_mmap cannot use is ignored */
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (addr > USER_TOP || ((len + PAGE_SIZE - 1) & PAGE_MASK) > USER_TOP - addr)
		return -ENOMEM;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM; /* Linux's mmap_min_addr, for a process without CAP_SYS_RAWIO */
	return 0;
}

static long do_mmap_file(struct mm *mm, uint64_t addr, size_t len, unsigned int prot,
			 unsigned long flags, struct file *f, uint64_t off)
{
	struct vm_file *vf = f ? file_vm(f) : NULL;
	int64_t ret;

	if (!mm)
		return -ENOMEM;
	if ((ret = mmap_check_linux(addr, len, flags)) != 0 || (ret = mmap_type(&flags, f)) != 0)
		return ret;
	if (f && !vf)
		return -ENODEV;
	/* Linux's file_mmap_ok: the mapping may not reach past the largest file offset. */
	if (f && (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off))
		return -EOVERFLOW;
	ret = vm_mmap(mm, addr, len, prot & ~PROT_SEM, flags & MAP_VM, vf, vf ? off : 0);
	if (ret >= 0 && (flags & MAP_POPULATE))
		mm_populate(mm, (uint64_t)ret, len);
	return ret;
}

/*
 * mmap(2): anonymous memory or the file of descriptor fd, into the calling thread's address
 * space. Linux's order of checks: an unaligned offset (-EINVAL), then the descriptor
 * (-EBADF), then the rest (vm_mmap, mm/mmap.h).
 */
SYSCALL_DEFINE6(mmap, unsigned long, addr, size_t, len, unsigned long, prot, unsigned long, flags,
		int, fd, unsigned long, off)
{
	struct file *f = NULL;
	long ret;

	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fget(fd)))
		return -EBADF;
	/* The VMA takes its own reference on f; ours goes at once. */
	ret = do_mmap_file(current->mm, addr, len, (unsigned int)prot, flags, f, off);
	if (f)
		fput(f);
	return ret;
}
