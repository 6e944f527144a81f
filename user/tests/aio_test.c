/*
 * Mechanism 5 from user space: Linux's native aio (io_setup, io_submit, io_getevents,
 * io_destroy) through raw syscall(), with Linux's struct iocb and struct io_event layouts.
 * Results and errors first; then the race the lockless lookup_ioctx must survive: one thread
 * sets up and destroys contexts while threads on every CPU submit and reap on whichever id it
 * last published. A destroyed context gives EINVAL; anything else is a failure.
 *
 * A context id is a number to pass back, never a pointer: Linux's is the address of a ring
 * mapped into the process, teachos's is not (docs/aio.md), so this program never reads it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "user/aio_abi.h"
#include "user/tap.h"

#define PATH	"/tmp/aio_test"
#define LEN	4096
#define WORKERS 4
#define ROUNDS	200
/* Linux's io_destroy waits for RCU grace periods: under TCG each round costs it tens of
 * milliseconds, so on Linux (where this test checks our expectations, not the race) the setter
 * makes LINUX_ROUNDS contexts. */
#define LINUX_ROUNDS 40
#define RACELEN	     512

/* An address no program has mapped: the first page. */
#define BAD_PTR ((void *)(uintptr_t)atoi("8"))

/* The longest wait for an event: one that never comes fails its check, it does not hang. */
static struct timespec ten_seconds = {10, 0};

static struct iocb64 rw_iocb(int op, int fd, void *buf, size_t len, off_t off, uint64_t tag)
{
	return (struct iocb64){.aio_data = tag,
			       .aio_lio_opcode = (uint16_t)op,
			       .aio_fildes = (uint32_t)fd,
			       .aio_buf = (uintptr_t)buf,
			       .aio_nbytes = len,
			       .aio_offset = off};
}

/* Submits one request and waits for its event; the event's res, or the failing call's -errno. */
static long submit_wait(ctx_t ctx, struct iocb64 *cb, struct io_event64 *ev)
{
	struct iocb64 *cbs[] = {cb};
	long r = io_submit(ctx, 1, cbs);

	if (r != 1)
		return r < 0 ? -errno : -1000;
	r = io_getevents(ctx, 1, 1, ev, &ten_seconds);
	if (r != 1)
		return r < 0 ? -errno : -1001;
	return ev->res;
}

static void test_calls(int fd)
{
	static char out[LEN], in[LEN];
	struct io_event64 ev = {0};
	struct iocb64 cb;
	struct iocb64 *cbs[1];
	ctx_t ctx = 0, other = 0;
	long r;

	for (int i = 0; i < LEN; i++)
		out[i] = (char)(i * 7 + 3);
	r = io_setup(8, &ctx);
	tap_ok(r == 0 && ctx != 0, "io_setup(8) gives a context id");
	cb = rw_iocb(IOCB_CMD_PWRITE, fd, out, LEN, 0, 0x1234);
	r = submit_wait(ctx, &cb, &ev);
	tap_ok(r == LEN && ev.data == 0x1234 && ev.obj == (uintptr_t)&cb,
	       "a PWRITE of %d bytes: res %ld, its data and iocb in the event", LEN, r);
	cb = rw_iocb(IOCB_CMD_PREAD, fd, in, LEN, 0, 0x5678);
	r = submit_wait(ctx, &cb, &ev);
	tap_ok(r == LEN && ev.data == 0x5678 && !memcmp(in, out, LEN),
	       "a PREAD reads back what was written (res %ld)", r);
	cb = rw_iocb(IOCB_CMD_PREAD, fd, in, LEN, LEN, 0);
	r = submit_wait(ctx, &cb, &ev);
	tap_ok(r == 0, "a PREAD past the end of the file: res 0 (%ld)", r);

	tap_ok(io_setup(0, &other) < 0 && errno == EINVAL, "io_setup with nr_events 0: EINVAL");
	tap_ok(io_setup(8, BAD_PTR) < 0 && errno == EFAULT, "io_setup with a bad ctxp: EFAULT");
	other = ctx;
	tap_ok(io_setup(8, &other) < 0 && errno == EINVAL, "io_setup with *ctxp not 0: EINVAL");
	cbs[0] = &cb;
	tap_ok(io_submit(ctx + 12345, 1, cbs) < 0 && errno == EINVAL,
	       "io_submit on a context id that is not one: EINVAL");
	tap_ok(io_getevents(ctx + 12345, 0, 1, &ev, NULL) < 0 && errno == EINVAL,
	       "io_getevents on a context id that is not one: EINVAL");
	tap_ok(io_submit(ctx, 1, BAD_PTR) < 0 && errno == EFAULT,
	       "io_submit with bad iocbpp: EFAULT");
	cbs[0] = BAD_PTR;
	tap_ok(io_submit(ctx, 1, cbs) < 0 && errno == EFAULT, "io_submit of a bad iocb: EFAULT");
	cb = rw_iocb(IOCB_CMD_PWRITE, fd + 100, out, LEN, 0, 0);
	cbs[0] = &cb;
	tap_ok(io_submit(ctx, 1, cbs) < 0 && errno == EBADF, "io_submit on a closed fd: EBADF");

	/* A bad events array with an event ready: Linux copies and fails, teachos checks first;
	   both keep the event for the next call. */
	cb = rw_iocb(IOCB_CMD_PREAD, fd, in, 16, 0, 0x9abc);
	r = io_submit(ctx, 1, cbs);
	tap_ok(r == 1 && io_getevents(ctx, 1, 1, BAD_PTR, &ten_seconds) < 0 && errno == EFAULT,
	       "io_getevents into a bad events pointer: EFAULT");
	r = io_getevents(ctx, 1, 1, &ev, &ten_seconds);
	tap_ok(r == 1 && ev.data == 0x9abc && ev.res == 16,
	       "the event is still there for the next io_getevents");

	tap_ok(io_destroy(ctx) == 0, "io_destroy returns 0");
	tap_ok(io_destroy(ctx) < 0 && errno == EINVAL, "io_destroy again: EINVAL");
	tap_ok(io_getevents(ctx, 0, 1, &ev, NULL) < 0 && errno == EINVAL,
	       "io_getevents on the destroyed context: EINVAL");
}

