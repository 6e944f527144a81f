/*
 * Mechanism 4 from user space: pages freed while other threads of the process are writing to
 * them on other CPUs. The kernel must shoot down every CPU's TLB entry before a page is freed;
 * a stale entry would let a writer's store land in a page already handed to someone else.
 *
 * MADV_DONTNEED frees the pages of a mapping that stays: writers that keep storing fault in
 * fresh zeroed pages. After each zap the main thread takes fresh anonymous pages (often the
 * very pages just freed) and checks that they read as zeros and stay so: a store through a
 * stale TLB entry would show there as a writer's mark. Then munmap: a child process whose
 * threads write to a region its main thread unmaps must die of SIGSEGV (a thread writes where
 * nothing is mapped), not go on writing, not hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "user/tap.h"

#define WRITERS 3
#define PAGES	16
#define ROUNDS	200
#define PAGE	4096

static volatile uint64_t *region;
static volatile int stop;

static void *writer(void *arg)
{
	uint64_t mark = 0xdead000000000000ULL | (uintptr_t)arg << 32, n = 0;

	while (!stop)
		for (int p = 0; p < PAGES; p++)
			region[p * (PAGE / 8) + (uintptr_t)arg] = mark | n++;
	return NULL;
}

/* Fresh pages, touched, checked for any writer's mark. Returns the words found nonzero. */
static long fresh_pages_dirty(void)
{
	long bad = 0;
	uint64_t *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	for (int spin = 0; spin < 3; spin++)
		for (size_t i = 0; i < PAGES * PAGE / 8; i++)
			bad += p[i] != 0;
	munmap(p, PAGES * PAGE);
	return bad;
}

static void test_dontneed(void)
{
	pthread_t th[WRITERS];
	long dirty = 0, zaps = 0;

	region = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0);
	if (!tap_ok(region != MAP_FAILED, "map %d pages for the writers", PAGES))
		return;
	for (uintptr_t i = 0; i < WRITERS; i++)
		pthread_create(&th[i], NULL, writer, (void *)(i + 1));
	for (int r = 0; r < ROUNDS; r++) {
		zaps += madvise((void *)region, PAGES * PAGE, MADV_DONTNEED) == 0;
		long d = fresh_pages_dirty();
		dirty += d > 0 ? d : 0;
	}
	stop = 1;
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	tap_ok(zaps == ROUNDS, "MADV_DONTNEED %ld times while %d threads write", zaps, WRITERS);
	tap_ok(dirty == 0, "no writer's store reached a freed page: %ld words dirty", dirty);
	munmap((void *)region, PAGES * PAGE);
}

static void test_munmap_kills(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t th[WRITERS];

		stop = 0;
		region = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (uintptr_t i = 0; i < WRITERS; i++)
			pthread_create(&th[i], NULL, writer, (void *)(i + 1));
		usleep(20 * 1000);
		munmap((void *)region, PAGES * PAGE);
		for (;;) /* a writer's fault ends the process */
			usleep(1000);
	}
	int waited = waitpid(pid, &status, 0) == pid;

	tap_ok(waited && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	       "munmap under %d writing threads: the process dies of SIGSEGV (0x%x)", WRITERS,
	       status);
}

int main(void)
{
	tap_plan(4);
	test_dontneed();
	test_munmap_kills();
	return tap_done();
}
