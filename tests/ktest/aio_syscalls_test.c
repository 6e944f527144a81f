/*
 * KTAP suite "aio_syscalls": the aio system calls (fs/aio_syscalls.c) through syscall_invoke,
 * from the test's thread inside a fresh mm: Linux's struct iocb and io_event in user memory,
 * the round trip through the workers on a tmpfs file, Linux's errors in Linux's order (checked
 * against the build host's Linux), -EFAULT for every pointer argument with nothing changed or
 * lost, and io_getevents looping on one CPU while another destroys and sets up contexts: the
 * lockless lookup_ioctx must never hand out or touch a freed context (the kioctx slab's poison
 * is checked afterwards, and a walk that reached a freed context panics in kioctx_check).
 * A poll for one event takes nothing from kmalloc (the lock every CPU would share); a poll of
 * an empty ring neither touches the events buffer nor takes the ring's lock, and events that
 * cannot be copied out go back to the ring in their order.
 */
#include "tests/ktest/sys_fixture.h"
#include "fs/aio.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/sched/sleep.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Where each thing lives in the fixture's read-write pages. */
#define CTXP	0x000 /* aio_context_t */
#define TIMEOUT 0x010 /* struct timespec64 */
#define PTRS	0x040 /* iocb pointers */
#define IOCBS	0x100 /* struct user_iocb[8] */
#define EVENTS	0x400 /* struct io_event[16] */
#define WBUF	0x1000
#define RBUF	0x2000

static struct sys_fixture *fx(struct ktest *t)
{
	return t->priv;
}

static uint64_t at(struct ktest *t, uint64_t off)
{
	return fx(t)->rw + off;
}

/* The i-th bad pointer: NULL, unmapped, kernel, and (output only) the read-only page. */
static uint64_t bad(struct ktest *t, int i)
{
	const uint64_t addrs[] = {0, BAD_UNMAPPED, BAD_KERNEL, fx(t)->ro};

	return addrs[i];
}
#define NBAD_OUT 4
#define NBAD_IN	 3

/* io_setup(nr) through the system call; the id, 0 on failure. */
static aio_context_t setup(struct ktest *t, unsigned int nr)
{
	aio_context_t id = 0;

	sys_put(t, at(t, CTXP), &id, sizeof(id));
	EXPECT_EQ(t, sc(__NR_io_setup, nr, at(t, CTXP)), 0);
	sys_get(t, &id, at(t, CTXP), sizeof(id));
	return id;
}

/* Writes iocb i and its pointer in slot i. */
static void put_iocb(struct ktest *t, unsigned int i, struct user_iocb cb)
{
	uint64_t addr = at(t, IOCBS) + i * sizeof(cb);

	sys_put(t, addr, &cb, sizeof(cb));
	sys_put(t, at(t, PTRS) + i * 8, &addr, 8);
}

static struct user_iocb rw_iocb(uint16_t op, int fd, uint64_t buf, uint64_t n, uint64_t data)
{
	return (struct user_iocb){.aio_data = data,
				  .aio_key = 0xdead,
				  .aio_lio_opcode = op,
				  .aio_fildes = (uint32_t)fd,
				  .aio_buf = buf,
				  .aio_nbytes = n};
}

/* io_getevents for exactly n events, waiting up to 1 s; the events are left at EVENTS. */
static long reap(struct ktest *t, aio_context_t id, long n, struct io_event *ev)
{
	struct timespec64 ts = {1, 0};
	long got;

	sys_put(t, at(t, TIMEOUT), &ts, sizeof(ts));
	got = sc(__NR_io_getevents, id, n, n, at(t, EVENTS), at(t, TIMEOUT));
	if (got > 0)
		sys_get(t, ev, at(t, EVENTS), (size_t)got * sizeof(*ev));
	return got;
}

static int open_tmp(const char *path, unsigned int flags)
{
	return sys_open(path, flags | O_CREAT, 0644);
}

