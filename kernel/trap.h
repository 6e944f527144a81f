/*
 * The kernel's side of traps: trap_init() loads the GDT, TSS and IDT and registers the
 * exception handler for vectors 0-31. An exception is first offered to the exception table
 * (kernel/extable.h) and to an armed fault_catch() (kernel/fault_catch.h); if neither wants it,
 * the kernel panics with the exception decoded. An interrupt on a vector >= 32 that nobody
 * registered is counted and ignored, with a warning at the 1st, 2nd, 4th, 8th... occurrence.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/trap.h"

void trap_init(void);

/* "page fault", "general protection fault"...; "interrupt" for vectors >= 32. */
const char *trap_name(unsigned vector);
/* "#PF", "#GP"...; "" for vectors >= 32 and reserved exceptions. */
const char *trap_mnemonic(unsigned vector);

/*
 * The one-line description of a fault, as the panic screen's first line shows it, e.g.
 * "page fault (#PF) at 0xffffc97ffffff000: not-present read in kernel mode". cr2 is used for
 * a #PF only. Returns the length snprintf would have written.
 */
int trap_describe(const struct trap_frame *f, uint64_t cr2, char *buf, size_t size);

/*
 * Where an address lies, for fault reports: "null page", "user half", "guard page",
 * "kernel half: vmap area", "kernel half: kernel .rodata", "non-canonical"...
 */
const char *trap_addr_region(uint64_t addr);

/*
 * Lets mm say which addresses are guard pages (the unmapped page below each vmap'd kernel
 * stack), so that a fault there is reported as a probable stack overflow. The boot stack's
 * guard page (boot_stack_guard) is known without it.
 */
void trap_set_guard_page_check(bool (*is_guard_page)(uint64_t addr));
/*
 * mm/fault.c registers the page-fault handler of address spaces: it returns true when it made
 * the access possible (the instruction is retried), false when the fault is not its to resolve
 * (then the exception table, or a panic, decides).
 */
void trap_set_page_fault_handler(bool (*fn)(struct trap_frame *f, uint64_t cr2));

/* How often an unregistered vector >= 32 has fired since boot. */
uint64_t trap_unexpected_count(unsigned vector);

#endif
