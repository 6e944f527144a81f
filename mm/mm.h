/*
 * Address spaces. A struct mm is a set of mappings of the user half of the virtual address
 * space (0 to USER_TOP), each described by a VMA (mm/vma.h), and the page tables that realise
 * them. Its PML4's upper half points at the kernel's own tables, so the kernel is mapped the
 * same way in every mm.
 *
 * There is no user mode: kernel threads run inside an mm (kthread_use_mm) and touch its memory
 * through copy_to_user()/copy_from_user() (mm/uaccess.h), which return -EFAULT instead of
 * faulting when an address is bad. Several threads of one mm may run on several CPUs at once:
 * that is what makes unmapping interesting (TLB shootdown, mm/tlb.h, mm/mmu_gather.h).
 *
 * Locks, outermost first:
 *   mmap_lock (sleeping, reader-writer): the VMA list. Faults take it for reading; mmap,
 *     munmap and mprotect for writing.
 *   page_table_lock (spinlock): the page-table entries and the tables below the PML4. Faults
 *     change entries under mmap_lock read, so two faults on one mm need this lock between them.
 *
 * Two counts, as in Linux: users (threads inside it plus whoever will enter it) and count
 * (references to the struct). When users reaches 0 the mappings go (exit_mmap); when count
 * reaches 0 the struct and its PML4 are freed. Each user holds one count.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/cpumask.h"
#include "kernel/locking/rwsem.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/pgtable.h"
#include "arch/x86_64/memlayout.h"
#include "lib/atomic.h"
#include "lib/list.h"

/* The user half ends at USER_TOP (arch/x86_64/memlayout.h). Nothing is ever mapped below this (a NULL pointer plus a small offset always faults). */
#define MMAP_MIN_ADDR 0x10000ULL
/* Where mmap looks for room when the caller gives no address. */
#define MMAP_BASE     0x0000100000000000ULL

struct mm {
	pte_t *pml4; /* direct-map address; entries 256..511 are the kernel's */
	phys_addr_t pml4_phys;

	struct rw_semaphore mmap_lock;
	struct list_head vmas; /* struct vm_area, sorted by address, never overlapping */
	unsigned int nr_vmas;

	spinlock_t page_table_lock;
	uint64_t nr_pages;     /* pages mapped (the zero page not counted); page_table_lock */
	uint64_t nr_pgtables;  /* page-table pages below the PML4; page_table_lock */

	atomic_t users;
	atomic_t count;
	struct cpumask cpu_mask; /* the CPUs whose CR3 holds this mm right now, lazy ones too */
	atomic64_t tlb_gen;	 /* moved by every shootdown: what a lazy CPU missed (mm/tlb.h) */

	/* aio (fs/aio.c), as in Linux 2.6.29's mm_struct: ioctx_lock guards updates of
	   ioctx_list; lookup_ioctx walks it under RCU, taking no lock. */
	spinlock_t ioctx_lock;
	struct hlist_head ioctx_list; /* struct kioctx */
	/* The program's heap (brk): from start_brk, which execve sets past the last segment, to
	   brk; mmap_lock. */
	uint64_t start_brk, brk;
	char name[24];
	struct list_head all_node; /* on the list the `vm` command prints */
};

/* A new, empty address space with users = count = 1; NULL when out of memory. */
struct mm *mm_alloc(const char *name);
/* fork's copy of old (users = count = 1): private pages copy-on-write, shared ones shared;
   NULL when out of memory. Takes old's mmap_lock; sleeps. */
struct mm *dup_mm(struct mm *old);
/* Another user / reference. */
void mmget(struct mm *mm);
void mmgrab(struct mm *mm);
/* Drops a user: the last one unmaps everything (and destroys its aio contexts). Sleeps. */
void mmput(struct mm *mm);
/* Drops a reference: the last one frees the struct. */
void mmdrop(struct mm *mm);

/*
 * Runs the calling kernel thread inside mm until kthread_unuse_mm(): loads its page tables on
 * this CPU (and on any CPU the thread moves to) and takes a user for the time. A thread must
 * leave its mm before it exits.
 */
void kthread_use_mm(struct mm *mm);
void kthread_unuse_mm(struct mm *mm);
/* The same without taking a user: the caller knows mm's mappings stay meanwhile (mm.c). */
void kthread_enter_mm(struct mm *mm);
void kthread_leave_mm(struct mm *mm);

/* The mm the running thread is inside, or NULL. */
struct mm *current_mm(void);

/* Calls fn for every live mm (the `vm` command); mm_list_lock held, so fn must not sleep. */
void mm_for_each(void (*fn)(struct mm *mm, void *arg), void *arg);
unsigned int nr_mms(void);

/* fs/aio.c's exit_aio, which the last mmput calls before the mappings go (fs/ registers it:
   mm/ may not call up into fs/). */
void mm_set_exit_aio(void (*fn)(struct mm *mm));

/* Sets up the switch hook and the zero page; from mm_init(). */
void mm_init_address_spaces(void);

#endif
