/*
 * Sleeping reader-writer locks (Linux's rw_semaphore): any number of readers at once, or one
 * writer alone, and a thread that cannot get in sleeps instead of spinning, so holders may
 * sleep too (allocate memory, wait for a TLB shootdown). An address space's mmap_lock is one:
 * page faults take the read side, mmap and munmap the write side.
 *
 * A waiting writer keeps new readers out, so a stream of readers cannot starve it. Only for
 * thread context with preemption enabled (might_sleep checks). The writer is recorded: a thread
 * that takes either side of a lock it holds for writing panics instead of sleeping forever.
 */
#ifndef KERNEL_LOCKING_RWSEM_H
#define KERNEL_LOCKING_RWSEM_H

#include <stdbool.h>
#include "kernel/locking/spinlock.h"
#include "kernel/sched/wait.h"

struct thread;

struct rw_semaphore {
	long count;	 /* the state: readers, RWSEM_WRITER, RWSEM_WAITERS (rwsem.c) */
	spinlock_t lock; /* the slow paths; protects the fields below */
	unsigned int writers_waiting; /* while > 0, new readers wait */
	unsigned int sleepers;	      /* threads that failed to get in and wait on wait */
	uint64_t contended;	      /* failed attempts, each followed by a wait */
	struct thread *writer;	      /* the thread holding the write side */
	struct wait_queue_head wait;  /* everybody who waits, readers and writers */
	const char *name;
};

void init_rwsem(struct rw_semaphore *s, const char *name);
void down_read(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);
void down_write(struct rw_semaphore *s);
void up_write(struct rw_semaphore *s);
bool rwsem_is_write_locked_by_me(struct rw_semaphore *s);

#endif
