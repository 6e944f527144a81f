/*
 * Changing an address space's mappings: vm_mmap, vm_munmap, vm_mprotect. Each takes mmap_lock
 * for writing. Bad arguments return an error and change nothing:
 *   -EINVAL  zero length, an unaligned address or offset, an address in the kernel half or
 *            below MMAP_MIN_ADDR, unknown prot or flags bits, not exactly one of MAP_SHARED and
 *            MAP_PRIVATE, no file and no MAP_ANONYMOUS;
 *   -ENOMEM  a length that overflows or does not fit in the user half, no room left, no memory
 *            for a VMA, or (mprotect) a range with holes in it;
 *   -EACCES  a file not open for reading, or a shared writable mapping of a file not open for
 *            writing (mmap and mprotect);
 *   -ENODEV  a file that cannot be mapped;
 *   -EEXIST  MAP_FIXED_NOREPLACE over a mapping.
 *
 * File mappings (mm/vm_file.h): the VMA holds a reference on the file and sits on its
 * mapping's i_mmap list (mm/rmap.h) from mmap to munmap; faults map page-cache pages
 * (mm/filemap_fault.c).
 */
#ifndef MM_MMAP_H
#define MM_MMAP_H

#include <stdint.h>
#include <stddef.h>

struct mm;
struct vm_file;

/* The address mapped (a multiple of PAGE_SIZE), or a negative errno. */
int64_t vm_mmap(struct mm *mm, uint64_t addr, size_t len, unsigned int prot, unsigned int flags,
		struct vm_file *file, uint64_t off);
/* Unmaps every page in [addr, addr + len); a range with nothing mapped is not an error. */
int vm_munmap(struct mm *mm, uint64_t addr, size_t len);
/* The same for [start, end), page aligned and checked, mmap_lock held for writing: 0 or
   -ENOMEM (no VMA for a split). */
int do_munmap(struct mm *mm, uint64_t start, uint64_t end);
/* msync flags, Linux's values. */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

int vm_msync(struct mm *mm, uint64_t addr, size_t len, unsigned int flags);
/* Sets the protection of [addr, addr + len), which must be mapped throughout. */
int vm_mprotect(struct mm *mm, uint64_t addr, size_t len, unsigned int prot);

/* MAP_POPULATE: faults in the pages of [addr, addr + len) now; stops quietly at the first
   that fails. Sleeps. */
void mm_populate(struct mm *mm, uint64_t addr, size_t len);

/* fork's copy of oldmm's mappings into the new mm (dup_mm): 0 or -ENOMEM. */
int dup_mmap(struct mm *mm, struct mm *oldmm);

#endif
