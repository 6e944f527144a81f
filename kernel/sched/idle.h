#ifndef KERNEL_SCHED_IDLE_H
#define KERNEL_SCHED_IDLE_H

/* Halts until the next interrupt, counting the idle time (kernel/sched/idle.c). */
void cpu_idle_halt(void);

#endif
