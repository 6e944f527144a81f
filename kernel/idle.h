#ifndef KERNEL_IDLE_H
#define KERNEL_IDLE_H

#include "lib/compiler.h"

/*
 * What a CPU does when it has nothing to run: halt with interrupts on until the next interrupt,
 * and count the time spent halted (the `cpus` command shows it as the idle share).
 */
__noreturn void cpu_idle_loop(void);

#endif
