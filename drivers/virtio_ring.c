/* The split virtqueue (see drivers/virtio_ring.h). The caller holds vq->lock around each call. */
#include "drivers/virtio_ring.h"
#include "kernel/panic.h"
#include "mm/page_alloc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Layout of the 8 KiB block: descriptors (16 bytes each: 4 KiB at 256 entries) in the first
   page, the available ring at the start of the second (2-byte aligned, 518 bytes at most),
   the used ring 1 KiB later (4-byte aligned, 2054 bytes at most). */
#define VQ_ORDER     1
#define VQ_AVAIL_OFF 4096
#define VQ_USED_OFF  (4096 + 1024)

int virtqueue_init(struct virtqueue *vq, unsigned int index, unsigned int num)
{
	char *base;

	if (num == 0 || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1)))
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->pages = alloc_pages(VQ_ORDER);
	if (!vq->pages)
		return -ENOMEM;
	base = page_address(vq->pages);
	memset(base, 0, PAGE_SIZE << VQ_ORDER);
	vq->index = index;
	vq->num = num;
	vq->desc = (struct vring_desc *)base;
	vq->avail = (struct vring_avail *)(base + VQ_AVAIL_OFF);
	vq->used = (struct vring_used *)(base + VQ_USED_OFF);
	for (unsigned int i = 0; i < num - 1; i++)
		vq->desc[i].next = i + 1;
	vq->free_head = 0;
	vq->num_free = num;
	spin_lock_init(&vq->lock, "virtqueue");
	return 0;
}

void virtqueue_free(struct virtqueue *vq)
{
	if (vq->pages)
		free_pages(vq->pages, VQ_ORDER);
	vq->pages = NULL;
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n, void *token)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (n == 0 || n > vq->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (bufs[k].device_writes ? VRING_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		last = i;
		i = d->next; /* the free list's next is the chain's next: no relinking needed */
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free -= n;
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	/* The device must see the ring entry (and the descriptors) before idx. The partner is on
	   the device's side: it reads avail->idx, then the entries below it (the virtio 1.x
	   spec's ordering rule for the available ring); QEMU's read is a load-acquire. */
	smp_wmb();
	WRITE_ONCE(vq->avail->idx, ++vq->avail_idx);
	return head;
}

void virtqueue_kick(struct virtqueue *vq)
{
	/* idx is out before we look at whether the device wants a notification: otherwise it
	   could go idle after our read of the flag and never see the new heads. Pairs with the
	   device's full barrier between clearing VRING_USED_F_NO_NOTIFY and its last look at
	   avail->idx before it sleeps. */
	smp_mb();
	if (READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY) {
		vq->notifies_suppressed++;
		return;
	}
	vq->kicks++;
	*vq->notify = (uint16_t)vq->index;
}

void *virtqueue_get_buf(struct virtqueue *vq, uint16_t *head, uint32_t *len)
{
	struct vring_used_elem *e;
	uint16_t id, i;
	void *token;

	if (READ_ONCE(vq->used->idx) == vq->last_used_idx)
		return NULL;
	/* The entry is valid once idx says so: pairs with the device's write barrier between
	   filling a used entry and raising used->idx. */
	smp_rmb();
	e = &vq->used->ring[vq->last_used_idx & (vq->num - 1)];
	id = (uint16_t)e->id;
	if (id >= vq->num || !vq->token[id])
		panic("virtqueue %u: the device returned head %u, which is not in flight",
		      vq->index, id);
	if (len)
		*len = e->len;
	vq->last_used_idx++;
	token = vq->token[id];
	vq->token[id] = NULL;
	/* Give the chain back: walk to its end, then put the whole chain on the free list. */
	for (i = id; vq->desc[i].flags & VRING_DESC_F_NEXT; i = vq->desc[i].next)
		vq->num_free++;
	vq->num_free++;
	vq->desc[i].next = vq->free_head;
	vq->free_head = id;
	*head = id;
	return token;
}
