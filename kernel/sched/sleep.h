/*
 * Sleeping for a time. A thread that sleeps with a timeout goes on one list sorted by wakeup
 * time; CPU 0's timer tick wakes the threads whose time has come. The resolution is one tick
 * (10 ms at HZ=100): msleep(1) sleeps between 10 and 20 ms.
 */
#ifndef KERNEL_SCHED_SLEEP_H
#define KERNEL_SCHED_SLEEP_H

#include <stdint.h>

#define MAX_SCHEDULE_TIMEOUT 0x7fffffffffffffffL

/* Sleeps (in the state the caller set: set_current_state(THREAD_SLEEPING) first) until woken or
   until ticks have passed. Returns the ticks left: 0 when the time ran out. */
long schedule_timeout(long ticks);
/* Sleeps at least ms milliseconds. */
void msleep(unsigned int ms);
long msecs_to_jiffies(unsigned int ms);
/* Wakes the threads whose timeout has passed (CPU 0's tick). */
void sleep_tick(void);

#endif
