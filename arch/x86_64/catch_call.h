/*
 * catch_call(): call a function with a way back. It saves the callee-saved registers, the stack
 * pointer and a resume address in a struct catch_regs, then calls fn(arg). If fn returns, so
 * does catch_call, with 0. If fn raises an exception, a trap handler can make the trap return
 * to regs->rip with the saved registers (catch_regs_resume), and catch_call then returns 1 —
 * as if fn had returned at once. kernel/fault_catch.c builds the expected-fault facility on it.
 */
#ifndef ARCH_X86_64_CATCH_CALL_H
#define ARCH_X86_64_CATCH_CALL_H

#include <stdint.h>
#include "arch/x86_64/trap.h"

/* The registers the C ABI says a call preserves, plus where to resume. Offsets: catch_call.asm */
struct catch_regs {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rsp;
	uint64_t rip;
};

int catch_call(void (*fn)(void *), void *arg, struct catch_regs *regs);

/* Edits a trap frame so that the return from the trap lands in catch_call, which returns 1. */
static inline void catch_regs_resume(struct trap_frame *f, const struct catch_regs *r)
{
	f->rbx = r->rbx;
	f->rbp = r->rbp;
	f->r12 = r->r12;
	f->r13 = r->r13;
	f->r14 = r->r14;
	f->r15 = r->r15;
	f->rsp = r->rsp;
	f->rip = r->rip;
}

#endif