static void test_setup_destroy(struct ktest *t)
{
	struct aio_stats s0 = aio_get_stats();
	aio_context_t id = setup(t, 8), other = 5;
	struct kioctx *ctx;

	ASSERT_NE(t, id, 0U);
	ctx = lookup_ioctx(fx(t)->mm, id); /* the id is the mechanism's */
	ASSERT_NOT_NULL(t, ctx);
	EXPECT_EQ(t, ctx->max_reqs, 8U);
	put_ioctx(ctx);
	sys_put(t, at(t, CTXP), &other, sizeof(other)); /* *ctxp must be 0 */
	EXPECT_EQ(t, sc(__NR_io_setup, 8, at(t, CTXP)), -EINVAL);
	other = 0;
	sys_put(t, at(t, CTXP), &other, sizeof(other));
	EXPECT_EQ(t, sc(__NR_io_setup, 0, at(t, CTXP)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_setup, AIO_MAX_EVENTS + 1, at(t, CTXP)), -EINVAL);
	for (int i = 0; i < NBAD_OUT; i++) /* the read-only page holds 0: read, not written */
		EXPECT_EQ(t, sc(__NR_io_setup, 8, bad(t, i)), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
	EXPECT_EQ(t, aio_get_stats().contexts, s0.contexts + 1); /* the failures left none */
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_destroy, 0), -EINVAL);
	EXPECT_EQ(t, aio_get_stats().contexts, s0.contexts);
}

static void test_round_trip(struct ktest *t)
{
	int fd = open_tmp("/tmp/aio-sys-rt", O_RDWR | O_TRUNC);
	aio_context_t id = setup(t, 8);
	struct user_iocb cb;
	struct io_event ev[3];
	char text[] = "hello, io_submit", back[sizeof(text)] = {0};
	uint32_t key;

	ASSERT_GE(t, fd, 0);
	ASSERT_NE(t, id, 0U);
	sys_put(t, at(t, WBUF), text, sizeof(text));
	put_iocb(t, 0, rw_iocb(IOCB_CMD_PWRITE, fd, at(t, WBUF), sizeof(text), 11));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), 1);
	ASSERT_EQ(t, reap(t, id, 1, ev), 1);
	EXPECT_EQ(t, ev[0].res, (int64_t)sizeof(text));
	sys_get(t, &key, at(t, IOCBS) + 8, 4);
	EXPECT_EQ(t, key, 0U); /* aio_key: written at submission, as Linux */

	put_iocb(t, 0, rw_iocb(IOCB_CMD_FSYNC, fd, 0, 0, 12));
	put_iocb(t, 1, rw_iocb(IOCB_CMD_FDSYNC, fd, 0, 0, 13));
	put_iocb(t, 2, rw_iocb(IOCB_CMD_PREAD, fd, at(t, RBUF), 64, 14));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 3, at(t, PTRS)), 3);
	ASSERT_EQ(t, reap(t, id, 3, ev), 3);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(t, ev[i].obj, at(t, IOCBS) + (ev[i].data - 12) * sizeof(cb));
		EXPECT_EQ(t, ev[i].res, ev[i].data == 14 ? (int64_t)sizeof(text) : 0);
	}
	sys_get(t, back, at(t, RBUF), sizeof(back));
	EXPECT_STREQ(t, back, text);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 0, at(t, PTRS)), 0);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
	sys_close(fd);
}

