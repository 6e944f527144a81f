/*
 * io_submit and the worker threads that run the requests (fs/aio.h).
 *
 * io_submit checks each iocb, reserves its slot in the context's ring, and queues a copy of it
 * with a reference to the context on one queue shared by all contexts. Worker threads (one
 * per online CPU, unbound, started by the first io_submit and never stopped, like the rcuc
 * threads) take requests off the queue, call the object's read or write operation, post the
 * io_event into the ring, wake the context's io_getevents sleepers and drop the reference. Each
 * request is counted in ctx->reqs_active from its submission until its event is posted, and
 * io_destroy waits for that count to reach 0 (fs/aio.c): after io_destroy returns, no request
 * of the context touches its buffer any more.
 *
 * A request of the io_submit system call (fs/aio_syscalls.c) has its buffer in user memory,
 * which the worker, a kernel thread outside the process, cannot name. It goes through a kernel
 * bounce buffer: a write's data is copied in at submission, a read's is copied out by the
 * worker, which enters the submitter's mm for that copy (kthread_enter_mm, without a user:
 * while the request is in flight, the last mmput waits in exit_aio before unmapping anything).
 *
 * Locking: aio_queue_lock guards the queue and is taken alone; aio_workers_lock (a mutex)
 * serialises starting the workers.
 */
#include "fs/aio.h"
#include "fs/file.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/smp.h"
#include "mm/slab.h"
#include "lib/errno.h"

#define AIO_MAX_WORKERS 8

/* A request on its way: the iocb as submitted, and the context its event goes to. */
struct aio_kiocb {
	struct list_head node; /* on aio_queue */
	struct kioctx *ctx;    /* a reference, dropped after the event is posted */
	uint64_t obj;	       /* the event's obj: the submitter's address of the iocb */
	struct file *file;     /* a reference (fget at submit, fput after the event) */
	struct mm *user_mm;    /* a system call's: the mm of user_buf; NULL for a kernel caller */
	void __user *user_buf; /* ... where a read's data goes from the bounce buffer */
	bool fault;	       /* a write's user buffer could not be read: the event says -EFAULT */
	struct iocb iocb;      /* a system call's aio_buf is its bounce buffer (kmalloc'd) */
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
	/* pairs with smp_store_release(&nr_workers) in aio_workers_start(): the workers it
	   counts were started before. */
	return smp_load_acquire(&nr_workers);
}

void aio_submit_stats(uint64_t *submitted, uint64_t *completed)
{
	/* completed first: a request counted there was counted in submitted before. */
	*completed = (uint64_t)atomic64_read(&nr_completed);
	*submitted = (uint64_t)atomic64_read(&nr_submitted);
}

static int64_t aio_run(const struct aio_kiocb *req)
{
	const struct iocb *iocb = &req->iocb;
	uint64_t pos = (uint64_t)iocb->aio_offset;

	if (req->fault)
		return -EFAULT;
	switch (iocb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
		return kernel_read(req->file, iocb->aio_buf, iocb->aio_nbytes, &pos);
	case IOCB_CMD_PWRITE:
		return kernel_write(req->file, iocb->aio_buf, iocb->aio_nbytes, &pos);
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC: /* we write data and metadata alike */
		return req->file->f_op && req->file->f_op->fsync ? req->file->f_op->fsync(req->file)
								 : 0;
	default: /* NOOP: io_submit let nothing else through */
		return 0;
	}
}

/* A system call's read: its data goes from the bounce buffer to the user's, inside the
   submitter's mm. Returns res, or -EFAULT when the user's buffer is gone. */
static int64_t aio_copy_out(const struct aio_kiocb *req, int64_t res)
{
	int err;

	if (res <= 0)
		return res;
	kthread_enter_mm(req->user_mm);
	err = copy_to_user(req->user_buf, req->iocb.aio_buf, (size_t)res);
	kthread_leave_mm(req->user_mm);
	return err ? -EFAULT : res;
}

