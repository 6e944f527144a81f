/*
 * The completion ring of an aio context: io_submit reserves a slot for every request it
 * queues, a worker posts the request's io_event into the ring when it finishes, and
 * io_getevents reaps events from the other end. A slot stays reserved from submission until
 * its event has reached the reader (taken, then released; an event that could not be copied
 * to the user is given back), so a worker never finds the ring full: when every slot is reserved
 * (events waiting, events taken by a reader and requests in flight), io_submit says -EAGAIN.
 *
 * In Linux the ring lives in pages mapped into the process, so it can read events without a
 * system call; here it is a kmalloc'd array and every access takes the ring's lock (but a look
 * at an empty ring).
 */
#ifndef FS_AIO_RING_H
#define FS_AIO_RING_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/locking/spinlock.h"

/* One completion, as Linux's struct io_event. */
struct io_event {
	uint64_t data; /* the iocb's aio_data, for the submitter to match events to requests */
	uint64_t obj;  /* the address of the iocb */
	int64_t res;   /* bytes read or written, 0 for NOOP, or a negative errno */
	int64_t res2;
};

struct aio_ring {
	spinlock_t lock;
	unsigned int nr;       /* slots */
	unsigned int head;     /* the oldest event not yet reaped */
	unsigned int count;    /* events in the ring, from head on */
	unsigned int reserved; /* slots promised: count + taken + requests in flight */
	struct io_event *events;
};

/* Allocates nr slots. Returns 0 or -ENOMEM. */
int aio_ring_init(struct aio_ring *ring, unsigned int nr);
void aio_ring_free(struct aio_ring *ring);
/* Promises one slot to a request about to be queued; false when every slot is promised. */
bool aio_ring_reserve(struct aio_ring *ring);
/* Takes a promise back (the request was never queued). */
void aio_ring_unreserve(struct aio_ring *ring);
/* Stores the event of a request that reserved its slot. */
void aio_ring_post(struct aio_ring *ring, const struct io_event *ev);
/* Moves up to max events out, oldest first; their slots stay promised until the caller
   releases them or gives the events back. Returns how many; takes no lock on an empty ring. */
unsigned int aio_ring_take(struct aio_ring *ring, struct io_event *out, unsigned int max);
/* Frees the slots of n taken events, which reached their reader. */
void aio_ring_release(struct aio_ring *ring, unsigned int n);
/* Puts n taken events back at the head, in their order, to be taken again. */
void aio_ring_give_back(struct aio_ring *ring, const struct io_event *ev, unsigned int n);

/* Events waiting to be reaped (a snapshot, for wait conditions and the shell). */
static inline unsigned int aio_ring_count(const struct aio_ring *ring)
{
	return READ_ONCE(ring->count);
}

#endif
