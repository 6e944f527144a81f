/*
 * KTAP suite "aio_destroy": io_destroy and exit_aio wait for the requests in flight before
 * they return (fs/aio.c, finish_destroy), as Linux's wait_for_all_aios did in 2.6.28 and
 * 2.6.29: once they return, no request of the context touches its buffer any more.
 *
 * A request is held in flight by a gate: a tmpfs file whose read operation the case swaps for
 * gated_read, which waits until the case opens the gate. The case holds one request per CPU,
 * destroys each context from a thread bound to its own CPU, waits until every destroyer has
 * either returned or gone to sleep on its context's wait queue (a state, not a time), checks
 * that none has returned, opens the gate, and checks that each destroyer found its buffer
 * filled when io_destroy returned. exit_aio is checked the same way on an mm with a held
 * request on each of several contexts.
 */
#include "kernel/ktest.h"
#include "tests/ktest/aio_fixture.h"
#include "fs/aio.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "kernel/kthread.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"

#define GATE_FILE  "/tmp/aio-gate"
#define GATE_LEN   64
#define MAX_HELD   8	/* requests held at once: at most one per aio worker */
#define STATE_WAIT 5000 /* ms a thread may take to reach the state the case waits for */

/* The gate: reads of the gated file wait here until open. */
static struct gate {
	atomic_t entered; /* reads that reached the gate */
	volatile bool open;
	struct wait_queue_head wq;
	struct file *file;
	const struct file_operations *orig;
	char pattern[GATE_LEN];
} gate;
static struct file_operations gated_fops;

static ssize_t gated_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	atomic_inc(&gate.entered);
	wake_up(&gate.wq);
	wait_event(gate.wq, READ_ONCE(gate.open));
	return gate.orig->read(f, buf, n, pos);
}

/* Opens GATE_FILE with a pattern in it and swaps its read for gated_read. Returns its
   descriptor in the calling thread, or an errno. */