static void test_submit_errors(struct ktest *t)
{
	int fd = open_tmp("/tmp/aio-sys-err", O_RDWR | O_TRUNC);
	int wfd = open_tmp("/tmp/aio-sys-err", O_WRONLY);
	aio_context_t id = setup(t, 2);
	struct user_iocb ok = rw_iocb(IOCB_CMD_PWRITE, fd, at(t, WBUF), 4, 1), cb;
	struct io_event ev[2];
	uint64_t p;

	ASSERT_GE(t, fd, 0);
	ASSERT_GE(t, wfd, 0);
	ASSERT_NE(t, id, 0U);
	put_iocb(t, 0, ok);
	EXPECT_EQ(t, sc(__NR_io_submit, id, -1, at(t, PTRS)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_submit, id + 1000, 1, at(t, PTRS)), -EINVAL);
	for (int i = 0; i < NBAD_IN; i++) {
		EXPECT_EQ(t, sc(__NR_io_submit, id, 1, bad(t, i)), -EFAULT); /* iocbpp */
		p = bad(t, i);
		sys_put(t, at(t, PTRS), &p, 8); /* an iocb pointer */
		EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EFAULT);
	}
	p = fx(t)->ro; /* a read-only iocb: aio_key cannot be written */
	sys_put(t, at(t, PTRS), &p, 8);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EFAULT);

	put_iocb(t, 0, rw_iocb(IOCB_CMD_PREAD, 999, at(t, RBUF), 4, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EBADF);
	put_iocb(t, 0, rw_iocb(IOCB_CMD_PREAD, wfd, at(t, RBUF), 4, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EBADF);
	put_iocb(t, 0, rw_iocb(IOCB_CMD_NOOP, fd, 0, 0, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EINVAL);
	put_iocb(t, 0, rw_iocb(99, fd, 0, 0, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EINVAL);
	cb = ok;
	cb.aio_reserved2 = 1;
	put_iocb(t, 0, cb);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EINVAL);
	cb = ok;
	cb.aio_flags = 1; /* IOCB_FLAG_RESFD: no eventfd here */
	put_iocb(t, 0, cb);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EINVAL);
	put_iocb(t, 0, rw_iocb(IOCB_CMD_FSYNC, fd, 0, 1, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EINVAL);
	put_iocb(t, 0, rw_iocb(IOCB_CMD_PWRITE, fd, BAD_KERNEL, 4, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EFAULT);

	/* An unmapped buffer is queued, and its event says -EFAULT (Linux's behaviour too); the
	   write wrote nothing. */
	EXPECT_EQ(t, sys_pwrite(fd, "data", 4, 0), 4);
	put_iocb(t, 0, rw_iocb(IOCB_CMD_PWRITE, fd, BAD_UNMAPPED, 4, 21));
	put_iocb(t, 1, rw_iocb(IOCB_CMD_PREAD, fd, BAD_UNMAPPED, 4, 22));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 2, at(t, PTRS)), 2);
	ASSERT_EQ(t, reap(t, id, 2, ev), 2);
	EXPECT_EQ(t, ev[0].data + ev[1].data, 43U);
	EXPECT_EQ(t, ev[0].res, -EFAULT);
	EXPECT_EQ(t, ev[1].res, -EFAULT);
	EXPECT_EQ(t, sys_pread(fd, ev, 8, 0), 4); /* still "data" alone */
	EXPECT_EQ(t, memcmp(ev, "data", 4), 0);

	/* The first queued, the second refused: the count, not the error. */
	put_iocb(t, 0, ok);
	put_iocb(t, 1, rw_iocb(99, fd, 0, 0, 1));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 2, at(t, PTRS)), 1);
	put_iocb(t, 1, ok);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS) + 8), 1);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), -EAGAIN); /* 2 slots, 2 promised */
	EXPECT_EQ(t, reap(t, id, 2, ev), 2);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
	sys_close(wfd);
	sys_close(fd);
}

