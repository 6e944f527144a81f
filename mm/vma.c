/*
 * The sorted VMA list of an mm (mm/vma.h). A list keeps the code short and easy to follow in
 * gdb; an mm here has a handful of VMAs. Linux uses a tree (a maple tree today) for the same
 * operations. Callers hold mmap_lock (write for the changes).
 */
#include "mm/vma.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/rmap.h"
#include "mm/vm_file.h"
#include "kernel/panic.h"
#include "arch/x86_64/memlayout.h"

/* The list changes only under mmap_lock held for writing, by the caller. */
static void assert_write_locked(struct mm *mm, const char *what)
{
	if (!rwsem_is_write_locked_by_me(&mm->mmap_lock))
		panic("%s on %s without mmap_lock held for writing", what, mm->name);
}

struct vm_area *find_vma_above(struct mm *mm, uint64_t addr)
{
	struct vm_area *vma;

	list_for_each_entry(vma, &mm->vmas, node)
		if (vma->end > addr)
			return vma;
	return NULL;
}

struct vm_area *find_vma(struct mm *mm, uint64_t addr)
{
	struct vm_area *vma = find_vma_above(mm, addr);

	return vma && vma->start <= addr ? vma : NULL;
}

bool vma_range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vm_area *vma = find_vma_above(mm, start);

	return !vma || vma->start >= end;
}

uint64_t vma_find_gap(struct mm *mm, uint64_t from, uint64_t len)
{
	uint64_t addr = from;
	struct vm_area *vma;

	list_for_each_entry(vma, &mm->vmas, node) {
		if (vma->end <= addr)
			continue;
		if (vma->start >= addr + len)
			break;
		addr = vma->end;
	}
	return addr + len <= USER_TOP && addr + len > addr ? addr : 0;
}

struct vm_area *vma_alloc(struct mm *mm, uint64_t start, uint64_t end, unsigned int prot,
			  unsigned int flags)
{
	struct vm_area *vma = kzalloc(sizeof(*vma));

	if (!vma)
		return NULL;
	vma->start = start;
	vma->end = end;
	vma->prot = prot;
	vma->flags = flags;
	vma->mm = mm;
	INIT_LIST_HEAD(&vma->node);
	INIT_LIST_HEAD(&vma->shared);
	return vma;
}

void vma_free(struct vm_area *vma)
{
	if (vma->file) {
		vma_unlink_file(vma);
		vma->file->ops->put(vma->file);
	}
	kfree(vma);
}

void vma_link(struct vm_area *vma)
{
	struct mm *mm = vma->mm;
	struct vm_area *next;

	assert_write_locked(mm, "vma_link");
	next = find_vma_above(mm, vma->start);
	list_add_tail(&vma->node, next ? &next->node : &mm->vmas); /* before next */
	mm->nr_vmas++;
}

void vma_unlink(struct vm_area *vma)
{
	assert_write_locked(vma->mm, "vma_unlink");
	list_del_init(&vma->node);
	vma->mm->nr_vmas--;
}

struct vm_area *vma_split(struct vm_area *vma, uint64_t addr)
{
	struct vm_area *high;

	assert_write_locked(vma->mm, "vma_split");
	high = vma_alloc(vma->mm, addr, vma->end, vma->prot, vma->flags);
	if (!high)
		return NULL;
	high->pgoff = vma->pgoff + (addr - vma->start) / PAGE_SIZE;
	high->writenotify = vma->writenotify;
	high->no_writenotify = vma->no_writenotify;
	if (vma->file) { /* the high part maps the file too: its own reference, its own entry */
		high->file = vma->file;
		high->file->ops->get(high->file);
		vma_split_file(vma, high); /* both halves change at once for page_mkclean */
	} else {
		vma->end = addr;
	}
	list_add(&high->node, &vma->node);
	vma->mm->nr_vmas++;
	return high;
}
