/*
 * The aio system calls: io_setup, io_destroy, io_submit, io_getevents, io_cancel. Linux keeps
 * them in fs/aio.c; here they sit beside the mechanism (fs/aio.c, fs/aio_submit.c,
 * fs/aio_ring.c), which takes an mm and kernel buffers, and do the user's side: the pointers,
 * Linux's struct iocb, Linux's order of checks and errors. Every call on a context turns the
 * id into the context with lookup_ioctx(), the lockless RCU walk of docs/aio.md.
 *
 * The id is the mechanism's own (1, 2, 3... never reused), not the address of a ring mapped
 * into the process as in Linux: libaio's io_getevents, which reads that ring directly when it
 * finds AIO_RING_MAGIC at the id's address, would fault on ours; programs that make the
 * system calls themselves do not notice. docs/aio.md lists the other differences.
 */
#include "fs/aio.h"
#include "kernel/syscall.h"
#include "kernel/sched/sched.h"
#include "kernel/time.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"

#define AIO_USER_MAX_BYTES (1UL << 20) /* one request's bytes at most (its bounce buffer) */
#define AIO_KEY_OFFSET	   8	       /* offsetof(struct user_iocb, aio_key) */
/* io_getevents reaps up to this many events into a buffer on the stack (256 bytes), more into
   a kmalloc'd one: a poll for one event must not take the kmalloc cache's lock, which every
   CPU shares (Linux copies from its ring to the user without any buffer). */
#define AIO_STACK_EVENTS 8

BUILD_BUG_ON(sizeof(struct user_iocb) != 64);
BUILD_BUG_ON(offsetof(struct user_iocb, aio_key) != AIO_KEY_OFFSET);
BUILD_BUG_ON(offsetof(struct user_iocb, aio_fildes) != 20);
BUILD_BUG_ON(offsetof(struct user_iocb, aio_resfd) != 60);
BUILD_BUG_ON(sizeof(struct io_event) != 32);

/* Linux's largest nr_events (ioctx_alloc: twice it, in io_events, must fit in 256 MiB). */
#define LINUX_AIO_EVENTS_MAX (0x10000000U / 32 / 2)

/*
 * io_setup's error for nr_events above AIO_MAX_EVENTS: Linux's where Linux refuses too
 * (-EINVAL past its largest ring, -EAGAIN past aio_max_nr), else -EINVAL (our rings are
 * smaller than Linux's).
 */
static long setup_too_many(unsigned int nr_events)
{
	if (nr_events <= LINUX_AIO_EVENTS_MAX && nr_events > aio_get_stats().aio_max_nr)
		return -EAGAIN;
	return -EINVAL;
}

/*
 * io_setup(2): a context of nr_events slots for the caller's mm; its id goes to *ctxp, which
 * must hold 0. -EFAULT for a bad ctxp, -EINVAL for *ctxp not 0, nr_events 0 or above
 * AIO_MAX_EVENTS (Linux's bound is far higher), -EAGAIN at aio_max_nr (and above it, as Linux,
 * even past AIO_MAX_EVENTS), -ENOMEM. When the id cannot be stored the context is destroyed
 * again.
 */
SYSCALL_DEFINE2(io_setup, unsigned int, nr_events, aio_context_t __user *, ctxp)
{
	struct mm *mm = current->mm;
	aio_context_t id;
	uint64_t old;
	int err;

	if (get_user_u64(&old, user_addr(ctxp)))
		return -EFAULT;
	if (old || nr_events == 0 || !mm)
		return -EINVAL;
	if (nr_events > AIO_MAX_EVENTS)
		return setup_too_many(nr_events);
	err = io_setup(mm, nr_events, &id);
	if (err)
		return err;
	if (put_user_u64(user_addr(ctxp), id)) {
		io_destroy(mm, id);
		return -EFAULT;
	}
	return 0;
}

/* io_destroy(2): -EINVAL for an id that is not a live context of the caller's mm. Waits for
   the context's requests in flight. */
SYSCALL_DEFINE1(io_destroy, aio_context_t, ctx)
{
	if (!current->mm)
		return -EINVAL;
	return io_destroy(current->mm, ctx);
}

/* The checks of one user iocb before anything is queued, in Linux's order. 0 or -EINVAL. */
static int check_user_iocb(const struct user_iocb *u)
{
	if (u->aio_reserved2 || u->aio_flags) /* no eventfd (IOCB_FLAG_RESFD), no priorities */
		return -EINVAL;
	if ((int64_t)u->aio_nbytes < 0 || u->aio_nbytes > AIO_USER_MAX_BYTES)
		return -EINVAL;
	switch (u->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PWRITE:
		return u->aio_rw_flags ? -EOPNOTSUPP : 0; /* no RWF_* flags */
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		if (u->aio_buf || u->aio_offset || u->aio_nbytes || u->aio_rw_flags)
			return -EINVAL;
		return 0;
	default: /* Linux has no NOOP either; POLL (5) is not ours */
		return -EINVAL;
	}
}

