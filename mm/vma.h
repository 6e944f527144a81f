/*
 * Virtual memory areas: the mappings of an mm. Each VMA covers [start, end), page aligned, with
 * one protection and one kind (private or shared, anonymous or a file at an offset). An mm keeps
 * its VMAs in a list sorted by address; they never overlap. All of this is under mmap_lock:
 * read to look, write to change.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/list.h"

struct mm;

/* vm_mmap's prot and flags, with Linux's values. */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4
#define PROT_SEM   0x8 /* accepted by the system calls, and meaningless on x86 */

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
/* mmap(2)'s other flags that this kernel knows (mm/mmap_syscalls.c); vm_mmap takes
   MAP_FIXED_NOREPLACE too: MAP_FIXED that fails with -EEXIST instead of unmapping. */
#define MAP_DENYWRITE	    0x0800
#define MAP_EXECUTABLE	    0x1000
#define MAP_NORESERVE	    0x4000
#define MAP_POPULATE	    0x8000
#define MAP_STACK	    0x20000
#define MAP_FIXED_NOREPLACE 0x100000

struct vm_file; /* a mapped file (mm/vm_file.h) */

struct vm_area {
	uint64_t start, end;
	unsigned int prot;  /* PROT_* */
	unsigned int flags; /* MAP_SHARED or MAP_PRIVATE, and MAP_ANONYMOUS */
	struct vm_file *file; /* referenced; NULL for anonymous memory */
	uint64_t pgoff; /* the file page that start maps */
	bool writenotify; /* vma_wants_writenotify(), kept by mmap and mprotect for the fault */
	bool no_writenotify; /* made while dirty_writenotify was off: never wants it (mm/rmap.h) */
	struct mm *mm;
	struct list_head node;	 /* in mm->vmas */
	struct list_head shared; /* a file's: in its mapping's i_mmap (mm/rmap.h) */
};

/* The VMA that contains addr, or NULL. */
struct vm_area *find_vma(struct mm *mm, uint64_t addr);
/* The first VMA that ends above addr (contains it or lies above it), or NULL. */
struct vm_area *find_vma_above(struct mm *mm, uint64_t addr);
/* True when no VMA overlaps [start, end). */
bool vma_range_free(struct mm *mm, uint64_t start, uint64_t end);
/* The lowest free range of len bytes at or above from and below USER_TOP; 0 if none. */
uint64_t vma_find_gap(struct mm *mm, uint64_t from, uint64_t len);

/* A new VMA (not yet in any list), or NULL. */
struct vm_area *vma_alloc(struct mm *mm, uint64_t start, uint64_t end, unsigned int prot,
			  unsigned int flags);
/* Frees vma; a file VMA leaves its file's i_mmap and drops its reference first. Sleeps. */
void vma_free(struct vm_area *vma);
/* Puts vma in its mm's list, in order. The range must be free. */
void vma_link(struct vm_area *vma);
void vma_unlink(struct vm_area *vma);
/* Cuts vma in two at addr (start < addr < end): vma keeps the low part, the new VMA, linked
   after it, the high part. Returns it, or NULL when out of memory (vma unchanged). */
struct vm_area *vma_split(struct vm_area *vma, uint64_t addr);

#endif
