/*
 * The x87/SSE register state of user threads. The kernel is built with -mgeneral-regs-only and
 * never touches these registers, so they belong to whichever user thread ran last on the CPU;
 * the scheduler saves them (FXSAVE) when a user thread leaves the CPU and loads the next user
 * thread's (FXRSTOR), eagerly, at every switch (Linux has been eager since 4.6). AVX state would
 * need XSAVE and CR4.OSXSAVE: we leave OSXSAVE clear, so CPUID tells programs there is no AVX
 * and libc's string functions use SSE2 only.
 */
#ifndef ARCH_X86_64_FPU_H
#define ARCH_X86_64_FPU_H

#include <stdint.h>
#include "lib/compiler.h"

/* The 512-byte FXSAVE image (Intel SDM vol. 1, "FXSAVE"). */
struct fpu {
	uint16_t fcw; /* x87 control word */
	uint16_t fsw;
	uint8_t ftw;
	uint8_t reserved0;
	uint16_t fop;
	uint64_t fip;
	uint64_t fdp;
	uint32_t mxcsr; /* SSE control and status */
	uint32_t mxcsr_mask;
	uint8_t regs[512 - 32]; /* st0-7, xmm0-15, and unused space */
} __aligned(16);

/* Allows SSE on this CPU (CR0.EM clear, MP set, CR4.OSFXSR and OSXMMEXCPT). Every CPU. */
void fpu_init_cpu(void);
/* The state a new program starts with: x87 and SSE at their reset defaults, all exceptions
   masked, every register zero (Linux's fpstate_init for FXSR). */
void fpu_init_state(struct fpu *f);

static inline void fpu_save(struct fpu *f)
{
	__asm__ __volatile__("fxsave64 %0" : "=m"(*f));
}

static inline void fpu_restore(const struct fpu *f)
{
	__asm__ __volatile__("fxrstor64 %0" ::"m"(*f));
}

#endif
