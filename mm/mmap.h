/*
 * Changing an address space's mappings: vm_mmap, vm_munmap, vm_mprotect. Each takes mmap_lock
 * for writing. Bad arguments return an error and change nothing:
 *   -EINVAL  zero length, an unaligned address or offset, an address in the kernel half or
 *            below MMAP_MIN_ADDR, unknown prot or flags bits, not exactly one of MAP_SHARED and
 *            MAP_PRIVATE, no file and no MAP_ANONYMOUS;
 *   -ENOMEM  a length that overflows or does not fit in the user half, no room left, no memory
 *            for a VMA, or (mprotect) a range with holes in it;
 *   -ENODEV  a file mapping: files arrive with the page cache (the shared-dirty issue).
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
/* Sets the protection of [addr, addr + len), which must be mapped throughout. */
int vm_mprotect(struct mm *mm, uint64_t addr, size_t len, unsigned int prot);

#endif
