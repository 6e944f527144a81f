#ifndef KERNEL_SCHED_IDLE_H
#define KERNEL_SCHED_IDLE_H

/*
 * What a CPU does when it has nothing to run (the idle thread, kernel/sched/core.c): halt with
 * interrupts on until the next interrupt, and count the time spent halted (the `cpus` command
 * shows it as the idle share). Call with interrupts off, after checking there is no work; it
 * returns after the interrupt that woke the CPU, with interrupts on.
 */
void cpu_idle_halt(void);

#endif