/* The race. The setter publishes each new context id in `published` (a relaxed atomic: the
   workers only pass the number back to the kernel, which does its own synchronization). */
static ctx_t published;
static int stop, race_fd;
static int cpus[CPU_SETSIZE], ncpus;
static long submitted[WORKERS], reaped[WORKERS], einval[WORKERS], bad[WORKERS];
static long pinned_ok;

static void pin(int i)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpus[i % ncpus], &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		__atomic_add_fetch(&pinned_ok, 1, __ATOMIC_RELAXED);
}

static int rounds = ROUNDS;

static void *setter(void *arg)
{
	(void)arg;
	pin(0);
	for (int round = 0; round < rounds; round++) {
		ctx_t ctx = 0, old = __atomic_load_n(&published, __ATOMIC_RELAXED);

		if (io_setup(64, &ctx) == 0)
			__atomic_store_n(&published, ctx, __ATOMIC_RELAXED);
		if (old)
			io_destroy(old);
		usleep(1000);
	}
	io_destroy(__atomic_exchange_n(&published, 0, __ATOMIC_RELAXED));
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* A worker's event must be a whole RACELEN write by some worker. */
static int event_ok(const struct io_event64 *ev)
{
	return ev->res == RACELEN && ev->data >= 1 && ev->data <= WORKERS;
}

static void *worker(void *arg)
{
	static char bufs[WORKERS][RACELEN];
	int i = (int)(uintptr_t)arg;
	struct timespec ten_ms = {0, 10 * 1000 * 1000};

	pin(i + 1);
	memset(bufs[i], 'a' + i, RACELEN);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		ctx_t ctx = __atomic_load_n(&published, __ATOMIC_RELAXED);
		struct iocb64 cb = rw_iocb(IOCB_CMD_PWRITE, race_fd, bufs[i], RACELEN,
					   (off_t)i * RACELEN, (uint64_t)i + 1);
		struct iocb64 *cbs[] = {&cb};
		struct io_event64 ev[4];
		long r;

		if (!ctx) {
			sched_yield();
			continue;
		}
		r = io_submit(ctx, 1, cbs);
		if (r == 1)
			submitted[i]++;
		else if (r < 0 && errno == EINVAL)
			einval[i]++;
		else if (!(r < 0 && errno == EAGAIN))
			bad[i]++;
		r = io_getevents(ctx, 0, 4, ev, &ten_ms);
		if (r < 0 && errno == EINVAL)
			einval[i]++;
		else if (r < 0)
			bad[i]++;
		for (long k = 0; k < r; k++) {
			reaped[i]++;
			bad[i] += !event_ok(&ev[k]);
		}
	}
	return NULL;
}

static void test_race(void)
{
	pthread_t set_th, th[WORKERS];
	long sub = 0, rea = 0, inval = 0, wrong = 0;
	int made = 0;
	struct utsname u;

	if (uname(&u) == 0 && strcmp(u.sysname, "teachos") != 0)
		rounds = LINUX_ROUNDS;
	made += pthread_create(&set_th, NULL, setter, NULL) == 0;
	for (int i = 0; i < WORKERS; i++)
		made += pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i) == 0;
	tap_ok(made == WORKERS + 1, "a context setter and %d workers started", WORKERS);
	pthread_join(set_th, NULL);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(th[i], NULL);
		sub += submitted[i];
		rea += reaped[i];
		inval += einval[i];
		wrong += bad[i];
	}
	tap_diag("%d CPUs, %d rounds: %ld submitted, %ld reaped, %ld EINVAL", ncpus, rounds, sub,
		 rea, inval);
	tap_ok(pinned_ok == WORKERS + 1, "each thread pinned itself to CPU i %% %d", ncpus);
	tap_ok(wrong == 0, "no error but EINVAL or EAGAIN, no event but a whole write (%ld bad)",
	       wrong);
	tap_ok(sub > 0 && rea > 0 && rea <= sub,
	       "requests went through the racing contexts, none reaped twice");
}

int main(void)
{
	cpu_set_t set;
	int fd;

	tap_plan(22);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpus++] = c;
	if (!ncpus)
		cpus[ncpus++] = 0;
	fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!tap_ok(fd >= 0, "open %s", PATH))
		return tap_done();
	test_calls(fd);
	race_fd = fd;
	test_race();
	close(fd);
	unlink(PATH);
	return tap_done();
}
