/*
 * panic(): the kernel found one of its invariants broken. It prints the message, the registers,
 * the decoded fault (when a trap caused it) and a symbolised backtrace, then stops the machine.
 * Under ktest (or with "panic=exit" on the command line) it also ends QEMU with
 * QEMU_EXIT_PANIC, so a test run fails at once instead of waiting for its timeout.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>
#include "lib/compiler.h"
#include "arch/x86_64/trap.h"

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* For trap handlers: the frame is printed instead of the caller's registers. */
__noreturn void panic_frame(const struct trap_frame *f, const char *fmt, ...) __printf(2, 3);
/*
 * Like panic_frame, with lines of detail (each ending in '\n'; NULL for none) printed under
 * the "Kernel panic:" line: kernel/trap.c puts the decoded error code there.
 */
__noreturn void panic_trap(const struct trap_frame *f, const char *detail, const char *fmt, ...)
	__printf(3, 4);

/*
 * Prints "  [<addr>] function+0xoff" for each frame, from rip (exact) up through the saved
 * frame pointers starting at rbp (kernel/stacktrace.h), and a marker where a trap interrupted.
 */
void dump_backtrace(uint64_t rip, uint64_t rbp);
/* The same from a trap frame's registers: also right when the trap hit a frameless function. */
void dump_backtrace_frame(const struct trap_frame *f);
void dump_registers(const struct trap_frame *f);

/* Set when panic should end QEMU (ktest runs, "panic=exit"). */
extern int panic_exits_qemu;

#define BUG_ON(cond)                                                               \
	do {                                                                       \
		if (unlikely(cond))                                                \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);   \
	} while (0)

#endif