static void test_getevents_errors(struct ktest *t)
{
	int fd = open_tmp("/tmp/aio-sys-ev", O_RDWR | O_TRUNC);
	aio_context_t id = setup(t, 4);
	struct timespec64 zero = {0, 0}, ms30 = {0, 30000000};
	struct user_iocb cb = rw_iocb(IOCB_CMD_PWRITE, fd, at(t, WBUF), 8, 31);
	struct io_event ev[1];
	uint64_t t0;

	ASSERT_GE(t, fd, 0);
	ASSERT_NE(t, id, 0U);
	sys_put(t, at(t, TIMEOUT), &zero, sizeof(zero));
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 2, 1, at(t, EVENTS), at(t, TIMEOUT)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_getevents, id, -1, 1, at(t, EVENTS), at(t, TIMEOUT)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_getevents, id + 1000, 0, 1, at(t, EVENTS), at(t, TIMEOUT)),
		  -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 1, at(t, EVENTS), at(t, TIMEOUT)), 0);
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 0, 0, at(t, TIMEOUT)), 0);
	sys_put(t, at(t, TIMEOUT), &ms30, sizeof(ms30));
	t0 = ktime_ns();
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 1, 1, at(t, EVENTS), at(t, TIMEOUT)), 0);
	EXPECT_GE(t, ktime_ns() - t0, 30000000ULL);
	for (int i = 1; i < NBAD_IN; i++)
		EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 1, at(t, EVENTS), bad(t, i)), -EFAULT);

	/* An event waits; a bad events pointer is refused and the event is not lost. */
	put_iocb(t, 0, cb);
	EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), 1);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_io_getevents, id, 1, 1, bad(t, i), 0), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 1, 1, at(t, EVENTS), 0), 1); /* no timeout */
	sys_get(t, ev, at(t, EVENTS), sizeof(ev));
	EXPECT_EQ(t, ev[0].data, 31U);
	EXPECT_EQ(t, ev[0].res, 8);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
	sys_close(fd);
}

/* A poll of an empty ring (ioctxbench --getevents) neither writes the events buffer (Linux
   copies only events it has) nor takes the ring's lock, whose ticket count would move; a bad
   events pointer is then no error, as in Linux. */
static void test_getevents_empty_untouched(struct ktest *t)
{
	struct timespec64 zero = {0, 0};
	uint8_t fill[8 * sizeof(struct io_event)];
	aio_context_t id = setup(t, 4);
	struct kioctx *ctx;
	uint16_t tickets;

	ASSERT_NE(t, id, 0U);
	ctx = lookup_ioctx(fx(t)->mm, id);
	ASSERT_NOT_NULL(t, ctx);
	memset(fill, 0xa5, sizeof(fill));
	sys_put(t, at(t, EVENTS), fill, sizeof(fill));
	sys_put(t, at(t, TIMEOUT), &zero, sizeof(zero));
	tickets = READ_ONCE(ctx->ring.lock.next);
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 8, at(t, EVENTS), at(t, TIMEOUT)), 0);
	EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 8, at(t, EVENTS), 0), 0); /* min_nr 0: no wait */
	EXPECT_TRUE(t, sys_all(at(t, EVENTS), sizeof(fill), 0xa5));
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_io_getevents, id, 0, 1, bad(t, i), at(t, TIMEOUT)), 0);
	EXPECT_EQ(t, READ_ONCE(ctx->ring.lock.next), tickets);
	put_ioctx(ctx);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
}

/* Events that cannot be copied to a bad events go back to the ring, in their order. */
static void test_getevents_efault_keeps_order(struct ktest *t)
{
	int fd = open_tmp("/tmp/aio-sys-order", O_RDWR | O_TRUNC);
	aio_context_t id = setup(t, 4);
	struct io_event ev[4];
	struct kioctx *ctx;

	ASSERT_GE(t, fd, 0);
	ASSERT_NE(t, id, 0U);
	ctx = lookup_ioctx(fx(t)->mm, id);
	ASSERT_NOT_NULL(t, ctx);
	for (unsigned int i = 0; i < 3; i++) {
		put_iocb(t, 0, rw_iocb(IOCB_CMD_PWRITE, fd, at(t, WBUF), 8, 40 + i));
		EXPECT_EQ(t, sc(__NR_io_submit, id, 1, at(t, PTRS)), 1);
		for (int ms = 0; ms < 1000 && aio_ring_count(&ctx->ring) <= i; ms++)
			msleep(1);
	}
	EXPECT_EQ(t, aio_ring_count(&ctx->ring), 3U);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_io_getevents, id, 2, 2, bad(t, i), 0), -EFAULT);
	EXPECT_EQ(t, aio_ring_count(&ctx->ring), 3U);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
	EXPECT_EQ(t, reap(t, id, 3, ev), 3);
	for (unsigned int i = 0; i < 3; i++)
		EXPECT_EQ(t, ev[i].data, 40U + i);
	/* The slots of the events given back were freed once, when they were reaped. */
	for (unsigned int i = 0; i < 4; i++)
		put_iocb(t, i, rw_iocb(IOCB_CMD_PWRITE, fd, at(t, WBUF), 8, i));
	EXPECT_EQ(t, sc(__NR_io_submit, id, 4, at(t, PTRS)), 4);
	EXPECT_EQ(t, reap(t, id, 4, ev), 4);
	put_ioctx(ctx);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
	sys_close(fd);
}

