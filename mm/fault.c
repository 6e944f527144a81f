/*
 * Page faults in an address space (mm/fault.h).
 *
 * Lock order: mm/rmap.c's (mmap_lock read, then page_table_lock, then zone_lock). A new page is
 * allocated with page_table_lock dropped and the entry looked at again once it is retaken, since
 * another thread of the mm may have resolved the same fault meanwhile.
 */
#include "mm/fault.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/tlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/filemap.h"
#include "mm/swap.h"
#include "mm/writeback.h"
#include "kernel/process.h"
#include "kernel/trap.h"
#include "kernel/extable.h"
#include "kernel/sched/sched.h"
#include "kernel/preempt.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smap.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/trap.h"
#include "lib/errno.h"
#include "lib/string.h"

DEFINE_PER_CPU(struct fault_stats, fault_counts);
#define count(field) count_fault(field)

/* The flags of a user leaf entry for vma (present, user, NX unless PROT_EXEC; W if writable
   and the VMA allows writing). */
uint64_t vma_leaf_flags(const struct vm_area *vma, bool writable)
{
	pte_t f = PTE_P | PTE_U;

	if (!(vma->prot & PROT_EXEC))
		f |= PTE_NX;
	if (writable && (vma->prot & PROT_WRITE))
		f |= PTE_W;
	return f;
}

/* The new page's entry: replaces a read-only one on every CPU before the new one is visible. */
static void replace_entry(struct mm *mm, pte_t *pte, uint64_t addr, pte_t e)
{
	WRITE_ONCE(*pte, 0);
	flush_tlb_range(mm, addr, addr + PAGE_SIZE);
	WRITE_ONCE(*pte, e);
}

/* Whether a write may go to page itself: a shared mapping's page always; a private page only
   while this entry is its one mapping (dup_mm shares them until the first write). */
static bool may_reuse(const struct vm_area *vma, struct page *page)
{
	if (page == zero_page)
		return false;
	return !(vma->flags & MAP_PRIVATE) || page_anon_exclusive(page);
}

/* One attempt with page_table_lock held. Returns 0, an error, or 1: retry with *new set. */
static int fault_locked(struct vm_area *vma, uint64_t addr, bool write, pte_t *pte,
			struct page **new)
{
	struct mm *mm = vma->mm;
	bool private = vma->flags & MAP_PRIVATE;
	pte_t e = READ_ONCE(*pte);
	struct page *page;

	if (!pte_present(e) && (e & PTE_PROTNONE)) { /* hidden by mprotect, allowed again */
		page = phys_to_page(pte_addr(e));
		WRITE_ONCE(*pte, pte_addr(e) | vma_leaf_flags(vma, may_reuse(vma, page)));
		count(protnone);
		return 0;
	}
	if (!pte_present(e)) {
		if (!write && private) {
			WRITE_ONCE(*pte, page_to_phys(zero_page) | vma_leaf_flags(vma, false));
			count(zero_page);
			return 0;
		}
		if (!*new)
			return 1;
		WRITE_ONCE(*pte, page_to_phys(*new) | vma_leaf_flags(vma, true));
		*new = NULL;
		mm->nr_pages++;
		count_user_page(1);
		count(demand_zero);
		return 0;
	}
	if (!write || (e & PTE_W)) { /* another thread got here first, or this TLB was stale */
		local_flush_tlb_page(addr);
		count(spurious);
		return 0;
	}
	page = phys_to_page(pte_addr(e));
	if (may_reuse(vma, page)) { /* the mm's own page, made read-only by mprotect */
		WRITE_ONCE(*pte, e | PTE_W);
		local_flush_tlb_page(addr);
		count(reuse);
		return 0;
	}
	if (!*new)
		return 1;
	memcpy(page_address(*new), page_address(page), PAGE_SIZE);
	replace_entry(mm, pte, addr, page_to_phys(*new) | vma_leaf_flags(vma, true));
	*new = NULL;
	if (page == zero_page) {
		mm->nr_pages++;
		count_user_page(1);
	} else {
		put_page(page); /* the entry's reference; flushed, so no CPU writes it here */
	}
	count(cow);
	return 0;
}