static void aio_complete(struct aio_kiocb *req)
{
	struct kioctx *ctx = req->ctx;
	struct io_event ev = {
		.data = req->iocb.aio_data,
		.obj = req->obj,
		.res = aio_run(req),
		.res2 = 0,
	};

	if (req->user_mm && req->iocb.aio_lio_opcode == IOCB_CMD_PREAD)
		ev.res = aio_copy_out(req, ev.res); /* before the event: the data is there first */
	aio_ring_post(&ctx->ring, &ev);
	if (req->file)
		fput(req->file);
	if (req->user_mm)
		kfree(req->iocb.aio_buf);
	atomic64_inc(&nr_completed);
	/* No longer in flight: the wake_up after the store wakes io_getevents sleepers and an
	   io_destroy waiting for reqs_active to reach 0 (wait_event's contract, wait.h). */
	atomic_dec(&ctx->reqs_active);
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

/* aio_workers_start: starts the workers once. Returns 0 when at least one runs, else
   -ENOMEM. May sleep. */
int aio_workers_start(void)
{
	unsigned int n, want;

	if (likely(aio_nr_workers()))
		return 0;
	mutex_lock(&aio_workers_lock);
	want = MIN(num_online_cpus(), AIO_MAX_WORKERS);
	for (n = nr_workers; n < want; n++)
		if (!kthread_run(aio_worker, NULL, "aio/%u", n))
			break;
	/* pairs with smp_load_acquire(&nr_workers) in aio_nr_workers(). */
	smp_store_release(&nr_workers, n);
	mutex_unlock(&aio_workers_lock);
	return n ? 0 : -ENOMEM;
}

/*
 * The file iocb's request runs on, referenced, in *filep (NULL for NOOP); or the error
 * io_submit returns: -EOPNOTSUPP for another opcode, -EBADF for a bad descriptor or one not
 * open for the read or write asked for (Linux checks f_mode at submission too), -EINVAL for a
 * read or write at a negative offset.
 */
static int iocb_get_file(const struct iocb *iocb, struct file **filep)
{
	unsigned int need;
	struct file *f;

	*filep = NULL;
	switch (iocb->aio_lio_opcode) {
	case IOCB_CMD_NOOP:
		return 0;
	case IOCB_CMD_PREAD:
		need = FMODE_READ;
		break;
	case IOCB_CMD_PWRITE:
		need = FMODE_WRITE;
		break;
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		need = 0;
		break;
	default:
		return -EOPNOTSUPP;
	}
	f = fget(iocb->aio_fildes);
	if (!f)
		return -EBADF;
	if ((f->f_mode & need) != need) {
		fput(f);
		return -EBADF;
	}
	/* Linux's rw_verify_area, at submission: a read or write at a negative offset. */
	if (need && iocb->aio_offset < 0) {
		fput(f);
		return -EINVAL;
	}
	*filep = f;
	return 0;
}

/*
 * A system call's bounce buffer for iocb: for a write, the user's data copied in. Returns 0
 * with iocb->aio_buf set to it (or NULL: no data to move), or -ENOMEM. *fault is set when the
 * user's buffer could not be read: as in Linux, the request is queued and its event says
 * -EFAULT.
 */
static int aio_bounce(struct iocb *iocb, const struct aio_user_io *user, bool *fault)
{
	void *buf;

	iocb->aio_buf = NULL;
	if (iocb->aio_lio_opcode != IOCB_CMD_PREAD && iocb->aio_lio_opcode != IOCB_CMD_PWRITE) {
		return 0;
	}
	buf = kmalloc(iocb->aio_nbytes ? iocb->aio_nbytes : 1);
	if (!buf)
		return -ENOMEM;
	*fault = iocb->aio_lio_opcode == IOCB_CMD_PWRITE &&
		 copy_from_user(buf, user->buf, iocb->aio_nbytes);
	iocb->aio_buf = buf;
	return 0;
}

/*
 * io_submit_one: queues one request on ctx (a reference held by the caller). user is NULL for
 * a kernel caller, whose iocb->aio_buf is a kernel address; for the system call it names the
 * user's buffer and iocb (fs/aio_syscalls.c). Returns 0, -EOPNOTSUPP, -EBADF, -EAGAIN (the ring
 * is full), -EINVAL (ctx destroyed meanwhile), -ENOMEM. The
 * workers must have been started (aio_workers_start).
 */
int io_submit_one(struct kioctx *ctx, struct iocb *iocb, const struct aio_user_io *user)
{
	struct aio_kiocb *req;
	struct file *f;
	bool fault = false;
	int err = iocb_get_file(iocb, &f);

	if (err)
		return err;
	if (user) {
		err = aio_bounce(iocb, user, &fault);
		if (err)
			goto put_file;
	}
	err = -EAGAIN; /* every slot is promised: reap events first */
	if (!aio_ring_reserve(&ctx->ring))
		goto put_file;
	err = -ENOMEM;
	req = kmalloc(sizeof(*req));
	if (!req) {
		aio_ring_unreserve(&ctx->ring);
		goto put_file;
	}
	/* In flight from here. The full barrier of this locked increment pairs with the smp_mb()
	   in io_destroy's finish_destroy() (fs/aio.c), after it set dead: either we see dead
	   and back out, or io_destroy sees this request and waits for its event. */
	atomic_inc(&ctx->reqs_active);
	if (unlikely(READ_ONCE(ctx->dead))) {
		atomic_dec(&ctx->reqs_active);
		wake_up(&ctx->wait);
		kfree(req);
		aio_ring_unreserve(&ctx->ring);
		err = -EINVAL; /* destroyed while we submitted: as if the lookup had failed */
		goto put_file;
	}
	req->iocb = *iocb;
	req->obj = user ? user->obj : (uint64_t)(uintptr_t)iocb;
	req->user_mm = user ? user->mm : NULL;
	req->user_buf = user ? user->buf : NULL;
	req->fault = fault;
	req->file = f;
	get_ioctx(ctx);
	req->ctx = ctx;
	atomic64_inc(&nr_submitted);
	spin_lock(&aio_queue_lock);
	list_add_tail(&req->node, &aio_queue);
	aio_queued++;
	spin_unlock(&aio_queue_lock);
	wake_up(&aio_queue_wait);
	return 0;

put_file:
	if (user)
		kfree(iocb->aio_buf); /* NULL, or the bounce buffer */
	if (f)
		fput(f);
	return err;
}

/*
 * io_submit: queues nr requests on context id of mm, each on the file at its aio_fildes in
 * the calling thread's table; the workers post one io_event each. Returns how many were
 * queued; if the first one fails, its error: -EINVAL (unknown id, nr < 0, or the context
 * destroyed meanwhile), -EOPNOTSUPP,
 * -EBADF, -EAGAIN (ring full), -ENOMEM. Takes a reference on the context and the file for
 * each request. May sleep (starting the workers).
 */
long io_submit(struct mm *mm, aio_context_t id, long nr, struct iocb **iocbpp)
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
		err = io_submit_one(ctx, iocbpp[i], NULL);
		if (!err)
			i++;
	}
	put_ioctx(ctx);
	return i ? i : err;
}
