/*
 * Address spaces (mm/mm.h): making and freeing them, the two counts, moving a CPU between
 * them, and kernel threads that run inside one.
 *
 * Lock order: mm_list_lock is a leaf (nothing is taken inside it).
 */
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/tlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "kernel/sched/sched.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

static DEFINE_SPINLOCK(mm_list_lock);
static LIST_HEAD(mm_list);
static unsigned int mm_count_live;

/* The thread's own mm (not the one a lazy CPU keeps loaded for it: mm/tlb.h). */
struct mm *current_mm(void)
{
	return current->mm;
}

/* The scheduler's hook, interrupts off: mm/tlb.c switches, lazily for a kernel thread. */
static void switch_mm(struct mm *prev, struct mm *next)
{
	(void)prev;
	switch_mm_irqs_off(next);
}

void mm_init_address_spaces(void)
{
	zero_page = alloc_page_zeroed();
	if (!zero_page)
		panic("mm: no page for the zero page");
	sched_set_switch_mm(switch_mm, tlb_finish_switch);
}

struct mm *mm_alloc(const char *name)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	phys_addr_t pml4;

	if (!mm)
		return NULL;
	pml4 = pgtable_alloc();
	if (!pml4) {
		kfree(mm);
		return NULL;
	}
	mm->pml4 = phys_to_virt(pml4);
	mm->pml4_phys = pml4;
	/* The kernel half: the same tables as every other address space (made at boot). */
	memcpy(&mm->pml4[PT_ENTRIES / 2], &kernel_pml4[PT_ENTRIES / 2],
	       PT_ENTRIES / 2 * sizeof(pte_t));
	init_rwsem(&mm->mmap_lock, "mmap_lock");
	INIT_LIST_HEAD(&mm->vmas);
	spin_lock_init(&mm->page_table_lock, "page_table_lock");
	atomic_set(&mm->users, 1);
	atomic_set(&mm->count, 1);
	strlcpy(mm->name, name, sizeof(mm->name));
	spin_lock_init(&mm->ioctx_lock, "ioctx_lock");
	INIT_HLIST_HEAD(&mm->ioctx_list);
	spin_lock(&mm_list_lock);
	list_add_tail(&mm->all_node, &mm_list);
	mm_count_live++;
	spin_unlock(&mm_list_lock);
	return mm;
}

/*
 * dup_mm - fork's address space: a new mm with a copy of every mapping of old (dup_mmap,
 * mm/mmap.c). Private pages are shared read-only until one side writes (copy-on-write); shared
 * ones stay shared. NULL when memory runs out, with nothing of the copy left behind.
 */
struct mm *dup_mm(struct mm *old)
{
	struct mm *mm = mm_alloc(old->name);

	if (!mm)
		return NULL;
	if (dup_mmap(mm, old)) {
		mmput(mm); /* exit_mmap releases what was copied */
		return NULL;
	}
	return mm;
}

void mmget(struct mm *mm)
{
	atomic_inc(&mm->users);
	mmgrab(mm);
}

void mmgrab(struct mm *mm)
{
	atomic_inc(&mm->count);
}

/* The last user is gone: no thread runs in mm, nobody can fault in it. Remove everything. */
static void exit_mmap(struct mm *mm)
{
	struct vm_area *vma, *tmp;
	struct mmu_gather tlb;

	down_write(&mm->mmap_lock);
	tlb_gather_mmu_fullmm(&tlb, mm);
	list_for_each_entry_safe(vma, tmp, &mm->vmas, node) {
		zap_page_range(&tlb, vma, vma->start, vma->end);
		vma_unlink(vma);
		vma_free(vma);
	}
	free_pgtables(&tlb, mm, 0, USER_TOP);
	tlb_finish_mmu(&tlb);
	up_write(&mm->mmap_lock);
	if (mm->nr_pages || mm->nr_pgtables)
		panic("exit_mmap: %s still has %llu pages and %llu page tables", mm->name,
		      (unsigned long long)mm->nr_pages, (unsigned long long)mm->nr_pgtables);
}

/* Set once at boot by aio_init(): fs/ is above mm/, so mm/ calls it through this pointer. */
static void (*exit_aio_hook)(struct mm *mm);

void mm_set_exit_aio(void (*fn)(struct mm *mm))
{
	exit_aio_hook = fn;
}

void mmput(struct mm *mm)
{
	if (atomic_dec_and_test(&mm->users)) {
		if (exit_aio_hook)
			exit_aio_hook(mm); /* Linux's mmput: exit_aio, then exit_mmap */
		exit_mmap(mm);
	}
	mmdrop(mm);
}

void mmdrop(struct mm *mm)
{
	if (!atomic_dec_and_test(&mm->count))
		return;
	if (cpumask_weight(&mm->cpu_mask))
		panic("mmdrop: %s is freed while CPUs still run it", mm->name);
	spin_lock(&mm_list_lock);
	list_del(&mm->all_node);
	mm_count_live--;
	spin_unlock(&mm_list_lock);
	pgtable_free(mm->pml4_phys);
	kfree(mm);
}

/*
 * kthread_enter_mm: runs the calling kernel thread inside mm, as kthread_use_mm does, but
 * takes no user: the caller must know that mm's mappings stay until kthread_leave_mm. An aio
 * worker copying a read's data out knows it: the request is in flight, and the last mmput's
 * exit_aio waits for it before exit_mmap unmaps anything (fs/aio_submit.c). (Linux's
 * kthread_use_mm takes no user either, only an mmgrab.)
 */
void kthread_enter_mm(struct mm *mm)
{
	unsigned long flags;

	if (current->mm)
		panic("kthread_use_mm: %s is already inside %s", current->name, current->mm->name);
	flags = local_irq_save(); /* the switch hook and this store must not be split */
	current->mm = mm;
	switch_mm_irqs_off(mm);
	local_irq_restore(flags);
	tlb_finish_switch(); /* the mm a lazy CPU kept before, if any */
}

void kthread_leave_mm(struct mm *mm)
{
	unsigned long flags;

	if (current->mm != mm)
		panic("kthread_unuse_mm: %s is not inside %s", current->name, mm->name);
	flags = local_irq_save();
	current->mm = NULL;
	switch_mm_irqs_off(NULL); /* lazy: the tables stay until another mm needs the CPU */
	local_irq_restore(flags);
}

void kthread_use_mm(struct mm *mm)
{
	mmget(mm);
	kthread_enter_mm(mm);
}

void kthread_unuse_mm(struct mm *mm)
{
	kthread_leave_mm(mm);
	mmput(mm);
}

void mm_for_each(void (*fn)(struct mm *mm, void *arg), void *arg)
{
	struct mm *mm;

	spin_lock(&mm_list_lock);
	list_for_each_entry(mm, &mm_list, all_node)
		fn(mm, arg);
	spin_unlock(&mm_list_lock);
}

unsigned int nr_mms(void)
{
	return READ_ONCE(mm_count_live);
}