static int gate_init(void)
{
	int fd = sys_open(GATE_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fd;
	for (int i = 0; i < GATE_LEN; i++)
		gate.pattern[i] = (char)(i * 13 + 5);
	if (sys_pwrite(fd, gate.pattern, GATE_LEN, 0) != GATE_LEN) {
		sys_close(fd);
		return -EIO;
	}
	atomic_set(&gate.entered, 0);
	WRITE_ONCE(gate.open, false);
	init_waitqueue_head(&gate.wq, "aio-gate");
	gate.file = fget(fd);
	gate.orig = gate.file->f_op;
	gated_fops = *gate.orig;
	gated_fops.read = gated_read;
	gate.file->f_op = &gated_fops;
	return fd;
}

static void gate_open(void)
{
	WRITE_ONCE(gate.open, true);
	wake_up(&gate.wq);
}

/* After every gated read has returned: the file reads normally again. */
static void gate_exit(int fd)
{
	gate.file->f_op = gate.orig;
	fput(gate.file);
	sys_close(fd);
	sys_unlink(GATE_FILE);
}

/* Waits (sleeping) until cond(arg) or STATE_WAIT ms passed; returns cond(arg). */
static bool wait_state(bool (*cond)(void *arg), void *arg)
{
	for (unsigned int ms = 0; !cond(arg) && ms < STATE_WAIT; ms++)
		msleep(1);
	return cond(arg);
}

static bool all_entered(void *arg)
{
	return atomic_read(&gate.entered) >= (int)(uintptr_t)arg;
}

/* Requests held at once: one per CPU, as many as there are aio workers (one per CPU, at most
   MAX_HELD), so that each runs into the gate. */
static unsigned int nr_held(void)
{
	return MIN(num_online_cpus(), MAX_HELD);
}

/* One gated PREAD of GATE_LEN bytes into buf through context id of mm. */
static long submit_gated(struct mm *mm, aio_context_t id, int fd, char *buf)
{
	struct iocb cb = {.aio_lio_opcode = IOCB_CMD_PREAD,
			  .aio_fildes = fd,
			  .aio_buf = buf,
			  .aio_nbytes = GATE_LEN};
	struct iocb *cbs[1] = {&cb};

	return io_submit(mm, id, 1, cbs);
}

/* A destroyer: sets up a context, holds a request in it, and destroys it when told. */
struct destroyer {
	struct mm *mm;
	struct kioctx *ctx; /* kept allocated by the held request's reference */
	aio_context_t id;
	char buf[GATE_LEN];
	volatile bool go, returned, filled;
	int err;
};

static int destroyer_thread(void *arg)
{
	struct destroyer *d = arg;
	int fd = fd_install_new(get_file(gate.file));

	if (fd < 0)
		fput(gate.file); /* the table did not take the reference */
	d->err = fd < 0 ? fd : io_setup(d->mm, 2, &d->id);
	if (!d->err && (d->ctx = lookup_ioctx(d->mm, d->id)))
		put_ioctx(d->ctx);
	if (!d->err && submit_gated(d->mm, d->id, fd, d->buf) != 1)
		d->err = -EIO;
	while (!d->err && !READ_ONCE(d->go))
		msleep(1);
	if (!d->err)
		d->err = io_destroy(d->mm, d->id);
	/* The request posted its event before io_destroy returned: the read filled buf. */
	d->filled = memcmp(d->buf, gate.pattern, GATE_LEN) == 0;
	smp_store_release(&d->returned, true);
	if (fd >= 0)
		sys_close(fd);
	return 0;
}

struct destroyers {
	struct destroyer d[MAX_HELD];
	unsigned int n;
};

/* Each destroyer has returned, or sleeps in io_destroy on its context's wait queue. */
static bool destroyers_settled(void *arg)
{
	struct destroyers *all = arg;

	for (unsigned int i = 0; i < all->n; i++) {
		struct destroyer *d = &all->d[i];

		if (!smp_load_acquire(&d->returned) &&
		    !(d->ctx && READ_ONCE(d->ctx->dead) && waitqueue_active(&d->ctx->wait)))
			return false;
	}
	return true;
}

/* io_destroy on every CPU, each with a request held in flight, returns only after it ends. */
static void test_io_destroy_waits_for_requests(struct ktest *t)
{
	static struct destroyers all;
	struct thread *th[MAX_HELD];
	struct aio_stats start = aio_get_stats();
	unsigned int cpu = 0, i;
	int fd;

	memset(&all, 0, sizeof(all));
	fd = gate_init();
	ASSERT_GE(t, fd, 0);
	all.n = nr_held();
	for (i = 0; i < all.n; i++) {
		while (!cpu_online(cpu))
			cpu++;
		all.d[i].mm = t->priv;
		th[i] = kthread_create(destroyer_thread, &all.d[i], "aio-destroy/%u", cpu);
		if (!th[i])
			break;
		kthread_bind(th[i], cpu++);
		wake_up_new_thread(th[i]);
	}
	all.n = i;
	EXPECT_GT(t, all.n, 0u);
	/* Every request is inside the gate: in flight, its event not posted. */
	EXPECT_TRUE(t, wait_state(all_entered, (void *)(uintptr_t)all.n));
	for (i = 0; i < all.n; i++)
		WRITE_ONCE(all.d[i].go, true);
	EXPECT_TRUE(t, wait_state(destroyers_settled, &all));
	for (i = 0; i < all.n; i++)
		EXPECT_FALSE(t, smp_load_acquire(&all.d[i].returned));
	gate_open();
	for (i = 0; i < all.n; i++) {
		kthread_join(th[i]);
		EXPECT_EQ(t, all.d[i].err, 0);
		EXPECT_TRUE(t, all.d[i].filled);
	}
	gate_exit(fd);
	EXPECT_GE(t, aio_get_stats().destroy_waits - start.destroy_waits, (uint64_t)all.n);
	EXPECT_TRUE(t, aio_wait_for_frees(2000));
}

struct exiter {
	struct mm *mm;
	struct kioctx *ctx[MAX_HELD];
	char (*bufs)[GATE_LEN];
	unsigned int n;
	volatile bool returned, filled;
};

static int exiter_thread(void *arg)
{
	struct exiter *e = arg;

	exit_aio(e->mm);
	/* Every request posted its event before exit_aio returned: the reads filled the bufs. */
	e->filled = true;
	for (unsigned int i = 0; i < e->n; i++)
		e->filled &= memcmp(e->bufs[i], gate.pattern, GATE_LEN) == 0;
	smp_store_release(&e->returned, true);
	return 0;
}

/* exit_aio has returned, or sleeps on the wait queue of one of the contexts. */
static bool exiter_settled(void *arg)
{
	struct exiter *e = arg;

	if (smp_load_acquire(&e->returned))
		return true;
	for (unsigned int i = 0; i < e->n; i++)
		if (READ_ONCE(e->ctx[i]->dead) && waitqueue_active(&e->ctx[i]->wait))
			return true;
	return false;
}

/* exit_aio, on the last CPU, with a request held in each of several contexts. */
static void test_exit_aio_waits_for_requests(struct ktest *t)
{
	static struct exiter e;
	static char bufs[MAX_HELD][GATE_LEN];
	struct aio_stats start;
	struct thread *th;
	unsigned int cpu, last = 0;
	aio_context_t id;
	int fd;

	memset(&e, 0, sizeof(e));
	memset(bufs, 0, sizeof(bufs));
	e.bufs = bufs;
	e.mm = mm_alloc("ktest-aio-exit");
	ASSERT_NOT_NULL(t, e.mm);
	fd = gate_init();
	if (!EXPECT_GE(t, fd, 0)) {
		mmput(e.mm);
		return;
	}
	start = aio_get_stats();
	for (e.n = 0; e.n < nr_held(); e.n++) {
		if (!EXPECT_EQ(t, io_setup(e.mm, 2, &id), 0))
			break;
		e.ctx[e.n] = lookup_ioctx(e.mm, id);
		put_ioctx(e.ctx[e.n]);
		if (!EXPECT_EQ(t, submit_gated(e.mm, id, fd, bufs[e.n]), 1))
			break;
	}
	EXPECT_TRUE(t, wait_state(all_entered, (void *)(uintptr_t)e.n));
	th = kthread_create(exiter_thread, &e, "aio-exit");
	if (EXPECT_NOT_NULL(t, th)) {
		for_each_cpu(cpu, &cpu_online_mask)
			last = cpu;
		kthread_bind(th, last);
		wake_up_new_thread(th);
		EXPECT_TRUE(t, wait_state(exiter_settled, &e));
		EXPECT_FALSE(t, smp_load_acquire(&e.returned));
	}
	gate_open(); /* always: a worker held at the gate would stay there for good */
	if (th) {
		kthread_join(th);
		EXPECT_TRUE(t, e.filled);
	} else {
		exit_aio(e.mm);
	}
	EXPECT_EQ(t, aio_get_stats().destroyed - start.destroyed, (uint64_t)e.n);
	gate_exit(fd);
	mmput(e.mm);
	EXPECT_TRUE(t, aio_wait_for_frees(2000));
}

KTEST_SUITE_HOOKS(aio_destroy, aio_mm_init, aio_mm_exit,
		  KTEST_CASE(test_io_destroy_waits_for_requests),
		  KTEST_CASE(test_exit_aio_waits_for_requests));
