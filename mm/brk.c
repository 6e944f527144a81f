/*
 * brk(2): the program's heap, one anonymous private mapping from mm->start_brk (set by
 * execve past the program's last segment) up to mm->brk rounded up to a page.
 *
 * Linux's semantics: brk(0), or any address the heap cannot move to (below start_brk, into
 * another mapping, past the user half, out of memory), returns the break unchanged; otherwise
 * the heap grows (new anonymous memory, zero filled) or shrinks (unmapped) and the new break
 * is returned. The break itself need not be page aligned; its mapping is.
 *
 * Lock order: mmap_lock (write), then what do_munmap takes (mm/mmap.c).
 */
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "kernel/sched/sched.h"
#include "kernel/syscall.h"

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & PAGE_MASK;
}

/* The heap's VMA when it ends at end and can simply grow: anonymous, private, read-write. */
static struct vm_area *heap_vma(struct mm *mm, uint64_t end)
{
	struct vm_area *vma = end > mm->start_brk ? find_vma(mm, end - 1) : NULL;

	if (vma && vma->end == end && !vma->file && (vma->flags & MAP_PRIVATE) &&
	    vma->prot == (PROT_READ | PROT_WRITE))
		return vma;
	return NULL;
}

/* Grows the heap's mapping from old to new (page aligned): true, or false with nothing done. */
static bool heap_grow(struct mm *mm, uint64_t old, uint64_t new)
{
	struct vm_area *vma;

	if (new > USER_TOP || !vma_range_free(mm, old, new))
		return false;
	if ((vma = heap_vma(mm, old))) {
		vma->end = new; /* nothing maps above old: no entries to move */
		return true;
	}
	vma = vma_alloc(mm, old, new, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	if (!vma)
		return false;
	vma_link(vma);
	return true;
}

/* Moves the break of mm to brk if it can; returns the break. */
static uint64_t mm_brk(struct mm *mm, uint64_t brk)
{
	uint64_t old, new;

	down_write(&mm->mmap_lock);
	/* No heap (an mm no execve set up), or below it: the break stays. */
	if (mm->start_brk < MMAP_MIN_ADDR || brk < mm->start_brk)
		goto out;
	old = page_up(mm->brk);
	new = page_up(brk);
	if (new < brk) /* rounding up overflowed */
		goto out;
	if (new < old && do_munmap(mm, new, old))
		goto out;
	if (new > old && !heap_grow(mm, old, new))
		goto out;
	mm->brk = brk;
out:
	brk = mm->brk;
	up_write(&mm->mmap_lock);
	return brk;
}

SYSCALL_DEFINE1(brk, unsigned long, brk)
{
	struct mm *mm = current->mm;

	return mm ? (long)mm_brk(mm, brk) : 0;
}
