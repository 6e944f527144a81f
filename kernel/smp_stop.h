/* Stopping the other CPUs on panic (see kernel/smp_stop.c). */
#ifndef KERNEL_SMP_STOP_H
#define KERNEL_SMP_STOP_H

#include <stdbool.h>
#include "arch/x86_64/trap.h"

/* Called by the panicking CPU: stops every other online CPU, one at a time. */
void smp_stop_other_cpus(void);
/* Called from the NMI handler: when this CPU is asked to stop, reports and halts (no return). */
bool smp_stop_nmi(const struct trap_frame *f);

#endif
