/*
 * The trap frame: what arch/x86_64/trap_entry.asm saves on the stack when an exception or
 * interrupt arrives. The CPU pushes ss, rsp, rflags, cs, rip (and an error code for some
 * vectors); the entry stub pushes a zero error code where the CPU did not, the vector number,
 * and then the general registers, so every handler sees the same layout.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdint.h>
#include <stdbool.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_NO_VECTOR ((uint64_t)-1) /* a frame captured by software, e.g. by panic() */
/* The #PF error code (Intel SDM vol. 3, "Interrupt 14"). */
#define PF_PRESENT (1 << 0) /* 0: the page was not present; 1: a protection violation */
#define PF_WRITE   (1 << 1) /* the access was a write (else a read) */
#define PF_USER	   (1 << 2) /* the CPU was in ring 3 */
#define PF_RSVD	   (1 << 3) /* a paging-structure entry had a reserved bit set */
#define PF_INSTR   (1 << 4) /* an instruction fetch (reported with NX or SMEP enabled) */
#define PF_PK	   (1 << 5) /* a protection-key violation */
#define PF_SS	   (1 << 6) /* a shadow-stack access */

/* A frame saved by `syscall` (arch/x86_64/entry_64.asm): error_code holds the call's number,
   as Linux's orig_ax, and rax its result once it ran. */
#define TRAP_SYSCALL 0x100

/* The frame of a thread's return to ring 3 sits at the very top of its kernel stack (the CPU,
   or the syscall entry, starts pushing at TSS.RSP0): Linux's task_pt_regs. */
#define user_frame_of(stack_top) ((struct trap_frame *)(stack_top) - 1)

static inline bool trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

#endif
