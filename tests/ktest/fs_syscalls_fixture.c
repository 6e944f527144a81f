/* The shared fixture of the file-system system-call suites (fs_syscalls_fixture.h). */
#include "tests/ktest/fs_syscalls_fixture.h"
#include "tests/ktest/vm_fixture.h"
#include "fs/syscalls.h"
#include "kernel/rcu/rcu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

static unsigned int fsx_seq;

static int fsx_setup(struct fsx *x)
{
	int64_t a;

	if (!(x->mm = enter_new_mm("fsx")))
		return -ENOMEM;
	if ((a = vm_mmap(x->mm, 0, (FX_PAGES + 2) * PAGE_SIZE, RW, ANON, NULL, 0)) < 0)
		return (int)a;
	x->u = (uint64_t)a;
	x->buf = x->u + 2 * PAGE_SIZE;
	x->ro = x->u + FX_PAGES * PAGE_SIZE;
	x->hole = x->ro + PAGE_SIZE;
	vm_munmap(x->mm, x->hole, PAGE_SIZE);
	vm_mprotect(x->mm, x->ro, PAGE_SIZE, PROT_READ);
	snprintf(x->dir, sizeof(x->dir), "/tmp/fsx%u",
		 __atomic_add_fetch(&fsx_seq, 1, __ATOMIC_RELAXED));
	return sys_mkdir(x->dir, 0755);
}

int fsx_init(struct ktest *t)
{
	struct fsx *x = kzalloc(sizeof(*x));
	int err;

	if (!x)
		return -ENOMEM;
	t->priv = x;
	if ((err = fsx_setup(x))) {
		x->dir[0] = '\0'; /* not made */
		fsx_exit(t);
		t->priv = NULL;
	}
	return err;
}

/* Leaves the mm; the case's directory stays if a failed case left files in it. Waits for the
   frees the case deferred to a grace period (dentries, inodes, page tables), so that the next
   suite, which may count slab objects, starts from quiet. */
void fsx_exit(struct ktest *t)
{
	struct fsx *x = t->priv;

	if (!x)
		return;
	sys_chdir("/");
	if (x->dir[0])
		sys_rmdir(x->dir);
	if (x->mm)
		leave_mm(x->mm);
	kfree(x);
	rcu_barrier();
}

uint64_t fsx_str(struct fsx *x, int i, const char *s)
{
	uint64_t a = x->u + (uint64_t)i * 256;

	copy_to_user((void __user *)a, s, strlen(s) + 1);
	return a;
}

uint64_t fsx_path(struct fsx *x, int i, const char *name)
{
	char p[256];

	if (name[0] == '/')
		return fsx_str(x, i, name);
	snprintf(p, sizeof(p), "%s/%s", x->dir, name);
	return fsx_str(x, i, p);
}

bool fsx_peek(uint64_t a, void *to, size_t n)
{
	return copy_from_user(to, (const void __user *)a, n) == 0;
}
