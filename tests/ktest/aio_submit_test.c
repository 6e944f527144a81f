/*
 * KTAP suite "aio_submit": requests through contexts (fs/aio_submit.c, fs/aio_ring.c). They
 * make the round trip through the workers and the ring on a real tmpfs file, with timeouts; a
 * queued request keeps its file after the descriptor is closed; each bad argument gets its
 * own error; io_destroy wakes a thread waiting in io_getevents.
 *
 * Each case gets a fresh mm from the suite's init hook; its exit hook tears it down.
 */
#include "kernel/ktest.h"
#include "tests/ktest/aio_fixture.h"
#include "fs/aio.h"
#include "mm/mm.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/sched/sleep.h"
#include "kernel/tick.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct iocb make_iocb(uint16_t op, int fd, void *buf, uint64_t n, int64_t off, uint64_t data)
{
	struct iocb cb = {
		.aio_data = data,
		.aio_lio_opcode = op,
		.aio_fildes = fd,
		.aio_buf = buf,
		.aio_nbytes = n,
		.aio_offset = off,
	};
	return cb;
}

static void test_submit_getevents_round_trip(struct ktest *t)
{
	struct mm *mm = t->priv;
	char wbuf[64], rbuf[64], tail[64];
	struct io_event ev[4];
	int f = sys_open("/tmp/aio-round-trip", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct iocb w, nop, r, past, beyond;
	struct iocb *batch[2];
	aio_context_t id;

	ASSERT_GE(t, f, 0);
	for (int i = 0; i < 64; i++)
		wbuf[i] = (char)(i * 7 + 1);
	memset(rbuf, 0, sizeof(rbuf));
	if (!EXPECT_EQ(t, io_setup(mm, 4, &id), 0))
		goto out;
	w = make_iocb(IOCB_CMD_PWRITE, f, wbuf, 64, 100, 1);
	nop = make_iocb(IOCB_CMD_NOOP, -1, NULL, 0, 0, 2);
	batch[0] = &w;
	batch[1] = &nop;
	EXPECT_EQ(t, io_submit(mm, id, 2, batch), 2);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 5000), 2);
	for (int i = 0; i < 2; i++) {
		if (ev[i].data == 1) {
			EXPECT_EQ(t, ev[i].res, 64);
			EXPECT_EQ(t, ev[i].obj, (uint64_t)(uintptr_t)&w);
		} else {
			EXPECT_EQ(t, ev[i].data, 2u);
			EXPECT_EQ(t, ev[i].res, 0);
			EXPECT_EQ(t, ev[i].obj, (uint64_t)(uintptr_t)&nop);
		}
	}
	/* Read it back, then across the end of the file (164 bytes), then past it. */
	r = make_iocb(IOCB_CMD_PREAD, f, rbuf, 64, 100, 3);
	past = make_iocb(IOCB_CMD_PREAD, f, tail, 64, 158, 4);
	beyond = make_iocb(IOCB_CMD_PREAD, f, tail, 64, 4096, 5);
	batch[0] = &r;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
	EXPECT_EQ(t, ev[0].data, 3u);
	EXPECT_EQ(t, ev[0].res, 64);
	EXPECT_EQ(t, memcmp(rbuf, wbuf, 64), 0);
	batch[0] = &past;
	batch[1] = &beyond;
	EXPECT_EQ(t, io_submit(mm, id, 2, batch), 2);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 2, ev, 5000), 2);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(t, ev[i].res, ev[i].data == 4 ? 6 : 0);
out:
	sys_close(f);
	sys_unlink("/tmp/aio-round-trip");
}

/*
 * On a file of a tmpfs mounted for the case: a PWRITE and a PREAD, with the descriptor
 * closed while the write is queued (the request keeps the file), a PWRITE on a read-only
 * open refused with EBADF by io_submit, and nothing left behind: no open file, no writer on
 * the mount, which then unmounts.
 */
