/*
 * KTAP suite "vm": address spaces. vm_mmap, vm_munmap and vm_mprotect and their errors;
 * demand-zero pages, the zero page and copy-on-write, seen through copy_to_user and
 * copy_from_user from a kernel thread inside the mm; bad accesses give -EFAULT. The TLB
 * shootdown and the mmu_gather have their own suite (tests/ktest/mmu_gather_test.c).
 */
#include "tests/ktest/vm_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/vm_file.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/torture/free_quarantine.h"
#include "mm/fault.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/fault_inject.h"
#include "mm/gup_fast.h"
#include "mm/torture/tlb_torture.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

static void test_mmap_errors(struct ktest *t)
{
	static struct vm_file unmappable; /* no operations: a file that cannot be mapped */

	struct mm *mm = mm_alloc("ktest-args");
	int64_t a;

	ASSERT_NOT_NULL(t, mm);
	EXPECT_EQ(t, vm_mmap(mm, 0, 0, RW, ANON, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, MMAP_BASE + 1, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, KERNEL_ADDR, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), -EINVAL);
	EXPECT_EQ(t,
		  vm_mmap(mm, USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0),
		  -ENOMEM);
	EXPECT_EQ(t, vm_mmap(mm, 0, (size_t)-1, RW, ANON, NULL, 0), -ENOMEM);
	EXPECT_EQ(t, vm_mmap(mm, 0, USER_TOP, RW, ANON, NULL, 0), -ENOMEM);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, 0x8, ANON, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, ANON | MAP_SHARED, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, MAP_PRIVATE, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, ANON | 0x100, NULL, 0), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, ANON, NULL, 1), -EINVAL);
	EXPECT_EQ(t, vm_mmap(mm, 0, PAGE_SIZE, RW, MAP_PRIVATE, &unmappable, 0), -ENODEV);
	EXPECT_EQ(t, vm_munmap(mm, MMAP_BASE + 1, PAGE_SIZE), -EINVAL);
	EXPECT_EQ(t, vm_munmap(mm, MMAP_BASE, 0), -EINVAL);
	EXPECT_EQ(t, vm_munmap(mm, KERNEL_ADDR, PAGE_SIZE), -EINVAL);
	EXPECT_EQ(t, vm_mprotect(mm, MMAP_BASE, PAGE_SIZE, PROT_READ), -ENOMEM);
	EXPECT_EQ(t, mm->nr_vmas, 0U);

	a = vm_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, a, (int64_t)MMAP_BASE);
	EXPECT_EQ(t, vm_mprotect(mm, a, 4 * PAGE_SIZE, PROT_READ), -ENOMEM); /* a hole after */
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, 0x10), -EINVAL);
	EXPECT_EQ(t, vm_munmap(mm, a + 10 * PAGE_SIZE, PAGE_SIZE), 0); /* nothing there: fine */
	EXPECT_EQ(t, mm->nr_vmas, 1U);
	EXPECT_EQ(t, vm_mmap(mm, a, PAGE_SIZE, RW, ANON, NULL, 0), (int64_t)(a + 3 * PAGE_SIZE));
	EXPECT_EQ(t, mm->nr_vmas, 2U); /* the hint was taken: placed after it */
	mmput(mm);
}

static void test_demand_zero_and_cow(struct ktest *t)
{
	struct baseline b = baseline();
	struct fault_stats f0 = fault_stats(), f1;
	struct mm *mm = enter_new_mm("ktest-cow");
	uint64_t v = 1, a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, v, 0ULL);
	EXPECT_EQ(t, mm->nr_pages, 0ULL); /* the zero page, not a page of its own */
	EXPECT_EQ(t, put_user_u64(a, 0x1234), 0);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE + 8, 0x5678), 0);
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, v, 0x1234ULL);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE + 8), 0);
	EXPECT_EQ(t, v, 0x5678ULL);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0);
	EXPECT_EQ(t, v, 0ULL);
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	EXPECT_EQ(t, *(uint64_t *)page_address(zero_page), 0ULL);
	f1 = fault_stats();
	EXPECT_EQ(t, f1.zero_page - f0.zero_page, 1ULL);
	EXPECT_EQ(t, f1.cow - f0.cow, 1ULL);
	EXPECT_EQ(t, f1.demand_zero - f0.demand_zero, 1ULL);
	EXPECT_GT(t, mm->nr_pgtables, 0ULL);
	leave_mm(mm);
	expect_baseline(t, &b);
}