static void test_cancel(struct ktest *t)
{
	aio_context_t id = setup(t, 4);
	struct user_iocb cb = rw_iocb(IOCB_CMD_PREAD, 0, 0, 0, 0);

	ASSERT_NE(t, id, 0U);
	cb.aio_key = 0;
	put_iocb(t, 0, cb);
	for (int i = 0; i < NBAD_IN; i++)
		EXPECT_EQ(t, sc(__NR_io_cancel, id, bad(t, i), at(t, EVENTS)), -EFAULT);
	EXPECT_EQ(t, sc(__NR_io_cancel, id, at(t, IOCBS), at(t, EVENTS)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_cancel, id, at(t, IOCBS), 0), -EINVAL); /* result: unused */
	EXPECT_EQ(t, sc(__NR_io_cancel, id + 1000, at(t, IOCBS), at(t, EVENTS)), -EINVAL);
	cb.aio_key = 7; /* not a submitted iocb */
	put_iocb(t, 0, cb);
	EXPECT_EQ(t, sc(__NR_io_cancel, id, at(t, IOCBS), at(t, EVENTS)), -EINVAL);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
}

/* The race: one thread loops on io_getevents, another destroys and sets up contexts. */
struct race {
	struct mm *mm;
	uint64_t page;	  /* the reaper's timeout and events, in mm */
	aio_context_t id; /* the newest context; 0 before the first */
	volatile bool stop;
	uint64_t found, missed, wrong; /* the reaper's results: 0, -EINVAL, anything else */
	uint64_t calls;		       /* the reaper's io_getevents so far */
	uint64_t rounds;
};

static int reaper(void *arg)
{
	struct race *r = arg;
	struct timespec64 zero = {0, 0};

	kthread_use_mm(r->mm);
	copy_to_user((void __user *)r->page, &zero, sizeof(zero));
	while (!READ_ONCE(r->stop)) {
		long got = sc(__NR_io_getevents, READ_ONCE(r->id), 0, 1, r->page + 64, r->page);

		if (got == 0)
			r->found++;
		else if (got == -EINVAL)
			r->missed++;
		else
			r->wrong++;
		WRITE_ONCE(r->calls, r->calls + 1);
	}
	kthread_unuse_mm(r->mm);
	return 0;
}

/* Until the reaper has made two more calls (one of them with the new id), or 10 ms passed.
   Yields: at -smp 1 the reaper runs on this CPU. */
static void wait_for_reaper(struct race *r)
{
	uint64_t calls = READ_ONCE(r->calls), end = ktime_ns() + 10000000ULL;

	while (READ_ONCE(r->calls) < calls + 2 && ktime_ns() < end)
		yield();
}

static int churner(void *arg)
{
	struct race *r = arg;
	uint64_t end = ktime_ns() + 400000000ULL; /* 0.4 s */

	kthread_use_mm(r->mm);
	while (ktime_ns() < end) {
		aio_context_t id = 0;

		copy_to_user((void __user *)(r->page + 512), &id, sizeof(id));
		if (sc(__NR_io_setup, 4, r->page + 512) == 0 &&
		    !copy_from_user(&id, (const void __user *)(r->page + 512), sizeof(id)))
			WRITE_ONCE(r->id, id);
		if (id && r->rounds % 8 == 0)
			wait_for_reaper(r); /* one context in 8 lives long enough to be found */
		if (id && sc(__NR_io_destroy, id) != 0)
			r->wrong++;
		r->rounds++;
	}
	kthread_unuse_mm(r->mm);
	return 0;
}