static void test_submit_on_a_real_file(struct ktest *t)
{
	struct mm *mm = t->priv;
	static const char msg[] = "written by a worker";
	uint64_t files = nr_files();
	struct iocb w, r, bad, *batch[1];
	struct io_event ev[2];
	char buf[32] = {0};
	aio_context_t id;
	int fd;

	ASSERT_EQ(t, sys_mkdir("/tmp/aio_real", 0755), 0);
	ASSERT_EQ(t, sys_mount("aio", "/tmp/aio_real", "tmpfs", 0, NULL), 0);
	ASSERT_EQ(t, io_setup(mm, 2, &id), 0);
	fd = sys_open("/tmp/aio_real/f", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	w = (struct iocb){.aio_data = 1,
			  .aio_lio_opcode = IOCB_CMD_PWRITE,
			  .aio_fildes = fd,
			  .aio_buf = (void *)msg,
			  .aio_nbytes = sizeof(msg),
			  .aio_offset = 10};
	batch[0] = &w;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, sys_close(fd), 0); /* the queued write still holds the file */
	EXPECT_EQ(t, io_getevents(mm, id, 1, 2, ev, 5000), 1);
	EXPECT_EQ(t, ev[0].res, (int64_t)sizeof(msg));
	fd = sys_open("/tmp/aio_real/f", O_RDONLY, 0);
	ASSERT_GE(t, fd, 0);
	r = (struct iocb){.aio_data = 2,
			  .aio_lio_opcode = IOCB_CMD_PREAD,
			  .aio_fildes = fd,
			  .aio_buf = buf,
			  .aio_nbytes = sizeof(msg),
			  .aio_offset = 10};
	bad = (struct iocb){.aio_data = 3,
			    .aio_lio_opcode = IOCB_CMD_PWRITE,
			    .aio_fildes = fd,
			    .aio_buf = (void *)msg,
			    .aio_nbytes = 4};
	batch[0] = &r;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	batch[0] = &bad;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), -EBADF); /* not open for writing */
	EXPECT_EQ(t, io_getevents(mm, id, 1, 2, ev, 5000), 1);
	EXPECT_EQ(t, ev[0].res, (int64_t)sizeof(msg));
	EXPECT_EQ(t, memcmp(buf, msg, sizeof(msg)), 0);
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, io_destroy(mm, id), 0);
	EXPECT_EQ(t, nr_files(), files);
	EXPECT_EQ(t, sys_umount("/tmp/aio_real"), 0); /* EBUSY if a reference leaked */
	EXPECT_EQ(t, sys_rmdir("/tmp/aio_real"), 0);
}

static void test_getevents_timeouts(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct iocb nop = make_iocb(IOCB_CMD_NOOP, -1, NULL, 0, 0, 9);
	struct iocb *batch[1] = {&nop};
	struct io_event ev[4];
	aio_context_t id;
	uint64_t j0;

	ASSERT_EQ(t, io_setup(mm, 4, &id), 0);
	/* Nothing submitted: 0 events, at once with timeout 0, after the timeout otherwise. Time
	   is counted in ticks, what the sleep counts: TCG can bunch ticks up in TSC time. */
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 0), 0);
	EXPECT_LT(t, jiffies - j0, 50u);
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 30), 0);
	EXPECT_GE(t, jiffies - j0, (uint64_t)msecs_to_jiffies(30));
	/* One event, two wanted: the one, after the timeout. */
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 30), 1);
	EXPECT_GE(t, jiffies - j0, (uint64_t)msecs_to_jiffies(30));
	EXPECT_EQ(t, ev[0].data, 9u);
	/* Without a limit, it waits for the event. */
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 1, ev, AIO_WAIT_FOREVER), 1);
	/* min_nr 0: whatever is there, now. */
	EXPECT_EQ(t, io_getevents(mm, id, 0, 4, ev, AIO_WAIT_FOREVER), 0);
}

