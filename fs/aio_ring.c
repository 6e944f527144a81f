/*
 * The completion ring (fs/aio_ring.h) and io_getevents, which reaps it: aio_read_events takes
 * events out, and aio_events_done frees their slots once the reader has them, or puts them
 * back when it could not have them (a bad user buffer), so an event is never lost.
 *
 * Locking: ring->lock guards head, count, reserved and the events; io_getevents takes it
 * through the aio_ring_* calls only, and sleeps on ctx->wait holding no lock.
 */
#include "kernel/process.h"
#include "fs/aio.h"
#include "kernel/panic.h"
#include "kernel/sched/sleep.h"
#include "mm/slab.h"
#include "lib/errno.h"

int aio_ring_init(struct aio_ring *ring, unsigned int nr)
{
	ring->events = kmalloc(nr * sizeof(struct io_event));
	if (!ring->events)
		return -ENOMEM;
	spin_lock_init(&ring->lock, "aio_ring");
	ring->nr = nr;
	ring->head = 0;
	ring->count = 0;
	ring->reserved = 0;
	return 0;
}

void aio_ring_free(struct aio_ring *ring)
{
	kfree(ring->events);
	ring->events = NULL;
}

bool aio_ring_reserve(struct aio_ring *ring)
{
	bool ok;

	spin_lock(&ring->lock);
	ok = ring->reserved < ring->nr;
	if (ok)
		ring->reserved++;
	spin_unlock(&ring->lock);
	return ok;
}

void aio_ring_unreserve(struct aio_ring *ring)
{
	spin_lock(&ring->lock);
	ring->reserved--;
	spin_unlock(&ring->lock);
}

void aio_ring_post(struct aio_ring *ring, const struct io_event *ev)
{
	spin_lock(&ring->lock);
	/* The request reserved its slot, so count < reserved <= nr. */
	if (ring->count >= ring->reserved)
		panic("aio: event posted to a ring without a reserved slot");
	ring->events[(ring->head + ring->count) % ring->nr] = *ev;
	WRITE_ONCE(ring->count, ring->count + 1);
	spin_unlock(&ring->lock);
}

/* The lockless look at count needs no barrier: the events are read under the lock, which
   reads count again; a 0 that is already stale means an event posted a moment after we looked,
   and a caller that waits checks the count again once on the wait queue. */
unsigned int aio_ring_take(struct aio_ring *ring, struct io_event *out, unsigned int max)
{
	unsigned int n = 0;

	if (max == 0 || aio_ring_count(ring) == 0)
		return 0;
	spin_lock(&ring->lock);
	while (n < max && ring->count > 0) {
		out[n++] = ring->events[ring->head];
		ring->head = (ring->head + 1) % ring->nr;
		WRITE_ONCE(ring->count, ring->count - 1);
	}
	spin_unlock(&ring->lock);
	return n;
}

void aio_ring_release(struct aio_ring *ring, unsigned int n)
{
	spin_lock(&ring->lock);
	ring->reserved -= n;
	spin_unlock(&ring->lock);
}

void aio_ring_give_back(struct aio_ring *ring, const struct io_event *ev, unsigned int n)
{
	spin_lock(&ring->lock);
	/* Their slots are still promised, so count + n <= reserved <= nr: they fit. */
	ring->head = (ring->head + ring->nr - n) % ring->nr;
	for (unsigned int i = 0; i < n; i++)
		ring->events[(ring->head + i) % ring->nr] = ev[i];
	WRITE_ONCE(ring->count, ring->count + n);
	spin_unlock(&ring->lock);
}

/*
 * aio_read_events: waits until at least min_nr events of ctx are there (or timeout_ms passed,
 * or ctx was destroyed), then takes up to nr of them into events, 0 <= min_nr <= nr. Returns
 * how many, which is below min_nr after a timeout; -EINVAL when ctx was destroyed while the
 * caller waited with nothing taken, -EINTR for a fatal signal. The caller ends it with
 * aio_events_done() when it took any. timeout_ms 0 does not wait; AIO_WAIT_FOREVER waits
 * without limit. The caller holds a reference on ctx. Sleeps; no lock held.
 */
long aio_read_events(struct kioctx *ctx, long min_nr, long nr, struct io_event *events,
		     long timeout_ms)
{
	long got = 0, left;

	/* +1 tick, as msleep: the current tick is partly over, and the wait lasts timeout_ms. */
	if (timeout_ms < 0)
		left = MAX_SCHEDULE_TIMEOUT;
	else
		left = timeout_ms ? msecs_to_jiffies((unsigned int)timeout_ms) + 1 : 0;
	current->killable = true; /* a fatal signal wakes us (kernel/process.h) */
	for (;;) {
		got += aio_ring_take(&ctx->ring, events + got, (unsigned int)(nr - got));
		if (got >= min_nr || READ_ONCE(ctx->dead) || left == 0 || fatal_signal_pending())
			break;
		/* Our reference keeps ctx, and so ctx->wait, alive while we sleep on it. */
		left = wait_event_timeout(ctx->wait,
					  aio_ring_count(&ctx->ring) > 0 || READ_ONCE(ctx->dead) ||
						  fatal_signal_pending(),
					  left);
	}
	current->killable = false;
	if (got == 0 && min_nr > 0 && READ_ONCE(ctx->dead))
		got = -EINVAL; /* destroyed while we waited */
	else if (got == 0 && min_nr > 0 && fatal_signal_pending())
		got = -EINTR;
	return got;
}

/*
 * aio_events_done: ends an aio_read_events() that took n events. delivered: they reached
 * their reader, and their slots are freed. Not delivered (the copy to the user faulted): they
 * go back to the head of the ring, where the next io_getevents finds them, and any waiter
 * that slept while we held them wakes. Any context.
 */
void aio_events_done(struct kioctx *ctx, const struct io_event *events, long n, bool delivered)
{
	if (delivered) {
		aio_ring_release(&ctx->ring, (unsigned int)n);
		return;
	}
	aio_ring_give_back(&ctx->ring, events, (unsigned int)n);
	wake_up(&ctx->wait);
}

/*
 * io_getevents: aio_read_events() on the context with this id of mm, into a kernel buffer,
 * which always takes the events. Returns how many; -EINVAL for an unknown id or
 * 0 <= min_nr <= nr not holding; the errors of aio_read_events. Sleeps; no lock held.
 */
long io_getevents(struct mm *mm, aio_context_t id, long min_nr, long nr, struct io_event *events,
		  long timeout_ms)
{
	struct kioctx *ctx;
	long got;

	if (min_nr < 0 || min_nr > nr)
		return -EINVAL;
	ctx = lookup_ioctx(mm, id);
	if (!ctx)
		return -EINVAL;
	got = aio_read_events(ctx, min_nr, nr, events, timeout_ms);
	if (got > 0)
		aio_events_done(ctx, events, got, true);
	put_ioctx(ctx);
	return got;
}
