/*
 * Page faults in an address space. The kernel thread running inside an mm touches a user-half
 * address that is not mapped, or not writable, and the fault handler makes it so, if the VMA
 * there allows the access:
 *
 *  - demand zero: the first write to an anonymous page maps a new zeroed page;
 *  - the zero page: the first read of a private anonymous page maps the one shared page of
 *    zeros, read-only;
 *  - copy-on-write: a write to the zero page (or any page shared read-only by a private
 *    mapping) maps a private copy;
 *  - reuse: a write to the mm's own page that mprotect had made read-only makes it writable.
 *
 * An access outside every VMA, or one its protection forbids, is not resolved: the faulting
 * instruction's exception-table entry turns it into -EFAULT (copy_from_user and friends,
 * mm/uaccess.h), and a counter records it. A fault in code that may not sleep (a spinlock held,
 * interrupts off) is not resolved either, since taking mmap_lock may sleep.
 */
#ifndef MM_FAULT_H
#define MM_FAULT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "kernel/percpu.h"
#include "kernel/preempt.h"

struct mm;
struct vm_area;

/* Resolves a fault at addr in mm: 0, -EFAULT (no VMA, or not allowed: Linux's
   VM_FAULT_SIGSEGV), -EIO (a file mapping with no page there, past the end of the file or its
   filesystem failed: VM_FAULT_SIGBUS) or -ENOMEM. Sleeps. */
int handle_mm_fault(struct mm *mm, uint64_t addr, bool write);

struct fault_stats {
	uint64_t pgfault;     /* every call of handle_mm_fault, as Linux's PGFAULT event */
	uint64_t demand_zero;
	uint64_t zero_page;
	uint64_t cow;
	uint64_t reuse;
	uint64_t protnone;    /* a page mprotect(PROT_NONE) had hidden, shown again */
	uint64_t spurious;    /* already resolved by another thread (or a stale TLB entry) */
	uint64_t bad_area;    /* no VMA there: -EFAULT */
	uint64_t bad_access;  /* the VMA forbids it: -EFAULT */
	uint64_t no_sleep;    /* in code that may not sleep: -EFAULT */
	uint64_t oom;	      /* no page for the page or a table: -ENOMEM, then -EFAULT */
	/* File mappings (mm/filemap_fault.c): */
	uint64_t file_read;   /* a page-cache page mapped (read-only when write notify wants) */
	uint64_t file_write;  /* a page-cache page mapped writable by a write to a shared mapping */
	uint64_t wp_dirty;    /* write-protect fault for dirty tracking: the page made dirty */
	uint64_t mkwrite;     /* the filesystem told of a write through a shared mapping */
	uint64_t file_cow;    /* a write to a private file mapping: a private copy */
	uint64_t sigbus;      /* past the end of the file, or no page: -EIO */
};
/* The fault handler's own counting (fault.c, filemap_fault.c): this CPU's copy, with
   preemption off so the thread cannot move between the read and the write. Inline: every
   fault counts, and under TCG a call into another page of code costs a fault a few percent. */
DECLARE_PER_CPU(struct fault_stats, fault_counts);
static inline void __count_fault(unsigned int word)
{
	preempt_disable();
	((uint64_t *)this_cpu_ptr(&fault_counts))[word]++;
	preempt_enable();
}
#define count_fault(field) __count_fault(offsetof(struct fault_stats, field) / sizeof(uint64_t))
/* The sum over all CPUs. */
struct fault_stats fault_stats(void);

/* A fault in a file VMA (mm/filemap_fault.c). */
int filemap_fault(struct vm_area *vma, uint64_t addr, bool write);

uint64_t vma_leaf_flags(const struct vm_area *vma, bool writable);

/* Registers the handler with the trap code; from mm_init(). */
void fault_init(void);

#endif
