/*
 * Completions: "wait until this has happened". complete() counts one event and wakes a waiter;
 * wait_for_completion() sleeps until there is an event to take. A thread's exit is one
 * (kthread_join waits for it).
 */
#ifndef KERNEL_SCHED_COMPLETION_H
#define KERNEL_SCHED_COMPLETION_H

#include <stdbool.h>
#include "kernel/sched/wait.h"

struct completion {
	unsigned int done; /* events not yet taken; COMPLETION_ALL after complete_all() */
	struct wait_queue_head wait;
};

#define COMPLETION_ALL 0x40000000u

void init_completion(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
long wait_for_completion_timeout(struct completion *c, long ticks);
bool completion_done(struct completion *c);

#endif
