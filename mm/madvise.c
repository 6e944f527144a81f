/*
 * madvise(2): advice about a range of the calling thread's address space. One piece of advice
 * does something here, MADV_DONTNEED (and MADV_FREE, which may do the same): the pages go, through
 * the mmu_gather, and the next touch maps zeros (anonymous memory) or the file's page again.
 * The hints that only tune read-ahead or reclaim are accepted and do nothing; the rest are
 * refused with -EINVAL (docs/vm.md lists them).
 *
 * Lock order: mmap_lock (read, as Linux's MADV_DONTNEED takes it), then what the zap takes
 * (mm/memory.c).
 */
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "kernel/sched/sched.h"
#include "kernel/syscall.h"
#include "lib/errno.h"

/* Linux's values. */
#define MADV_NORMAL	0
#define MADV_RANDOM	1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED	3
#define MADV_DONTNEED	4
#define MADV_FREE	8

/*
 * Whether vma's pages may be dropped. A shared anonymous mapping is refused: Linux keeps its
 * pages in a shmem file and a later fault finds them again, but here the entries are the only
 * thing that holds them, and dropping them would lose the data.
 */
static bool may_drop(const struct vm_area *vma, int advice)
{
	if (!vma->file && (vma->flags & MAP_SHARED))
		return false;
	/* MADV_FREE is for private anonymous memory only, as in Linux. */
	return advice != MADV_FREE || (!vma->file && (vma->flags & MAP_PRIVATE));
}

/* Drops the pages of [start, end): 0, -EINVAL (a mapping that may not drop them; none is
   touched then) or -ENOMEM (a hole; the mapped parts are dropped, as in Linux). */
static int madvise_dontneed(struct mm *mm, uint64_t start, uint64_t end, int advice)
{
	struct vm_area *vma;
	struct mmu_gather tlb;
	uint64_t at;
	int err = 0;

	down_read(&mm->mmap_lock);
	for (at = start; at < end && (vma = find_vma_above(mm, at)) && vma->start < end;
	     at = vma->end)
		if (!may_drop(vma, advice)) {
			up_read(&mm->mmap_lock);
			return -EINVAL;
		}
	tlb_gather_mmu(&tlb, mm);
	for (at = start; at < end; at = vma->end) {
		vma = find_vma_above(mm, at);
		if (!vma || vma->start >= end) {
			err = -ENOMEM;
			break;
		}
		if (vma->start > at)
			err = -ENOMEM;
		zap_page_range(&tlb, vma, MAX(at, vma->start), MIN(end, vma->end));
	}
	tlb_finish_mmu(&tlb);
	up_read(&mm->mmap_lock);
	return err;
}

/* Every VMA of [start, end) is there: 0, or -ENOMEM at a hole. */
static int range_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vm_area *vma = NULL;
	uint64_t at;

	down_read(&mm->mmap_lock);
	for (at = start; at < end && (vma = find_vma(mm, at)); at = vma->end)
		;
	up_read(&mm->mmap_lock);
	return at < end ? -ENOMEM : 0;
}

SYSCALL_DEFINE3(madvise, unsigned long, addr, size_t, len, int, advice)
{
	struct mm *mm = current->mm;
	uint64_t n = (len + PAGE_SIZE - 1) & PAGE_MASK;

	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
		break;
	default:
		return -EINVAL;
	}
	if ((addr & ~PAGE_MASK) || n < len)
		return -EINVAL;
	if (!n)
		return 0;
	if (!mm || addr < MMAP_MIN_ADDR || addr >= USER_TOP || n > USER_TOP - addr)
		return -ENOMEM; /* nothing can be mapped there */
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		return madvise_dontneed(mm, addr, addr + n, advice);
	return range_mapped(mm, addr, addr + n);
}
