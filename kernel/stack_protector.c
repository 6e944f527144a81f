/*
 * -fstack-protector-strong with -mstack-protector-guard=global: functions with arrays on their
 * stack store __stack_chk_guard below the return address on entry and compare it on return. A
 * mismatch means something wrote past the end of a local buffer. boot/entry.asm replaces the
 * initial value with one derived from the TSC before any checked function runs.
 */
#include "kernel/panic.h"
#include <stdint.h>

/* Named by the compiler's checks and by boot/entry.asm, never by a C header. */
extern uintptr_t __stack_chk_guard;
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766UL;

__noreturn void __stack_chk_fail(void);

__noreturn void __stack_chk_fail(void)
{
	panic("stack protector: a local buffer overflowed in the function at %p",
	      __builtin_return_address(0));
}
