/*
 * The aio system calls at their edges: the errno Linux gives for each bad argument of
 * io_setup, io_destroy, io_submit and io_getevents (raw syscall(), Linux's struct iocb), the
 * results of reads at and past the end of a file, and io_destroy with requests still queued
 * (Linux waits for them: it returns 0 with their work done). Every check names Linux's answer.
 *
 *	aio_edge_test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "user/aio_abi.h"
#include "user/tap.h"

#define PATH	 "/tmp/aio_edge_test"
#define LEN	 4096
#define INFLIGHT 8

/* An address no program has mapped: the first page (hidden from the compiler's checks). */
#define BAD_PTR ((void *)(uintptr_t)atoi("8"))

/* 0 when r (a system call's return) is not -1, else errno. */
static int err_of(long r)
{
	return r == -1 ? errno : 0;
}

static struct iocb64 rw_iocb(int opcode, int fd, void *buf, size_t len, long off)
{
	return (struct iocb64){.aio_data = (uint64_t)off,
			       .aio_lio_opcode = opcode,
			       .aio_fildes = (uint32_t)fd,
			       .aio_buf = (uint64_t)(uintptr_t)buf,
			       .aio_nbytes = len,
			       .aio_offset = off};
}

/* Submits one iocb: its errno, or 0 when it was queued (its event is reaped here). */
static int submit_one_err(ctx_t ctx, struct iocb64 cb)
{
	struct iocb64 *p = &cb;
	struct io_event64 ev;
	long r = io_submit(ctx, 1, &p);

	if (r == 1)
		io_getevents(ctx, 1, 1, &ev, NULL);
	return r == 1 ? 0 : err_of(r);
}

/* /proc/sys/fs/aio-max-nr, or Linux's default when there is no /proc. */
static long aio_max_nr(void)
{
	FILE *f = fopen("/proc/sys/fs/aio-max-nr", "r");
	long v = 65536;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65536;
		fclose(f);
	}
	return v;
}

static void setup_checks(void)
{
	ctx_t ctx = 0;
	long max = aio_max_nr();
	int e;

	e = err_of(io_setup(0, &ctx));
	tap_ok(e == EINVAL, "io_setup with nr_events 0: EINVAL (got %s)", strerror(e));
	ctx = 1;
	e = err_of(io_setup(1, &ctx));
	tap_ok(e == EINVAL && ctx == 1, "io_setup with *ctxp != 0: EINVAL, *ctxp kept (got %s)",
	       strerror(e));
	e = err_of(io_setup(1, BAD_PTR));
	tap_ok(e == EFAULT, "io_setup with an unmapped ctxp: EFAULT (got %s)", strerror(e));
	ctx = 0;
	e = err_of(io_setup(max + 1, &ctx));
	tap_ok(e == EAGAIN && ctx == 0,
	       "io_setup of aio-max-nr + 1 = %ld events: EAGAIN, *ctxp left 0 (got %s)", max + 1,
	       strerror(e));
	e = err_of(io_destroy(0));
	tap_ok(e == EINVAL, "io_destroy of id 0: EINVAL (got %s)", strerror(e));
	e = err_of(io_destroy(123456789));
	tap_ok(e == EINVAL, "io_destroy of an id never set up: EINVAL (got %s)", strerror(e));
}

static void getevents_checks(ctx_t ctx)
{
	struct io_event64 ev[4];
	struct timespec zero = {0, 0};
	int e;

	e = err_of(io_getevents(ctx, 2, 1, ev, &zero));
	tap_ok(e == EINVAL, "io_getevents with min_nr > nr: EINVAL (got %s)", strerror(e));
	e = err_of(io_getevents(ctx, 0, -1, ev, &zero));
	tap_ok(e == EINVAL, "io_getevents with nr < 0: EINVAL (got %s)", strerror(e));
	e = err_of(io_getevents(ctx, -1, 1, ev, &zero));
	tap_ok(e == EINVAL, "io_getevents with min_nr < 0: EINVAL (got %s)", strerror(e));
	e = err_of(io_getevents(123456789, 0, 1, ev, &zero));
	tap_ok(e == EINVAL, "io_getevents on an id never set up: EINVAL (got %s)", strerror(e));
	tap_ok(io_getevents(ctx, 0, 4, ev, &zero) == 0,
	       "io_getevents with nothing queued and a zero timeout: 0");
	e = err_of(io_getevents(ctx, 0, 1, ev, BAD_PTR));
	tap_ok(e == EFAULT, "io_getevents with an unmapped timeout: EFAULT (got %s)", strerror(e));
}

