/*
 * The CPU's side of the `syscall` instruction (Intel SDM vol. 3, "Fast system calls in 64-bit
 * mode"): four MSRs, set on every CPU.
 *
 *   EFER.SCE           enables SYSCALL and SYSRET at all;
 *   STAR[47:32]        the kernel CS SYSCALL loads (SS is that + 8);
 *   STAR[63:48]        the base SYSRET uses: user SS = base + 8, user CS = base + 16, both with
 *                      RPL 3 (hence the GDT's order: kernel data, user data, user code);
 *   LSTAR              the entry point (entry_SYSCALL_64 in entry_64.asm);
 *   SYSCALL_MASK       the RFLAGS bits cleared on entry: IF (we arrive with interrupts off,
 *                      before the stack switch), TF, DF (the C ABI wants it clear), AC (no user
 *                      access allowed by accident under SMAP), NT, IOPL.
 */
#ifndef ARCH_X86_64_SYSCALL_H
#define ARCH_X86_64_SYSCALL_H

#include "arch/x86_64/trap.h"

/* The kernel's handler: runs the call named by the frame, returns with interrupts off, 1 when
   the return may use SYSRET. entry_64.asm calls it through this pointer. */
extern long (*syscall_handler)(struct trap_frame *f);
void syscall_set_handler(long (*fn)(struct trap_frame *f));

/* Programs this CPU's MSRs; every CPU, after its GDT is loaded. */
void syscall_init_cpu(void);

/* The first entry into ring 3 of a thread: pops f (at the top of its kernel stack) and IRETQs.
   Interrupts off. Never returns. */
__attribute__((noreturn)) void ret_to_user(struct trap_frame *f);

#endif
