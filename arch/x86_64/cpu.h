/*
 * Thin wrappers around single x86 instructions: port I/O, control registers, MSRs, CPUID,
 * the TSC and interrupt flag. Each is one instruction so a reader can match it to the SDM.
 */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <stdint.h>
#include "lib/compiler.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* Loading CR3 also flushes every non-global TLB entry. */
static inline void write_cr3(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	/* EDX:EAX. The mask says the low half is wanted: sparse reports a cast that drops the
	   set bits of a constant (an MSR value known at compile time) as a mistake. */
	uint32_t lo = v & 0xffffffff, hi = v >> 32;

	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"(lo), "d"(hi));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* CPUID.1:ECX bit 30: the RDRAND instruction exists. */
#define CPUID_1_ECX_RDRAND (1u << 30)

/*
 * One 64-bit value from the CPU's random-number generator (RDRAND). The instruction sets CF
 * when it delivered a value and clears it when the generator was momentarily drained; Intel
 * advises retrying a few times. Returns false when every try failed. Only call it when CPUID
 * reports CPUID_1_ECX_RDRAND.
 */
static inline bool rdrand64(uint64_t *v)
{
	for (int tries = 0; tries < 10; tries++) {
		bool ok;

		__asm__ __volatile__("rdrand %0" : "=r"(*v), "=@ccc"(ok));
		if (ok)
			return true;
	}
	return false;
}

static inline void invlpg(uint64_t va)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}

#define RFLAGS_IF (1UL << 9)

static inline __noreturn void halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static inline void write_cr0(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr0" ::"r"(v) : "memory");
}

/* Control register and MSR bits used during setup. */
#define CR0_MP	      (1UL << 1)  /* WAIT/FWAIT honour TS */
#define CR0_EM	      (1UL << 2)  /* no x87: must be clear for SSE */
#define CR0_TS	      (1UL << 3)  /* task switched: the next FPU/SSE instruction traps (#NM) */
#define CR0_WP	      (1UL << 16) /* write protect applies to the kernel too */
#define CR4_PGE	      (1UL << 7)
#define CR4_OSFXSR    (1UL << 9)  /* the OS saves SSE state with FXSAVE: SSE instructions allowed */
#define CR4_OSXMMEXCPT (1UL << 10) /* SIMD floating-point exceptions raise #XM */
#define CR4_SMEP      (1UL << 20) /* the kernel may not execute user pages */
#define CR4_SMAP      (1UL << 21) /* the kernel may not touch user pages unless RFLAGS.AC is set */
#define MSR_EFER      0xc0000080
#define EFER_SCE      (1UL << 0)  /* SYSCALL/SYSRET enabled */
#define EFER_NXE      (1UL << 11)
#define MSR_STAR      0xc0000081 /* SYSCALL's and SYSRET's segment selectors */
#define MSR_LSTAR     0xc0000082 /* where SYSCALL jumps in 64-bit mode */
#define MSR_SYSCALL_MASK 0xc0000084 /* RFLAGS bits SYSCALL clears */
#define MSR_FS_BASE   0xc0000100
#define MSR_GS_BASE   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102 /* what SWAPGS exchanges GS base with */

#define RFLAGS_TF   (1UL << 8)
#define RFLAGS_DF   (1UL << 10)
#define RFLAGS_NT   (1UL << 14)
#define RFLAGS_AC   (1UL << 18)
#define RFLAGS_IOPL (3UL << 12)

#endif