static void submit_checks(ctx_t ctx, int rfd, int wfd)
{
	char buf[LEN];
	struct iocb64 cb = rw_iocb(IOCB_CMD_PREAD, rfd, buf, 16, 0), *p = &cb;
	int e;

	e = err_of(io_submit(ctx, -1, &p));
	tap_ok(e == EINVAL, "io_submit with nr < 0: EINVAL (got %s)", strerror(e));
	tap_ok(io_submit(ctx, 0, &p) == 0, "io_submit of 0 iocbs: 0");
	e = err_of(io_submit(123456789, 1, &p));
	tap_ok(e == EINVAL, "io_submit on an id never set up: EINVAL (got %s)", strerror(e));
	e = err_of(io_submit(ctx, 1, BAD_PTR));
	tap_ok(e == EFAULT, "io_submit with an unmapped iocb array: EFAULT (got %s)", strerror(e));
	cb.aio_lio_opcode = 99;
	e = submit_one_err(ctx, cb);
	tap_ok(e == EINVAL, "an iocb with opcode 99: EINVAL (got %s)", strerror(e));
	e = submit_one_err(ctx, rw_iocb(IOCB_CMD_PREAD, 1000, buf, 16, 0));
	tap_ok(e == EBADF, "an iocb on a descriptor that is not open: EBADF (got %s)", strerror(e));
	e = submit_one_err(ctx, rw_iocb(IOCB_CMD_PREAD, wfd, buf, 16, 0));
	tap_ok(e == EBADF, "a read on an O_WRONLY descriptor: EBADF (got %s)", strerror(e));
	e = submit_one_err(ctx, rw_iocb(IOCB_CMD_PWRITE, rfd, buf, 16, 0));
	tap_ok(e == EBADF, "a write on an O_RDONLY descriptor: EBADF (got %s)", strerror(e));
	cb = rw_iocb(IOCB_CMD_PREAD, rfd, buf, 16, 0);
	cb.aio_reserved2 = 1;
	e = submit_one_err(ctx, cb);
	tap_ok(e == EINVAL, "an iocb with aio_reserved2 set: EINVAL (got %s)", strerror(e));
	e = submit_one_err(ctx, rw_iocb(IOCB_CMD_FSYNC, rfd, buf, 16, 0));
	tap_ok(e == EINVAL, "an fsync iocb with a buffer: EINVAL (got %s)", strerror(e));
	cb = rw_iocb(IOCB_CMD_PREAD, rfd, buf, 16, 0);
	cb.aio_nbytes = (uint64_t)-1;
	e = submit_one_err(ctx, cb);
	tap_ok(e == EINVAL, "an iocb with a negative aio_nbytes: EINVAL (got %s)", strerror(e));
}

/* Reads at offset off of the file (LEN bytes of 'a'+i%26): the event's res. */
static long read_res(ctx_t ctx, int fd, char *buf, size_t len, long off)
{
	struct iocb64 cb = rw_iocb(IOCB_CMD_PREAD, fd, buf, len, off), *p = &cb;
	struct io_event64 ev;

	if (io_submit(ctx, 1, &p) != 1 || io_getevents(ctx, 1, 1, &ev, NULL) != 1)
		return -10000;
	return ev.obj == (uint64_t)(uintptr_t)&cb && ev.data == (uint64_t)off ? ev.res : -20000;
}

static void result_checks(ctx_t ctx, int rfd)
{
	char buf[LEN];
	long r;

	memset(buf, 0, sizeof(buf));
	r = read_res(ctx, rfd, buf, 10, LEN - 4);
	tap_ok(r == 4 && buf[0] == 'a' + (LEN - 4) % 26,
	       "a read across the end of the file: res 4 (got %ld)", r);
	r = read_res(ctx, rfd, buf, 10, LEN);
	tap_ok(r == 0, "a read at the end of the file: res 0 (got %ld)", r);
	r = submit_one_err(ctx, rw_iocb(IOCB_CMD_PREAD, rfd, buf, 10, -1));
	tap_ok(r == EINVAL, "a read at offset -1: io_submit gives EINVAL (got %s)",
	       strerror((int)r));
}

/* io_destroy with INFLIGHT reads queued and not reaped: Linux returns 0 once they are done. */
static void destroy_checks(int rfd)
{
	static char bufs[INFLIGHT][LEN];
	struct iocb64 cbs[INFLIGHT], *ps[INFLIGHT];
	struct io_event64 ev;
	ctx_t ctx = 0;
	int i, full = 1, e;
	long n;

	if (io_setup(INFLIGHT, &ctx) != 0) {
		tap_ok(0, "io_setup for the in-flight reads (%s)", strerror(errno));
		return;
	}
	for (i = 0; i < INFLIGHT; i++) {
		memset(bufs[i], 0, LEN);
		cbs[i] = rw_iocb(IOCB_CMD_PREAD, rfd, bufs[i], LEN, 0);
		ps[i] = &cbs[i];
	}
	n = io_submit(ctx, INFLIGHT, ps);
	e = err_of(io_destroy(ctx));
	tap_ok(n == INFLIGHT && e == 0,
	       "io_destroy with %d reads submitted and not reaped: 0 (got %s)", INFLIGHT,
	       strerror(e));
	for (i = 0; i < INFLIGHT; i++)
		full &= bufs[i][0] == 'a' && bufs[i][LEN - 1] == 'a' + (LEN - 1) % 26;
	tap_ok(full, "when io_destroy returns every read has filled its buffer");
	e = err_of(io_getevents(ctx, 0, 1, &ev, NULL));
	tap_ok(e == EINVAL, "io_getevents on the destroyed id: EINVAL (got %s)", strerror(e));
	e = err_of(io_destroy(ctx));
	tap_ok(e == EINVAL, "io_destroy of it again: EINVAL (got %s)", strerror(e));
}

int main(void)
{
	static char data[LEN];
	ctx_t ctx = 0;
	int fd, rfd, wfd, i;

	tap_plan(33);
	for (i = 0; i < LEN; i++)
		data[i] = (char)('a' + i % 26);
	fd = open(PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	tap_ok(fd >= 0 && write(fd, data, LEN) == LEN, "write %d bytes to %s", LEN, PATH);
	close(fd);
	rfd = open(PATH, O_RDONLY);
	wfd = open(PATH, O_WRONLY);
	setup_checks();
	if (!tap_ok(io_setup(4, &ctx) == 0 && ctx != 0, "io_setup of 4 events"))
		return tap_done();
	getevents_checks(ctx);
	submit_checks(ctx, rfd, wfd);
	result_checks(ctx, rfd);
	tap_ok(io_destroy(ctx) == 0, "io_destroy of the context: 0");
	destroy_checks(rfd);
	close(rfd);
	close(wfd);
	unlink(PATH);
	return tap_done();
}
