#ifndef KERNEL_SCHED_IDLE_H
#define KERNEL_SCHED_IDLE_H

/* Halts until the next interrupt, counting the idle time (kernel/sched/idle.c, beside the idle
   loop, sched_idle_loop, declared in kernel/sched/sched.h as Linux keeps do_idle here). */
void cpu_idle_halt(void);

#endif
