/*
 * Asking another CPU where it is, without stopping it. The asking CPU sends an NMI, which
 * arrives even when the target spins with interrupts disabled (a stalled CPU often does); the
 * target's NMI handler walks its own stack into a per-CPU buffer and returns to what it was
 * doing; the asking CPU waits for the buffer and prints it. The RCU stall warning uses this to
 * show what a CPU that reports no quiescent state is running.
 *
 * The NMI handler prints nothing: it may have interrupted printk on its CPU, which holds the
 * console lock, and taking that lock again would deadlock. The panic path differs: it stops
 * the CPU for good and printk skips the lock once a panic has begun.
 */
#ifndef KERNEL_NMI_BACKTRACE_H
#define KERNEL_NMI_BACKTRACE_H

#include <stdbool.h>
#include "kernel/stacktrace.h"

#define NMI_BACKTRACE_MAX 24 /* frames a CPU records per request */

/*
 * Asks online CPU cpu (not the caller's) for its stack trace; fills at most max entries of out.
 * Returns the number filled, or 0 when cpu is this CPU, offline, or did not answer within
 * NMI_BACKTRACE_WAIT_MS. Sleeps (one request at a time).
 */
unsigned nmi_backtrace_save(unsigned int cpu, struct stack_entry *out, unsigned max);
/* Asks cpu as above and prints its trace at warning level, each line led by prefix. Returns
   false when cpu did not answer. */
bool nmi_backtrace_print(unsigned int cpu, const char *prefix);
/* From the NMI handler (kernel/trap.c): true if this NMI was a backtrace request, now served. */
bool nmi_backtrace_handle(const struct trap_frame *f);

#endif
