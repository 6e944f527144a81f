/*
 * The C side of the way back to ring 3 (Linux: kernel/entry/common.c). Every return to a user
 * program, from a system call, an interrupt or an exception, passes through
 * exit_to_user_mode(): it is the point where a user thread is switched out when its slice is
 * over, and where a thread whose process is being killed ends instead of returning.
 */
#ifndef KERNEL_ENTRY_H
#define KERNEL_ENTRY_H

#include "arch/x86_64/trap.h"

/* Runs the pending work of the current thread, then returns with interrupts off, ready for
   the IRETQ or SYSRET to f. May sleep; may not return (the process is dying). */
void exit_to_user_mode(struct trap_frame *f);

/* Registers exit_to_user_mode with the trap code; boot, once. */
void entry_init(void);

#endif
