/*
 * Futexes: a user thread sleeps in the kernel until another wakes it at the same user address
 * (Linux's kernel/futex/). musl's and glibc's mutexes, condition variables and pthread_join
 * are built on FUTEX_WAIT and FUTEX_WAKE.
 *
 * A waiter is keyed by (mm, address): private futexes, the ones threads of one process share.
 * A futex in a MAP_SHARED page seen by two processes is keyed by each one's mm and so is not
 * shared (Linux keys those by the page): documented, not supported.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <stdint.h>

struct mm;

/* Wakes up to n waiters at (mm, addr); returns how many. Any thread context. */
int futex_wake_address(struct mm *mm, uint64_t addr, int n);

/* Boot, once, before any user thread runs. */
void futex_init(void);

struct thread;
/* The ending thread t (current) releases the robust mutexes it still holds. */
void exit_robust_list(struct thread *t);

/* Waiters sleeping now, all buckets (a leak check for tests). */
unsigned int futex_waiters(void);

#endif
