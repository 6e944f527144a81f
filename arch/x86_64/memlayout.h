/*
 * The virtual memory map (see docs/memory-map.md). Shared with nasm through boot/memlayout.inc:
 * keep the two in step.
 *
 *   0x0000_0000_0000_0000 .. 0x0000_7fff_ffff_ffff  user half, per mm (page 0 never mapped)
 *   0xffff_8000_0000_0000 ..                         direct map of all physical memory
 *   0xffff_c900_0000_0000 ..                         vmap area: kernel stacks with guard pages
 *   0xffff_ffff_8000_0000 ..                         kernel image (-2 GiB, -mcmodel=kernel)
 */
#ifndef ARCH_X86_64_MEMLAYOUT_H
#define ARCH_X86_64_MEMLAYOUT_H

#define PAGE_SHIFT	 12
#define PAGE_SIZE	 (1UL << PAGE_SHIFT)
#define PAGE_MASK	 (~(PAGE_SIZE - 1))

#define KERNEL_VMA	 0xffffffff80000000UL /* virtual base of the kernel image */
#define KERNEL_PHYS	 0x100000UL	     /* where GRUB loads it: 1 MiB */
#define DIRECT_MAP_BASE	 0xffff800000000000UL /* phys 0 appears here */
#define DIRECT_MAP_SIZE	 (512UL << 30)	     /* one PML4 slot: 512 GiB of RAM at most */
#define VMAP_BASE	 0xffffc90000000000UL /* kernel stacks and other guarded mappings */
#define VMAP_SIZE	 (512UL << 30)
#define USER_TOP	 0x0000800000000000UL /* first non-canonical address above user */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t phys_addr_t;

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

/* For direct-map addresses and kernel-image addresses alike. */
static inline phys_addr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}
#endif

#endif