static void test_getevents_vs_destroy(struct ktest *t)
{
	struct race r = {.mm = fx(t)->mm, .page = fx(t)->rw + 3 * PAGE_SIZE};
	unsigned int last = nr_cpu_ids - 1;
	uint64_t reached = kioctx_quarantine_get_stats().reached;
	struct thread *rd, *ch;

	/* Attached as the mechanism itself; the broken IOCTX_FREE_AT_ONCE here instead puts
	   each freed context in the quarantine, where a lookup that reaches it is counted. */
	ioctx_variants_attach(r.mm, IOCTX_RCU);
	delay_point_set("lookup-ioctx-found", 2, 4); /* widen the window: 2 us every 4th pass */
	rd = kthread_create(reaper, &r, "ktest-reap");
	ch = kthread_create(churner, &r, "ktest-churn");
	if (!rd || !ch) {
		ktest_log(t, "no memory for the threads");
		ioctx_variants_detach(r.mm);
		ASSERT_TRUE(t, false);
	}
	kthread_bind(rd, 0);
	kthread_bind(ch, last);
	wake_up_new_thread(rd);
	wake_up_new_thread(ch);
	kthread_join(ch);
	WRITE_ONCE(r.stop, true);
	kthread_stop(rd);
	delay_points_off();
	ioctx_variants_detach(r.mm); /* the churner destroyed every context it made */
	EXPECT_EQ(t, kioctx_quarantine_get_stats().reached, reached);
	kioctx_quarantine_release();
	ktest_log(t, "%llu rounds; io_getevents found the context %llu times, missed %llu",
		  (unsigned long long)r.rounds, (unsigned long long)r.found,
		  (unsigned long long)r.missed);
	EXPECT_EQ(t, r.wrong, 0U);
	EXPECT_GT(t, r.rounds, 10U);
	EXPECT_GT(t, r.found, 0U);
	EXPECT_GT(t, r.missed, 0U);
	EXPECT_TRUE(t, aio_wait_for_frees(2000));
	EXPECT_EQ(t, kioctx_poison_damage(), 0U);
}

/* The objects the kmalloc cache NAME has handed out since boot. */
static uint64_t kmalloc_allocs(const char *name)
{
	struct kmem_cache *c;
	unsigned long flags;
	uint64_t n = 0;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		if (!strcmp(c->name, name))
			n = READ_ONCE(c->allocs);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return n;
}

/* A poll for one event (the loop ioctxbench --getevents runs on every CPU) allocates nothing:
   a kmalloc per call would take the one lock of kmalloc-32 that all CPUs share. The other
   CPU may allocate meanwhile, so a few allocations are let pass; one per call is not. */
static void test_getevents_no_kmalloc(struct ktest *t)
{
	struct timespec64 zero = {0, 0};
	aio_context_t id = setup(t, 4);
	const int calls = 200;
	uint64_t before;
	long bad = 0;

	ASSERT_NE(t, id, 0U);
	sys_put(t, at(t, TIMEOUT), &zero, sizeof(zero));
	before = kmalloc_allocs("kmalloc-32");
	for (int i = 0; i < calls; i++)
		bad += sc(__NR_io_getevents, id, 0, 1, at(t, EVENTS), at(t, TIMEOUT)) != 0;
	EXPECT_EQ(t, bad, 0);
	EXPECT_LT(t, kmalloc_allocs("kmalloc-32") - before, (uint64_t)calls / 10);
	EXPECT_EQ(t, sc(__NR_io_destroy, id), 0);
}

KTEST_SUITE_HOOKS(aio_syscalls, sys_fixture_init, sys_fixture_exit, KTEST_CASE(test_setup_destroy),
		  KTEST_CASE(test_round_trip), KTEST_CASE(test_submit_errors),
		  KTEST_CASE(test_getevents_errors), KTEST_CASE(test_getevents_no_kmalloc),
		  KTEST_CASE(test_getevents_empty_untouched),
		  KTEST_CASE(test_getevents_efault_keeps_order), KTEST_CASE(test_cancel),
		  KTEST_CASE(test_getevents_vs_destroy));
