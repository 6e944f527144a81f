/* The context switch (arch/x86_64/switch.asm). */
#ifndef ARCH_X86_64_SWITCH_H
#define ARCH_X86_64_SWITCH_H

#include <stdint.h>

/* Saves the callee-saved registers on this stack, stores rsp in *save_rsp, loads new_rsp and
   returns into whatever that stack was doing. Call with interrupts disabled. */
void switch_stack(uint64_t *save_rsp, uint64_t new_rsp);

/* Where a new thread starts: calls r12(r13). */
void thread_trampoline(void);

/* Registers switch_stack pops, in the order they lie on the stack (lowest address first). */
struct switch_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t rip;
};

#endif
