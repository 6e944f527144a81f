/* The system-call suites' fixture (tests/ktest/sys_fixture.h). */
#include "tests/ktest/sys_fixture.h"
#include "tests/ktest/vm_fixture.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"

int sys_fixture_init(struct ktest *t)
{
	struct sys_fixture *f = kzalloc(sizeof(*f));
	int64_t a;

	if (!f)
		return -ENOMEM;
	f->mm = enter_new_mm("ktest-sys");
	if (!f->mm) {
		kfree(f);
		return -ENOMEM;
	}
	t->priv = f;
	a = vm_mmap(f->mm, 0, (SYS_RW_PAGES + 1) * PAGE_SIZE, RW, ANON, NULL, 0);
	if (a >= 0) {
		f->rw = (uint64_t)a;
		f->ro = f->rw + SYS_RW_PAGES * PAGE_SIZE;
		a = vm_mprotect(f->mm, f->ro, PAGE_SIZE, PROT_READ);
	}
	if (a < 0)
		sys_fixture_exit(t); /* the case does not run, nor does the exit hook */
	return a < 0 ? (int)a : 0;
}

void sys_fixture_exit(struct ktest *t)
{
	struct sys_fixture *f = t->priv;

	leave_mm(f->mm);
	kfree(f);
}

void sys_put(struct ktest *t, uint64_t to, const void *from, size_t n)
{
	EXPECT_EQ(t, copy_to_user((void __user *)to, from, n), 0);
}

void sys_get(struct ktest *t, void *to, uint64_t from, size_t n)
{
	EXPECT_EQ(t, copy_from_user(to, (const void __user *)from, n), 0);
}

bool sys_all(uint64_t a, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c;

		if (copy_from_user(&c, (const void __user *)(a + i), 1) || c != b)
			return false;
	}
	return true;
}
