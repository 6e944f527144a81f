/*
 * Robust mutexes (set_robust_list): a thread that ends holding one must not leave it locked for
 * ever, even when it ends without libc's help (the exit system call, a kill). The kernel walks the ending thread's robust list, marks the mutex's futex word
 * FUTEX_OWNER_DIED and wakes a waiter, so the next pthread_mutex_lock returns EOWNERDEAD and
 * the mutex can be made consistent again. Runs on Linux and on teachos.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "user/tap.h"

static pthread_mutex_t m;
static volatile int locked;

/* Locks the mutex and ends with the exit system call itself: libc's pthread_exit, which
   walks the robust list in user space, never runs, so only the kernel can release it. */
static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	locked = 1;
	usleep(20 * 1000); /* let main block on the mutex first: the kernel must wake it */
	syscall(SYS_exit, 0);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_t t;
	int r;

#ifndef __GLIBC__
	/* musl's lock waits on where the kernel's release does not reach: the same program
	   hangs on Linux. glibc's build runs the test. */
	tap_plan(1);
	printf("ok 1 # SKIP musl: a robust mutex whose owner called exit(2) stays locked on "
	       "Linux too\n");
	return 0;
#endif
	tap_plan(4);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	/* No pthread_join: libc's join waits for what pthread_exit would have done. */
	tap_ok(pthread_create(&t, NULL, die_holding, NULL) == 0,
	       "a thread locks a robust mutex and calls exit(2) holding it");
	while (!locked)
		usleep(1000);
	r = pthread_mutex_lock(&m);
	tap_ok(r == EOWNERDEAD, "the next lock returns EOWNERDEAD (%d)", r);
	tap_ok(pthread_mutex_consistent(&m) == 0 && pthread_mutex_unlock(&m) == 0,
	       "made consistent and unlocked");
	tap_ok(pthread_mutex_lock(&m) == 0 && pthread_mutex_unlock(&m) == 0,
	       "then it locks normally");
	return tap_done();
}
