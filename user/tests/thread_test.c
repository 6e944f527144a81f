/*
 * Threads from user space: pthread_create and join on every CPU, thread-local storage (the FS
 * base each thread gets from CLONE_SETTLS), a mutex and a condition variable (futexes), a
 * thread pinned to each CPU in turn (sched_setaffinity) running there, and exit_group ending
 * threads that are running on other CPUs. Runs on Linux and on teachos.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "user/tap.h"

#define NTHREADS 8
#define ROUNDS	 20000

static __thread int tls_value;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int arrived;

struct worker {
	int index;
	pid_t tid;
	int tls_ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	tls_value = w->index * 1000;
	w->tid = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	pthread_mutex_lock(&lock);
	arrived++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	w->tls_ok = tls_value == w->index * 1000;
	return w;
}

static void test_create_join(void)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	int created = 0, joined = 0, tls_ok = 0, tids_distinct = 1;

	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .index = i + 1 };
		created += pthread_create(&th[i], NULL, work, &w[i]) == 0;
	}
	tap_ok(created == NTHREADS, "pthread_create made %d threads", created);
	pthread_mutex_lock(&lock);
	while (arrived < created)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	tap_ok(arrived == NTHREADS, "a condition variable saw all %d arrive", arrived);
	for (int i = 0; i < created; i++) {
		void *ret = NULL;

		joined += pthread_join(th[i], &ret) == 0 && ret == &w[i];
		tls_ok += w[i].tls_ok;
		for (int j = 0; j < i; j++)
			tids_distinct &= w[i].tid != w[j].tid;
		tids_distinct &= w[i].tid != getpid();
	}
	tap_ok(joined == NTHREADS, "pthread_join got each thread's return value");
	tap_ok(counter == (long)NTHREADS * ROUNDS, "the mutex kept every increment: %ld of %ld",
	       counter, (long)NTHREADS * ROUNDS);
	tap_ok(tls_ok == NTHREADS, "each thread kept its own __thread value");
	tap_ok(tids_distinct, "every thread has its own tid, none the pid");
	tap_ok(tls_value == 0, "the main thread's __thread value was not touched");
}

/* The CPUs this process may run on, in order: pinning thread i to cpus[i % ncpus] reaches
   every one of them, whatever numbers they have. */
static int cpus[CPU_SETSIZE], ncpus;

struct pinned {
	int cpu;
	int set_ok;
	int seen_cpu;
};

static void *run_pinned(void *arg)
{
	struct pinned *p = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	p->set_ok = sched_setaffinity(0, sizeof(set), &set) == 0;
	/* sched_setaffinity returns on an allowed CPU: the caller has moved before it returns. */
	p->seen_cpu = sched_getcpu();
	return NULL;
}

/* Thread i pins itself to cpus[i % ncpus] and must find itself there: threads on every CPU,
   whatever the scheduler would have picked. */
static void test_pinned_on_every_cpu(void)
{
	pthread_t th[NTHREADS];
	struct pinned p[NTHREADS];
	cpu_set_t set;
	int created = 0, set_ok = 0, there = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpus++] = c;
	tap_ok(ncpus > 0, "sched_getaffinity names %d CPUs", ncpus);
	for (int i = 0; i < NTHREADS && ncpus; i++) {
		p[i] = (struct pinned){ .cpu = cpus[i % ncpus], .seen_cpu = -1 };
		created += pthread_create(&th[i], NULL, run_pinned, &p[i]) == 0;
	}
	for (int i = 0; i < created; i++) {
		pthread_join(th[i], NULL);
		set_ok += p[i].set_ok;
		if (p[i].seen_cpu == p[i].cpu)
			there++;
		else
			tap_diag("thread %d pinned to CPU %d runs on CPU %d", i, p[i].cpu,
				 p[i].seen_cpu);
	}
	tap_ok(created == NTHREADS && set_ok == NTHREADS,
	       "%d threads each pinned to CPU i %% %d with sched_setaffinity", set_ok, ncpus);
	tap_ok(there == NTHREADS, "sched_getcpu in each is the CPU it pinned itself to (%d of %d)",
	       there, NTHREADS);
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

/* A child with threads spinning in user mode on every CPU calls exit_group: all must end. */
static void test_exit_group_ends_threads(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t th;

		for (int i = 0; i < 4; i++)
			if (pthread_create(&th, NULL, spin, NULL))
				_exit(2);
		usleep(50 * 1000);
		syscall(SYS_exit_group, 9);
	}
	int waited = pid > 0 && waitpid(pid, &status, 0) == pid;

	tap_ok(waited && WIFEXITED(status) && WEXITSTATUS(status) == 9,
	       "exit_group(9) with 4 spinning threads: the process ends, status 9 (0x%x)", status);
}

int main(void)
{
	tap_plan(11);
	test_create_join();
	test_pinned_on_every_cpu();
	test_exit_group_ends_threads();
	return tap_done();
}
