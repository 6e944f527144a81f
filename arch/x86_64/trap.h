/*
 * The trap frame: what arch/x86_64/trap_entry.asm saves on the stack when an exception or
 * interrupt arrives. The CPU pushes ss, rsp, rflags, cs, rip (and an error code for some
 * vectors); the entry stub pushes a zero error code where the CPU did not, the vector number,
 * and then the general registers, so every handler sees the same layout.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_NO_VECTOR ((uint64_t)-1) /* a frame captured by software, e.g. by panic() */

#endif
