/*
 * ubench: what ring 3 costs. Four micro-benchmarks, each timed in rounds that interleave with
 * the others, reported as the median round (and the lowest and highest) in nanoseconds per
 * operation. The same static binary runs on Linux, so the figures can be set side by side.
 *
 *	ubench [ROUNDS]		default 7
 *
 *   getpid	  a system call's round trip: syscall(SYS_getpid), which does nothing in the kernel
 *   fault	  a page fault from user mode: the first write to a page of fresh anonymous memory
 *		  (demand-zero), including the page's share of mmap/munmap
 *   fork	  fork + _exit in the child + waitpid in the parent
 *   thread	  pthread_create + pthread_join of a thread that returns at once
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 31

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double bench_getpid(void)
{
	const int n = 20000;
	uint64_t t0 = now_ns();

	for (int i = 0; i < n; i++)
		syscall(SYS_getpid);
	return (double)(now_ns() - t0) / n;
}

static double bench_fault(void)
{
	const size_t pages = 512;
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	uint64_t t0;

	if (p == MAP_FAILED)
		return -1;
	t0 = now_ns();
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = 1;
	munmap(p, pages * 4096);
	return (double)(now_ns() - t0) / pages;
}

static double bench_fork(void)
{
	const int n = 50;
	uint64_t t0 = now_ns();

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (double)(now_ns() - t0) / n;
}

static void *nothing(void *arg)
{
	return arg;
}

static double bench_thread(void)
{
	const int n = 200;
	uint64_t t0 = now_ns();

	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
			return -1;
	}
	return (double)(now_ns() - t0) / n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		double (*fn)(void);
	} b[] = { { "getpid", bench_getpid },
		  { "fault", bench_fault },
		  { "fork", bench_fork },
		  { "thread", bench_thread } };
	enum { N = sizeof(b) / sizeof(b[0]) };
	double t[N][MAX_ROUNDS];
	int rounds = argc > 1 ? atoi(argv[1]) : 7;

	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: ubench [ROUNDS (1-%d)]\n", MAX_ROUNDS);
		return 2;
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < N; i++)
			t[i][r] = b[i].fn();
	printf("ubench: %d rounds, ns per operation: median (min..max)\n", rounds);
	for (int i = 0; i < N; i++) {
		qsort(t[i], (size_t)rounds, sizeof(double), cmp);
		printf("ubench: %-7s %10.0f  (%.0f..%.0f)\n", b[i].name, t[i][rounds / 2], t[i][0],
		       t[i][rounds - 1]);
	}
	return 0;
}
