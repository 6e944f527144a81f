/*
 * io_submit and the worker threads that run the requests (kernel/aio/aio.h).
 *
 * io_submit checks each iocb, reserves its slot in the context's ring, and queues a copy of it
 * with a reference to the context on one queue shared by all contexts. Worker threads (one
 * per online CPU, unbound, started by the first io_submit and never stopped, like the rcuc
 * threads) take requests off the queue, call the object's read or write operation, post the
 * io_event into the ring, wake the context's io_getevents sleepers and drop the reference. So
 * a destroyed context stays allocated until its last request has posted its event.
 *
 * Locking: aio_queue_lock guards the queue and is taken alone; aio_workers_lock (a mutex)
 * serialises starting the workers.
 */
#include "kernel/aio/aio.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/smp.h"
#include "mm/slab.h"
#include "lib/errno.h"

#define AIO_MAX_WORKERS 8

/* A request on its way: the iocb as submitted, and the context its event goes to. */
struct aio_kiocb {
	struct list_head node;	/* on aio_queue */
	struct kioctx *ctx;	/* a reference, dropped after the event is posted */
	struct iocb *user_iocb; /* the event's obj */
	struct iocb iocb;
};

static LIST_HEAD(aio_queue);
static unsigned int aio_queued; /* requests on aio_queue: the workers' wait condition */
static DEFINE_SPINLOCK(aio_queue_lock);
static DEFINE_WAIT_QUEUE_HEAD(aio_queue_wait);

static unsigned int nr_workers;
static DEFINE_MUTEX(aio_workers_lock);

static atomic64_t nr_submitted, nr_completed;

unsigned int aio_nr_workers(void)
{
	return smp_load_acquire(&nr_workers);
}

void aio_submit_stats(uint64_t *submitted, uint64_t *completed)
{
	/* completed first: a request counted there was counted in submitted before. */
	*completed = (uint64_t)atomic64_read(&nr_completed);
	*submitted = (uint64_t)atomic64_read(&nr_submitted);
}

static int64_t aio_run(const struct iocb *iocb)
{
	struct aio_file *f = iocb->aio_filp;

	switch (iocb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
		return f->f_op->read(f, iocb->aio_buf, iocb->aio_nbytes, iocb->aio_offset);
	case IOCB_CMD_PWRITE:
		return f->f_op->write(f, iocb->aio_buf, iocb->aio_nbytes, iocb->aio_offset);
	default: /* NOOP: io_submit let nothing else through */
		return 0;
	}
}

static void aio_complete(struct aio_kiocb *req)
{
	struct kioctx *ctx = req->ctx;
	struct io_event ev = {
		.data = req->iocb.aio_data,
		.obj = (uint64_t)(uintptr_t)req->user_iocb,
		.res = aio_run(&req->iocb),
		.res2 = 0,
	};

	aio_ring_post(&ctx->ring, &ev);
	if (req->iocb.aio_filp && req->iocb.aio_filp->f_op->put)
		req->iocb.aio_filp->f_op->put(req->iocb.aio_filp);
	atomic64_inc(&nr_completed);
	wake_up(&ctx->wait);
	put_ioctx(ctx);
	kfree(req);
}

static int aio_worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct aio_kiocb *req = NULL;

		wait_event(aio_queue_wait, READ_ONCE(aio_queued) > 0);
		spin_lock(&aio_queue_lock);
		if (!list_empty(&aio_queue)) {
			req = list_first_entry(&aio_queue, struct aio_kiocb, node);
			list_del(&req->node);
			aio_queued--;
		}
		spin_unlock(&aio_queue_lock);
		if (req)
			aio_complete(req); /* another worker may have taken it first */
	}
	return 0;
}

/* Starts the workers once. Returns 0 when at least one runs, else -ENOMEM. */
static int aio_workers_start(void)
{
	unsigned int n, want;

	if (likely(aio_nr_workers()))
		return 0;
	mutex_lock(&aio_workers_lock);
	want = MIN(num_online_cpus(), AIO_MAX_WORKERS);
	for (n = nr_workers; n < want; n++)
		if (!kthread_run(aio_worker, NULL, "aio/%u", n))
			break;
	smp_store_release(&nr_workers, n);
	mutex_unlock(&aio_workers_lock);
	return n ? 0 : -ENOMEM;
}

/* The error io_submit returns for iocb, or 0 when a worker can run it. */
static int iocb_check(const struct iocb *iocb)
{
	const struct aio_file *f = iocb->aio_filp;

	switch (iocb->aio_lio_opcode) {
	case IOCB_CMD_NOOP:
		return 0;
	case IOCB_CMD_PREAD:
		return f && f->f_op && f->f_op->read ? 0 : -EBADF;
	case IOCB_CMD_PWRITE:
		return f && f->f_op && f->f_op->write ? 0 : -EBADF;
	default:
		return -EOPNOTSUPP;
	}
}

static int io_submit_one(struct kioctx *ctx, struct iocb *iocb)
{
	struct aio_kiocb *req;
	int err = iocb_check(iocb);

	if (err)
		return err;
	if (!aio_ring_reserve(&ctx->ring))
		return -EAGAIN; /* every slot is promised: reap events first */
	req = kmalloc(sizeof(*req));
	if (!req) {
		aio_ring_unreserve(&ctx->ring);
		return -ENOMEM;
	}
	req->iocb = *iocb;
	req->user_iocb = iocb;
	if (iocb->aio_filp && iocb->aio_filp->f_op->get)
		iocb->aio_filp->f_op->get(iocb->aio_filp);
	get_ioctx(ctx);
	req->ctx = ctx;
	atomic64_inc(&nr_submitted);
	spin_lock(&aio_queue_lock);
	list_add_tail(&req->node, &aio_queue);
	aio_queued++;
	spin_unlock(&aio_queue_lock);
	wake_up(&aio_queue_wait);
	return 0;
}

long io_submit(struct mm_aio *mm, aio_context_t id, long nr, struct iocb **iocbpp)
{
	struct kioctx *ctx;
	long i;
	int err;

	if (nr < 0)
		return -EINVAL;
	ctx = lookup_ioctx(mm, id);
	if (!ctx)
		return -EINVAL;
	i = 0;
	err = aio_workers_start();
	while (!err && i < nr) {
		err = io_submit_one(ctx, iocbpp[i]);
		if (!err)
			i++;
	}
	put_ioctx(ctx);
	return i ? i : err;
}
