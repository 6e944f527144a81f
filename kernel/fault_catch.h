/*
 * The expected-fault facility: run a function that is meant to raise an exception and get a
 * report instead of a panic. Tests use it to check that the kernel's exception handling works
 * (a #PF on an unmapped page, a #UD from ud2...), and that a fault leaves the kernel usable.
 *
 *	struct fault_info info;
 *	if (fault_catch(read_unmapped, NULL, &info) == 1)
 *		... info.vector == 14, info.cr2 == the address ...
 *
 * While fn runs, any CPU exception it raises in kernel mode (other than NMI, #DF and #MC,
 * which do not come from fn's instructions) ends fn at once: fault_catch returns 1 with the
 * stack and the callee-saved registers as they were at the call, like longjmp. What fn had
 * locked or allocated stays so: fn should be a few instructions that touch nothing shared. A
 * fault while no catch is armed still panics. Catches do not nest.
 *
 * Each CPU has its own catch, and fn runs with interrupts off on the calling CPU, so threads and
 * interrupt handlers (a function run here by IPI) may call fault_catch on any CPU at once.
 */
#ifndef KERNEL_FAULT_CATCH_H
#define KERNEL_FAULT_CATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap.h"
#include "arch/x86_64/memlayout.h"

/*
 * A kernel-half address that nothing maps, for tests and demonstrations of a #PF: the middle
 * of the vmap area, between the kernel stacks at its start and the scratch gigabyte at its end
 * (mm/vmap.h).
 */
#define FAULT_DEMO_ADDR (VMAP_BASE + VMAP_SIZE / 2)

struct fault_info {
	int vector;	     /* 0-31: the exception */
	uint64_t error_code; /* as pushed by the CPU, 0 for exceptions without one */
	uint64_t cr2;	     /* the faulting address for a #PF, else 0 */
	uint64_t rip;	     /* the saved rip: the faulting instruction, or after it for a trap */
};

/*
 * Calls fn(arg). Returns 0 when fn returned normally, 1 when it raised an exception (info is
 * filled), or -EBUSY when a catch is already armed on this CPU (fn is not called).
 */
int fault_catch(void (*fn)(void *), void *arg, struct fault_info *info);

/* For the exception handler: if a catch is armed for this fault, redirect the frame to it. */
bool fault_catch_handle(struct trap_frame *f, uint64_t cr2);

#endif