static void test_bad_accesses(struct ktest *t)
{
	struct fault_stats f0 = fault_stats(), f1;
	uint64_t u0 = uaccess_faults(), v = 0, buf[4] = {1, 2, 3, 4};
	struct mm *mm = enter_new_mm("ktest-bad");
	uint64_t ro, rw;

	ASSERT_NOT_NULL(t, mm);
	ro = (uint64_t)vm_mmap(mm, 0, PAGE_SIZE, PROT_READ, ANON, NULL, 0);
	rw = (uint64_t)vm_mmap(mm, ro + 2 * PAGE_SIZE, PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, rw, ro + 2 * PAGE_SIZE);
	EXPECT_EQ(t, put_user_u64(ro, 7), -EFAULT);		 /* read-only */
	EXPECT_EQ(t, get_user_u64(&v, ro + PAGE_SIZE), -EFAULT); /* no VMA */
	EXPECT_EQ(t, get_user_u64(&v, KERNEL_ADDR), -EFAULT);	 /* refused before any access */
	EXPECT_EQ(t, get_user_u64(&v, USER_TOP - 4), -EFAULT);	 /* runs past the user half */
	/* Across the end of a mapping: the bytes before the hole are written. */
	EXPECT_EQ(t, copy_to_user((void __user *)(rw + PAGE_SIZE - 16), buf, sizeof(buf)), -EFAULT);
	EXPECT_EQ(t, get_user_u64(&v, rw + PAGE_SIZE - 8), 0);
	EXPECT_EQ(t, v, 2ULL);
	f1 = fault_stats();
	EXPECT_EQ(t, f1.bad_access - f0.bad_access, 1ULL);
	EXPECT_EQ(t, f1.bad_area - f0.bad_area, 2ULL);
	EXPECT_EQ(t, uaccess_faults() - u0, 3ULL);
	leave_mm(mm);
}

static void test_mprotect_keeps_data(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-mprotect");
	uint64_t v = 0, a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 42), 0);
	EXPECT_EQ(t, vm_mprotect(mm, a + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	EXPECT_EQ(t, mm->nr_vmas, 3U); /* split around the middle page */
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 43), -EFAULT);
	EXPECT_EQ(t, put_user_u64(a, 1), 0); /* the neighbours keep their rights */
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0);
	EXPECT_EQ(t, v, 42ULL);
	EXPECT_EQ(t, vm_mprotect(mm, a + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), -EFAULT);
	EXPECT_EQ(t, vm_mprotect(mm, a, 3 * PAGE_SIZE, RW), 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0); /* the hidden page is back, unchanged */
	EXPECT_EQ(t, v, 42ULL);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 44), 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0);
	EXPECT_EQ(t, v, 44ULL);
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	leave_mm(mm);
	expect_baseline(t, &b);
}

static void test_munmap_and_fixed(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-munmap");
	uint64_t v = 0, a;

	ASSERT_NOT_NULL(t, mm);
	a = (uint64_t)vm_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(t, put_user_u64(a + i * PAGE_SIZE, 100 + i), 0);
	EXPECT_EQ(t, vm_munmap(mm, a + PAGE_SIZE, PAGE_SIZE), 0);
	EXPECT_EQ(t, mm->nr_vmas, 2U);
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), -EFAULT); /* accesses after munmap fault */
	EXPECT_EQ(t, get_user_u64(&v, a + 2 * PAGE_SIZE), 0);
	EXPECT_EQ(t, v, 102ULL);
	/* MAP_FIXED over the hole and the last page: the old page goes, the new one reads 0. */
	EXPECT_EQ(t, vm_mmap(mm, a + PAGE_SIZE, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0),
		  (int64_t)(a + PAGE_SIZE));
	EXPECT_EQ(t, get_user_u64(&v, a + 2 * PAGE_SIZE), 0);
	EXPECT_EQ(t, v, 0ULL);
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, v, 100ULL);
	EXPECT_EQ(t, vm_munmap(mm, a, 3 * PAGE_SIZE), 0);
	EXPECT_EQ(t, mm->nr_vmas, 0U);
	EXPECT_EQ(t, mm->nr_pages, 0ULL);
	rcu_barrier();
	EXPECT_EQ(t, mm->nr_pgtables, 0ULL); /* no VMA left: every table went */
	leave_mm(mm);
	expect_baseline(t, &b);
}

KTEST_SUITE(vm, KTEST_CASE(test_mmap_errors), KTEST_CASE(test_demand_zero_and_cow),
	    KTEST_CASE(test_bad_accesses), KTEST_CASE(test_mprotect_keeps_data),
	    KTEST_CASE(test_munmap_and_fixed));