static int fault_page(struct vm_area *vma, uint64_t addr, bool write)
{
	struct mm *mm = vma->mm;
	struct page *new = NULL;
	int ret;

	for (;;) {
		pte_t *pte;

		spin_lock(&mm->page_table_lock);
		pte = mm_pte(mm, addr, true);
		ret = pte ? fault_locked(vma, addr, write, pte, &new) : -ENOMEM;
		spin_unlock(&mm->page_table_lock);
		if (ret != 1)
			break;
		new = alloc_page_zeroed();
		if (!new) {
			ret = -ENOMEM;
			break;
		}
	}
	if (new) /* allocated, then not needed */
		free_page(new);
	if (ret == -ENOMEM)
		count(oom);
	return ret;
}

static bool access_allowed(const struct vm_area *vma, bool write)
{
	if (write)
		return vma->prot & PROT_WRITE;
	return vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC); /* x86 cannot map write-only */
}

/* Resolves a fault at addr in mm: 0, -EFAULT, -EIO (SIGBUS) or -ENOMEM (mm/fault.h). Sleeps. */
int handle_mm_fault(struct mm *mm, uint64_t addr, bool write)
{
	struct vm_area *vma;
	bool dirtying = false;
	int ret;

	count(pgfault); /* first, as Linux's count_vm_event(PGFAULT): resolved or not */
	addr &= PAGE_MASK;
	down_read(&mm->mmap_lock);
	vma = find_vma(mm, addr);
	if (!vma) {
		count(bad_area);
		ret = -EFAULT;
	} else if (!access_allowed(vma, write)) {
		count(bad_access);
		ret = -EFAULT;
	} else if (vma->file) {
		dirtying = write && (vma->flags & MAP_SHARED);
		ret = filemap_fault(vma, addr, write);
	} else {
		ret = fault_page(vma, addr, write);
	}
	up_read(&mm->mmap_lock);
	if (dirtying && ret == 0)
		balance_dirty_pages(); /* no lock held: may sleep while too much is dirty */
	return ret;
}

/* The trap handler's hook: true when the access may be retried. */
static bool do_page_fault(struct trap_frame *f, uint64_t cr2)
{
	struct mm *mm = current_mm();
	int ret;

	if (cr2 >= USER_TOP || !mm || (f->error_code & PF_RSVD))
		return false; /* the kernel half, or corrupt tables: not an address space's fault */
	/* In kernel mode only a uaccess helper (an instruction in the exception table) may
	   touch the user half: anything else is a kernel bug, a NULL pointer most often, to be
	   reported as it is, before mmap_lock is taken (the caller may hold it: Linux's
	   do_user_addr_fault takes the same early exit). */
	if (!trap_from_user(f) && !extable_search(f->rip))
		return false;
	/* The kernel touched a present user page outside a uaccess helper, or ran user code:
	   SMAP or SMEP refused it, and mapping the page again would only repeat the fault. */
	if (!trap_from_user(f) && (f->error_code & PF_PRESENT) &&
	    ((cpu_has_smap && !(f->rflags & RFLAGS_AC)) || (f->error_code & PF_INSTR)))
		return false;
	if (!(f->rflags & RFLAGS_IF) || preempt_count() != 0) {
		count(no_sleep);
		return false;
	}
	local_irq_enable();
	ret = handle_mm_fault(mm, cr2, f->error_code & PF_WRITE);
	local_irq_disable();
	if (ret == 0)
		current->min_flt++; /* only this thread writes its own count */
	if (ret == -EIO && trap_from_user(f)) {
		/* Mapped, but the file has no page there: SIGBUS, as Linux, not the trap code's
		   SIGSEGV. The thread ends on its way back to ring 3. */
		force_sig_fault(f, SIGBUS, cr2);
		return true;
	}
	return ret == 0;
}

/* Registers the handler with the trap code; from mm_init(). */
void fault_init(void)
{
	trap_set_page_fault_handler(do_page_fault);
}

/* The sum over all CPUs. */
struct fault_stats fault_stats(void)
{
	struct fault_stats sum = {0};
	unsigned int cpu;

	for_each_cpu(cpu, &cpu_online_mask) {
		const uint64_t *a = (const uint64_t *)per_cpu_ptr(&fault_counts, cpu);
		uint64_t *s = (uint64_t *)&sum;

		for (size_t i = 0; i < sizeof(sum) / sizeof(uint64_t); i++)
			s[i] += a[i];
	}
	return sum;
}
