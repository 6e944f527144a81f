/*
 * The split virtqueue of virtio 1.x: how a driver hands buffers to a device and gets them back.
 *
 * Three arrays in guest memory, each written by one side only:
 *
 *   descriptor table  num entries of {addr, len, flags, next}: one buffer each (a physical
 *                     address and a length). NEXT in flags chains a descriptor to the one
 *                     named in next; WRITE means the device writes the buffer (else it reads
 *                     it). A request is a chain; its first descriptor (the head) names it.
 *                     Written by the driver.
 *   available ring    {flags, idx, ring[num]}: the driver puts a head's index in
 *                     ring[idx % num], then increments idx. Written by the driver.
 *   used ring         {flags, idx, ring[num] of {id, len}}: the device puts a finished head
 *                     (id) and the bytes it wrote (len) in ring[idx % num], then increments
 *                     idx. Written by the device.
 *
 * The indexes are free-running 16-bit counters; idx % num is the slot. After publishing heads
 * the driver writes the queue's number to its notify register ("kick"), unless the device set
 * NO_NOTIFY in the used ring's flags; when it has used buffers the device sends the queue's
 * interrupt (here an MSI-X message). Ordering: the ring entry before idx (a write barrier),
 * idx before reading the device's flags (a full barrier), used idx before the used entry (a
 * read barrier).
 *
 * Locking: the caller serializes every call on one queue (virtio_blk holds vq->lock).
 */
#ifndef DRIVERS_VIRTIO_RING_H
#define DRIVERS_VIRTIO_RING_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/memlayout.h"

#define VRING_DESC_F_NEXT	   1
#define VRING_DESC_F_WRITE	   2
#define VRING_USED_F_NO_NOTIFY	   1
#define VRING_AVAIL_F_NO_INTERRUPT 1

#define VIRTQUEUE_MAX_SIZE 256 /* our rings fit two pages at this size */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* then used_event, which we do not use (no EVENT_IDX) */
};

struct vring_used_elem {
	uint32_t id; /* the head of the finished chain */
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* One buffer of a request, for virtqueue_add. */
struct vq_buf {
	phys_addr_t addr;
	uint32_t len;
	bool device_writes;
};

struct virtqueue {
	unsigned int index; /* the queue's number in the device */
	unsigned int num;   /* entries in each array, a power of two */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct page *pages; /* the 2-page block holding the three */
	uint16_t free_head; /* first free descriptor; free ones chain through next */
	unsigned int num_free;
	uint16_t avail_idx;		 /* our copy of avail->idx */
	uint16_t last_used_idx;		 /* used entries up to here are taken */
	void *token[VIRTQUEUE_MAX_SIZE]; /* per head: what virtqueue_get_buf returns */
	volatile uint16_t *notify;	 /* the queue's notify register */
	spinlock_t lock;		 /* the caller's, around every call below */
	uint64_t kicks, notifies_suppressed;
};

/* Allocates and zeroes the rings for num entries (a power of two, <= VIRTQUEUE_MAX_SIZE).
   0 or -ENOMEM / -EINVAL. */
int virtqueue_init(struct virtqueue *vq, unsigned int index, unsigned int num);
void virtqueue_free(struct virtqueue *vq);
/* The head virtqueue_add will use next (when num_free > 0). */
static inline uint16_t virtqueue_next_head(const struct virtqueue *vq)
{
	return vq->free_head;
}
/* Chains n buffers into free descriptors and publishes the head on the available ring.
   Returns the head, or -ENOSPC when fewer than n descriptors are free. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n, void *token);
/* Notifies the device of new heads, unless it asked not to be. */
void virtqueue_kick(struct virtqueue *vq);
/* The next finished request: frees its descriptors, stores its head and the length the device
   wrote, and returns its token; NULL when the device has finished nothing more. */
void *virtqueue_get_buf(struct virtqueue *vq, uint16_t *head, uint32_t *len);

#endif