static void test_submit_errors(struct ktest *t)
{
	struct mm *mm = t->priv;
	int rdonly = sys_open("/tmp/aio-errors", O_RDONLY | O_CREAT, 0644);
	int wronly = sys_open("/tmp/aio-errors", O_WRONLY, 0);
	struct iocb nop = make_iocb(IOCB_CMD_NOOP, -1, NULL, 0, 0, 0);
	struct iocb fsync = make_iocb(IOCB_CMD_FSYNC, -1, NULL, 0, 0, 0); /* no file */
	struct iocb odd = make_iocb(0x4242, -1, NULL, 0, 0, 0);
	struct iocb nofile = make_iocb(IOCB_CMD_PREAD, 1000, NULL, 8, 0, 0);
	struct iocb noread = make_iocb(IOCB_CMD_PREAD, -1, NULL, 8, 0, 0);
	struct iocb nowrite = make_iocb(IOCB_CMD_PWRITE, -1, NULL, 8, 0, 0);
	struct iocb *bad_ops[] = {&odd}, *bad_files[] = {&nofile, &noread, &nowrite, &fsync};
	struct iocb *three[3] = {&nop, &nop, &nop}, *mixed[2] = {&nop, &odd};
	struct io_event ev[4];
	aio_context_t id, bad;

	ASSERT_GE(t, rdonly, 0);
	ASSERT_GE(t, wronly, 0);
	noread.aio_fildes = wronly;
	nowrite.aio_fildes = rdonly;
	ASSERT_EQ(t, io_setup(mm, 2, &id), 0);
	bad = id + 1000000;
	EXPECT_EQ(t, io_submit(mm, bad, 1, three), -EINVAL);
	EXPECT_EQ(t, io_getevents(mm, bad, 0, 1, ev, 0), -EINVAL);
	EXPECT_EQ(t, io_destroy(mm, bad), -EINVAL);
	EXPECT_EQ(t, io_submit(mm, id, -1, three), -EINVAL);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 1, ev, 0), -EINVAL); /* min_nr > nr */
	EXPECT_EQ(t, io_getevents(mm, id, -1, 1, ev, 0), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_ops); i++)
		EXPECT_EQ(t, io_submit(mm, id, 1, &bad_ops[i]), -EOPNOTSUPP);
	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++)
		EXPECT_EQ(t, io_submit(mm, id, 1, &bad_files[i]), -EBADF);

	/* The ring has 2 slots: 3 requests queue 2, and the next finds it full until a reap. */
	EXPECT_EQ(t, io_submit(mm, id, 3, three), 2);
	EXPECT_EQ(t, io_submit(mm, id, 1, three), -EAGAIN);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 5000), 2);
	EXPECT_EQ(t, io_submit(mm, id, 1, three), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
	/* A bad iocb after a good one: the good one counts. */
	EXPECT_EQ(t, io_submit(mm, id, 2, mixed), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
	sys_close(rdonly);
	sys_close(wronly);
	sys_unlink("/tmp/aio-errors");
}

struct waiter {
	struct mm *mm;
	aio_context_t id;
	volatile bool started;
	long ret;
};

static int getevents_forever(void *arg)
{
	struct waiter *w = arg;
	struct io_event ev;

	WRITE_ONCE(w->started, true);
	w->ret = io_getevents(w->mm, w->id, 1, 1, &ev, AIO_WAIT_FOREVER);
	return 0;
}

/* io_destroy wakes a thread waiting in io_getevents: it returns -EINVAL, it does not hang. */
static void test_destroy_wakes_getevents(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct waiter w = {.mm = mm, .ret = 1};
	struct thread *th;

	ASSERT_EQ(t, io_setup(mm, 2, &w.id), 0);
	th = kthread_run(getevents_forever, &w, "aio-wait");
	ASSERT_NOT_NULL(t, th);
	while (!READ_ONCE(w.started))
		msleep(1);
	msleep(20); /* most likely asleep in io_getevents by now; either way it must return */
	EXPECT_EQ(t, io_destroy(mm, w.id), 0);
	kthread_join(th);
	EXPECT_EQ(t, w.ret, -EINVAL);
}

KTEST_SUITE_HOOKS(aio_submit, aio_mm_init, aio_mm_exit,
		  KTEST_CASE(test_submit_getevents_round_trip),
		  KTEST_CASE(test_submit_on_a_real_file), KTEST_CASE(test_getevents_timeouts),
		  KTEST_CASE(test_submit_errors), KTEST_CASE(test_destroy_wakes_getevents));
