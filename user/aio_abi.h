/*
 * Linux's aio system calls for user programs, without libaio: the structures of
 * include/uapi/linux/aio_abi.h for x86_64, the opcodes, and one wrapper per call over
 * syscall(2) (so -1 and errno on an error). teachos takes the same layouts and numbers. Used by
 * user/tests/aio_test.c, aio_edge_test.c and user/ioctxbench.c.
 */
#ifndef USER_AIO_ABI_H
#define USER_AIO_ABI_H

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef unsigned long ctx_t; /* aio_context_t */

struct iocb64 {
	uint64_t aio_data;
	uint32_t aio_key;
	int32_t aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf;
	uint64_t aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags;
	uint32_t aio_resfd;
};

struct io_event64 {
	uint64_t data;
	uint64_t obj;
	int64_t res;
	int64_t res2;
};

_Static_assert(sizeof(struct iocb64) == 64, "Linux's struct iocb is 64 bytes");
_Static_assert(sizeof(struct io_event64) == 32, "Linux's struct io_event is 32 bytes");

#define IOCB_CMD_PREAD	0
#define IOCB_CMD_PWRITE 1
#define IOCB_CMD_FSYNC	2

/* ctxp is a plain pointer: the tests pass bad ones on purpose. */
static inline long io_setup(long nr, void *ctxp)
{
	return syscall(SYS_io_setup, nr, ctxp);
}

static inline long io_destroy(ctx_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static inline long io_submit(ctx_t ctx, long nr, struct iocb64 **iocbs)
{
	return syscall(SYS_io_submit, ctx, nr, iocbs);
}

static inline long io_getevents(ctx_t ctx, long min_nr, long nr, struct io_event64 *events,
				const struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min_nr, nr, events, timeout);
}

#endif
