/*
 * The IDT: 256 gates, one per vector. Vectors 0-31 are the CPU's exceptions; 32-255 are free for
 * interrupts (the APIC, IPIs). Every gate points at a stub in trap_entry.asm, which saves a
 * struct trap_frame and calls trap_dispatch(); trap_dispatch calls the handler that kernel code
 * registered for the vector, or the fallback when there is none. This is the only way from arch
 * code into the kernel: arch never calls a kernel function by name.
 */
#ifndef ARCH_X86_64_IDT_H
#define ARCH_X86_64_IDT_H

#include <stdint.h>
#include "arch/x86_64/trap.h"

#define IDT_VECTORS	  256
#define FIRST_IRQ_VECTOR 32 /* below: CPU exceptions */

/* The CPU exceptions by vector number (Intel SDM volume 3, chapter 6). */
enum {
	X86_TRAP_DE = 0,   /* divide error */
	X86_TRAP_DB = 1,   /* debug */
	X86_TRAP_NMI = 2,  /* non-maskable interrupt */
	X86_TRAP_BP = 3,   /* breakpoint (int3) */
	X86_TRAP_OF = 4,   /* overflow (into) */
	X86_TRAP_BR = 5,   /* bound range exceeded */
	X86_TRAP_UD = 6,   /* invalid opcode */
	X86_TRAP_NM = 7,   /* device not available (FPU) */
	X86_TRAP_DF = 8,   /* double fault */
	X86_TRAP_TS = 10,  /* invalid TSS */
	X86_TRAP_NP = 11,  /* segment not present */
	X86_TRAP_SS = 12,  /* stack-segment fault */
	X86_TRAP_GP = 13,  /* general protection */
	X86_TRAP_PF = 14,  /* page fault */
	X86_TRAP_MF = 16,  /* x87 floating-point error */
	X86_TRAP_AC = 17,  /* alignment check */
	X86_TRAP_MC = 18,  /* machine check */
	X86_TRAP_XM = 19,  /* SIMD floating-point */
	X86_TRAP_VE = 20,  /* virtualization exception */
	X86_TRAP_CP = 21,  /* control protection (CET) */
	X86_TRAP_HV = 28,  /* hypervisor injection */
	X86_TRAP_VC = 29,  /* VMM communication (SEV-ES) */
	X86_TRAP_SX = 30,  /* security exception */
};

typedef void (*trap_handler_t)(struct trap_frame *f);

/* Fills the 256 gates and loads the IDT on this CPU. */
void idt_init(void);
/* Loads the (already filled) IDT on another CPU. */
void idt_load(void);
/*
 * Makes fn the handler of vector (NULL: back to the fallback). Returns 0, or -EINVAL for a
 * vector outside 0-255. Handlers run with interrupts off (every gate is an interrupt gate).
 */
int idt_set_handler(unsigned vector, trap_handler_t fn);
/* The handler for every vector that has none. */
void idt_set_fallback(trap_handler_t fn);
/* fn runs after the handler of every interrupt (vector 32 and up), with interrupts still off,
   just before the return to the interrupted code: the scheduler preempts there. */
void idt_set_irq_exit(void (*fn)(void));

/* fn runs last before every return to ring 3 from an interrupt or exception, interrupts off
   (kernel/entry.c: reschedule, end a killed thread). */
void idt_set_user_exit(void (*fn)(struct trap_frame *f));

/* Called by trap_entry.asm with the frame it saved. */
void trap_dispatch(struct trap_frame *f);

/*
 * The address trap_dispatch returns to in trap_entry.asm. A backtrace that meets it as a return
 * address knows that the next frame record is the one the entry code built from the
 * interrupted rbp and rip, and that a struct trap_frame sits right above that record.
 */
extern const char trap_return[];
#define TRAP_RECORD_SIZE 16 /* the record: interrupted rbp, interrupted rip */

#endif
