/*
 * Stack traces by frame pointers. With -fno-omit-frame-pointer a function starts with
 * "push rbp; mov rbp, rsp", so rbp points at a two-word record: the caller's rbp, then the
 * return address into the caller. Following the saved rbps walks up the stack, one caller at a
 * time, until the zero rbp that boot/entry.asm puts at the bottom of the boot stack.
 *
 * Two things make it less simple:
 *   - gcc gives no frame record to a leaf function that needs no stack (even with
 *     -fno-omit-frame-pointer), and no function has one before its first two instructions.
 *     When a trap interrupts such a function, rbp still belongs to the caller and the return
 *     address into the caller is on top of the stack: stack_trace_save_trap() looks there.
 *   - A walk that meets the trap entry code (trap_return) continues into the interrupted
 *     code, which may be on another stack (an IST stack has its own).
 *
 * Every read goes through probe_read_u64(), so a corrupt rbp ends the walk instead of faulting
 * inside the panic screen.
 */
#ifndef KERNEL_STACKTRACE_H
#define KERNEL_STACKTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap.h"

struct stack_entry {
	uint64_t addr;	 /* where the code was */
	bool exact;	 /* an exact rip (the start, where a trap hit), not a return address */
	int trap_vector; /* >= 0: a trap with this vector interrupted the code at addr */
};

/*
 * Walks from rip (entry 0) in a function whose frame record is at rbp — for instance
 * __builtin_frame_address(0) in C code — filling at most max entries. Returns the number filled.
 */
unsigned stack_trace_save(uint64_t rip, uint64_t rbp, struct stack_entry *out, unsigned max);
/* The same from the registers of a trap frame (or of a frame panic() captured). */
unsigned stack_trace_save_trap(const struct trap_frame *f, struct stack_entry *out, unsigned max);

/*
 * The name of the function an entry is in, and the entry's offset into it; NULL outside kernel
 * text. A return address is looked up one byte back: a call to a function that does not
 * return (panic) can be a function's last instruction, and its return address then already
 * belongs to the next function.
 */
const char *stack_entry_symbol(const struct stack_entry *e, uint64_t *offset);

#endif
