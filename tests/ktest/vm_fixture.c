/* The shared fixture of the address-space suites (tests/ktest/vm_fixture.h). */
#include "tests/ktest/vm_fixture.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "mm/mm.h"
#include "mm/memory.h"
#include "mm/pgtable.h"
#include "mm/page.h"
#include "mm/uaccess.h"
#include "lib/errno.h"
#include "lib/atomic.h"

struct baseline baseline(void)
{
	rcu_barrier(); /* page tables freed by earlier tests wait for a grace period */
	return (struct baseline){nr_user_pages(), (uint64_t)atomic64_read(&pgtable_pages)};
}

void expect_baseline(struct ktest *t, const struct baseline *b)
{
	struct baseline now = baseline();

	EXPECT_EQ(t, now.user_pages, b->user_pages);
	EXPECT_EQ(t, now.pgtables, b->pgtables);
}

struct mm *enter_new_mm(const char *name)
{
	struct mm *mm = mm_alloc(name);

	if (mm)
		kthread_use_mm(mm);
	return mm;
}

void leave_mm(struct mm *mm)
{
	kthread_unuse_mm(mm);
	mmput(mm);
}

/* Writes i into page i of the n pages at a. 0, or -EFAULT at the first page that faults. */
int fill_pages(uint64_t a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (put_user_u64(a + i * PAGE_SIZE, i))
			return -EFAULT;
	return 0;
}
