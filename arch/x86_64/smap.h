/*
 * SMEP and SMAP (Intel SDM vol. 3, "Access rights"): with CR4.SMEP the CPU refuses to execute
 * a user page in ring 0; with CR4.SMAP it refuses ring-0 reads and writes of user pages unless
 * RFLAGS.AC is set. So a kernel bug that follows a user pointer faults at once instead of
 * reading what the program planted there. The uaccess helpers (mm/uaccess.c) open the window
 * with STAC and close it with CLAC around each copy. Both are used only when CPUID offers them
 * (QEMU's default CPU does not; `-cpu max` does).
 */
#ifndef ARCH_X86_64_SMAP_H
#define ARCH_X86_64_SMAP_H

#include <stdbool.h>

extern bool cpu_has_smep, cpu_has_smap;

/* Turns on what this CPU offers; every CPU. */
void smap_init_cpu(void);

/* Opens and closes a user access under SMAP (STAC sets RFLAGS.AC, CLAC clears it). */
static inline void stac(void)
{
	if (cpu_has_smap)
		__asm__ __volatile__("stac" ::: "memory");
}

static inline void clac(void)
{
	if (cpu_has_smap)
		__asm__ __volatile__("clac" ::: "memory");
}

#endif