/* Queues the request whose iocb pointer is at slot. 0 or a negative errno. */
static int submit_user_iocb(struct kioctx *ctx, uint64_t slot)
{
	struct user_iocb u;
	struct iocb k;
	struct aio_user_io io;
	uint64_t addr;
	int err;

	if (get_user_u64(&addr, slot) || copy_from_user(&u, (const void __user *)addr, sizeof(u)))
		return -EFAULT;
	err = check_user_iocb(&u);
	if (err)
		return err;
	/* Linux's access_ok: a buffer outside the user half fails at once; one merely unmapped
	   fails in its event. */
	if (u.aio_nbytes && (u.aio_buf >= USER_TOP || u.aio_nbytes > USER_TOP - u.aio_buf))
		return -EFAULT;
	if (put_user_u32(addr + AIO_KEY_OFFSET, 0)) /* Linux's KIOCB_KEY, which io_cancel reads */
		return -EFAULT;
	k = (struct iocb){
		.aio_data = u.aio_data,
		.aio_lio_opcode = u.aio_lio_opcode,
		.aio_fildes = (int)u.aio_fildes,
		.aio_buf = NULL,
		.aio_nbytes = u.aio_nbytes,
		.aio_offset = u.aio_offset,
	};
	io = (struct aio_user_io){current->mm, (void __user *)u.aio_buf, addr};
	return io_submit_one(ctx, &k, &io);
}

/*
 * io_submit(2): queues up to nr requests (at most the context's nr_events, as Linux) from the
 * array of iocb pointers at iocbpp. Returns how many were queued, or the first one's error:
 * -EINVAL (nr < 0, an unknown id, a bad iocb field or opcode), -EFAULT (iocbpp, an iocb, or a
 * buffer outside the user half), -EBADF, -EAGAIN (the ring is full), -EOPNOTSUPP
 * (aio_rw_flags), -ENOMEM.
 */
SYSCALL_DEFINE3(io_submit, aio_context_t, ctx_id, long, nr, struct user_iocb __user *__user *,
		iocbpp)
{
	struct kioctx *ctx;
	long i = 0;
	int err = 0;

	if (nr < 0 || !current->mm)
		return -EINVAL;
	ctx = lookup_ioctx(current->mm, ctx_id);
	if (!ctx)
		return -EINVAL;
	nr = MIN(nr, (long)ctx->max_reqs);
	if (nr)
		err = aio_workers_start();
	while (!err && i < nr) {
		err = submit_user_iocb(ctx, user_addr(iocbpp) + (uint64_t)i * sizeof(uint64_t));
		if (!err)
			i++;
	}
	put_ioctx(ctx);
	return i ? i : err;
}

/* A user timeout in ms for io_getevents: AIO_WAIT_FOREVER for none, 0 for one already past. */
static long timeout_ms(const struct timespec64 *ts)
{
	uint64_t ms;

	if (ts->tv_sec < 0 || (ts->tv_sec == 0 && ts->tv_nsec <= 0))
		return 0;
	if ((uint64_t)ts->tv_sec >= INT32_MAX / 1000)
		return INT32_MAX;
	ms = (uint64_t)ts->tv_sec * 1000 + (uint64_t)MAX(ts->tv_nsec, 0) / 1000000;
	return (long)ms + ((uint64_t)MAX(ts->tv_nsec, 0) % 1000000 != 0);
}

/*
 * io_getevents(2): reaps between min_nr and nr events of the context into events, waiting up
 * to *timeout (forever when timeout is NULL) for the first min_nr. Returns the count, fewer
 * than min_nr after the timeout. -EFAULT for a bad timeout, or a bad events when there was an
 * event to copy (the events go back to the ring, none is lost; as Linux, events is not
 * touched when there is none); -EINVAL for an unknown id, min_nr < 0 or min_nr > nr, or the
 * context destroyed while we waited. nr is cut down to AIO_MAX_EVENTS, the largest ring.
 */
SYSCALL_DEFINE5(io_getevents, aio_context_t, ctx_id, long, min_nr, long, nr,
		struct io_event __user *, events, struct timespec64 __user *, timeout)
{
	struct io_event on_stack[AIO_STACK_EVENTS], *buf = on_stack;
	struct timespec64 ts;
	struct kioctx *ctx;
	long ms = AIO_WAIT_FOREVER, got;
	bool copied;

	if (timeout) {
		if (get_timespec64(&ts, timeout))
			return -EFAULT;
		ms = timeout_ms(&ts);
	}
	if (min_nr < 0 || nr < 0 || min_nr > nr || !current->mm)
		return -EINVAL;
	nr = MIN(nr, AIO_MAX_EVENTS);
	min_nr = MIN(min_nr, nr);
	ctx = lookup_ioctx(current->mm, ctx_id);
	if (!ctx)
		return -EINVAL;
	if (nr > AIO_STACK_EVENTS && !(buf = kmalloc((size_t)nr * sizeof(*buf)))) {
		put_ioctx(ctx);
		return -ENOMEM;
	}
	got = aio_read_events(ctx, min_nr, nr, buf, ms);
	if (got > 0) {
		copied = !copy_to_user(events, buf, (size_t)got * sizeof(*buf));
		aio_events_done(ctx, buf, got, copied);
		if (!copied)
			got = -EFAULT;
	}
	put_ioctx(ctx);
	if (buf != on_stack)
		kfree(buf);
	return got;
}

/*
 * io_cancel(2): our requests are handed to the workers at submission and cannot be taken
 * back, so a live context's request gives -EINVAL, as Linux's reads and writes do. -EFAULT for
 * a bad iocb, -EINVAL for an iocb whose aio_key is not 0 (not submitted) or an unknown id.
 * result is not written (Linux has not written it since 5.0).
 */
SYSCALL_DEFINE3(io_cancel, aio_context_t, ctx_id, struct user_iocb __user *, iocb,
		struct io_event __user *, result)
{
	struct kioctx *ctx;
	uint32_t key;

	(void)result;
	if (get_user_u32(&key, user_addr(iocb) + AIO_KEY_OFFSET))
		return -EFAULT;
	if (key != 0 || !current->mm)
		return -EINVAL;
	ctx = lookup_ioctx(current->mm, ctx_id);
	if (!ctx)
		return -EINVAL;
	put_ioctx(ctx);
	return -EINVAL;
}
