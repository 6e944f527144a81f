/*
 * Sleeping for a time. A thread that sleeps with a timeout goes on one list sorted by wakeup
 * time; CPU 0's timer tick wakes the threads whose time has come. The resolution is one tick
 * (10 ms at HZ=100): msleep(1) sleeps between 10 and 20 ms.
 */
#ifndef KERNEL_SCHED_SLEEP_H
#define KERNEL_SCHED_SLEEP_H

#include <stdint.h>

#define MAX_SCHEDULE_TIMEOUT 0x7fffffffffffffffL

long schedule_timeout(long ticks);
void msleep(unsigned int ms);
long msecs_to_jiffies(unsigned int ms);
void sleep_tick(void); /* CPU 0's tick */

#endif
