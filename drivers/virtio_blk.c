/*
 * virtio-blk over the modern PCI transport, with one request queue, completed by its MSI-X
 * interrupt, or by the INTx line when the device has no MSI-X or pci=nomsi said not to use it.
 *
 * A request is a chain of three descriptors (spec 5.2.6):
 *
 *   header  {type, reserved, sector}, 16 bytes, read by the device
 *   data    one descriptor per piece of the caller's data (struct blk_vec, the pages of a
 *           writeback, say): read by the device (write) or written by it (read)
 *   status  one byte the device writes last: 0 OK, 1 IOERR, 2 UNSUPP
 *
 * (a flush has no data). Headers and status bytes live in a DMA area indexed by the head
 * descriptor of their chain, which is unique while the request is in flight.
 *
 * Submitting (any CPU, any number at once): take vq->lock, wait on free_wait while the ring
 * has too few free descriptors, fill the header, add the chain, kick, drop the lock, and sleep
 * on the request's completion (on the submitter's stack). The queue's interrupt (on the boot
 * CPU) takes vq->lock, collects every used chain, copies its status into the request and
 * completes it; each submitter wakes for its own request only.
 *
 * INTx: the line is level triggered and may be shared, so the handler first reads the ISR
 * status register. That read acknowledges the interrupt (the device deasserts the line) and
 * says whether it was ours (0: someone else's); the EOI comes after (kernel/irq.c).
 *
 * Locks: vq->lock (interrupts off; also taken in the interrupt handler), then a completion's
 * or free_wait's own lock (complete and wake_up take them). Nothing sleeps under vq->lock.
 */
#include "drivers/virtio_blk.h"
#include "drivers/virtio_pci.h"
#include "block/blkdev.h"
#include "kernel/sched/completion.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/tick.h"
#include "kernel/sched/wait.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define VIRTIO_BLK_PCI_DEVICE_TRANSITIONAL 0x1001
#define VIRTIO_BLK_PCI_DEVICE_MODERN	   0x1042

/* Feature bits (spec 5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1 /* size_max: the largest data descriptor */
#define VIRTIO_BLK_F_SEG_MAX  2 /* seg_max: data descriptors per request */
#define VIRTIO_BLK_F_RO	      5 /* read-only disk */
#define VIRTIO_BLK_F_BLK_SIZE 6 /* blk_size: its logical block size */
#define VIRTIO_BLK_F_FLUSH    9 /* a write cache, and the FLUSH request */

/* The device config (spec 5.2.4): offsets of the fields we read. */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8
#define VIRTIO_BLK_CFG_SEG_MAX	12
#define VIRTIO_BLK_CFG_BLK_SIZE 20

#define VIRTIO_BLK_T_IN	   0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_S_NONE   0xff /* ours: written before submission, the device overwrites */

#define VBLK_MAX_SECTORS 2048	      /* 1 MiB per request */
#define VBLK_MAX_SEGS	 BLK_MAX_SEGS /* data descriptors we use per request */
#define VBLK_DMA_ORDER	 1	      /* headers (16 bytes x 256) then status bytes (256) */

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* One request in flight: on the submitter's stack, reached by the handler through the token. */
struct vblk_req {
	struct completion done;
	uint8_t status;
};

struct virtio_blk {
	struct virtio_pci_dev vp;
	struct virtqueue vq;
	struct block_device bdev;
	uint64_t features;
	uint32_t size_max; /* bytes per data descriptor */
	unsigned int max_segs;
	struct page *dma_pages;
	struct virtio_blk_outhdr *hdrs;	  /* [head] */
	uint8_t *status;		  /* [head] */
	struct wait_queue_head free_wait; /* submitters waiting for descriptors */
	uint64_t interrupts;
	int intx_irq; /* the INTx line's ISA IRQ, -1: MSI-X */
	char irq_name[16];
};

static bool has(const struct virtio_blk *vb, unsigned int bit)
{
	return vb->features & (1ull << bit);
}

/* The queue's interrupt, on the boot CPU with interrupts off. */
static void vblk_interrupt(void *data)
{
	struct virtio_blk *vb = data;
	struct vblk_req *req;
	uint16_t head;
	bool freed = false;

	spin_lock(&vb->vq.lock);
	vb->interrupts++;
	while ((req = virtqueue_get_buf(&vb->vq, &head, NULL))) {
		req->status = READ_ONCE(vb->status[head]);
		complete(&req->done); /* the last touch: the submitter may return at once */
		freed = true;
	}
	spin_unlock(&vb->vq.lock);
	if (freed)
		wake_up(&vb->free_wait);
}

/* The shared INTx line, on the boot CPU with interrupts off: ours when the ISR says so. */
static bool vblk_intx_interrupt(void *data)
{
	struct virtio_blk *vb = data;
	uint8_t isr = vp_read_isr(&vb->vp); /* acknowledges: the line goes down */

	if (!isr)
		return false;
	if (isr & VIRTIO_PCI_ISR_QUEUE)
		vblk_interrupt(vb);
	return true; /* a configuration change (capacity) we do not follow */
}

/* The fallback: the INTx line the firmware routed (config space 0x3c), shared and level. */
static int vblk_setup_intx(struct virtio_blk *vb, struct pci_dev *pci)
{
	int err;

	if (!pci->irq_pin || pci->irq_line >= 16)
		return -ENODEV; /* no pin, or the firmware did not route it (0xff) */
	pci_intx(pci, true);
	err = request_shared_irq(pci->irq_line, vblk_intx_interrupt, vb, vb->irq_name);
	if (err) {
		pci_intx(pci, false);
		return err;
	}
	vb->intx_irq = pci->irq_line;
	pci->intx_enabled = true;
	return 0;
}

static void vblk_free_irq(struct virtio_blk *vb, struct pci_dev *pci)
{
	if (vb->intx_irq >= 0) {
		free_shared_irq((unsigned)vb->intx_irq, vb);
		pci_intx(pci, false);
		pci->intx_enabled = false;
	} else {
		pci_msix_disable(pci);
	}
}

/* Builds the buffer list of one request: header, a descriptor per piece of data, status. */
static unsigned int vblk_bufs(struct virtio_blk *vb, uint16_t head, const struct blk_vec *vec,
			      unsigned int nr, bool device_writes, struct vq_buf *bufs)
{
	unsigned int n = 0;

	bufs[n++] = (struct vq_buf){virt_to_phys(&vb->hdrs[head]), sizeof(vb->hdrs[0]), false};
	for (unsigned int i = 0; i < nr; i++)
		bufs[n++] = (struct vq_buf){virt_to_phys(vec[i].buf), vec[i].count * SECTOR_SIZE,
					    device_writes};
	bufs[n++] = (struct vq_buf){virt_to_phys(&vb->status[head]), 1, true};
	return n;
}

static int vblk_submit(struct virtio_blk *vb, uint32_t type, uint64_t sector,
		       const struct blk_vec *vec, unsigned int nr)
{
	struct vq_buf bufs[VBLK_MAX_SEGS + 2];
	unsigned int need = 2 + nr;
	struct vblk_req req;
	unsigned long flags;
	uint16_t head;
	int err;

	if (nr > vb->max_segs || need > vb->vq.num)
		return -EINVAL; /* the block layer's max_segs keeps requests below this */
	init_completion(&req.done);
	req.status = VIRTIO_BLK_S_NONE;
	spin_lock_irqsave(&vb->vq.lock, flags);
	while (vb->vq.num_free < need) {
		spin_unlock_irqrestore(&vb->vq.lock, flags);
		wait_event(vb->free_wait, READ_ONCE(vb->vq.num_free) >= need);
		spin_lock_irqsave(&vb->vq.lock, flags);
	}
	head = virtqueue_next_head(&vb->vq);
	vb->hdrs[head] = (struct virtio_blk_outhdr){type, 0, sector};
	vb->status[head] = VIRTIO_BLK_S_NONE;
	vblk_bufs(vb, head, vec, nr, type == VIRTIO_BLK_T_IN, bufs);
	err = virtqueue_add(&vb->vq, bufs, need, &req);
	if (err >= 0)
		virtqueue_kick(&vb->vq);
	spin_unlock_irqrestore(&vb->vq.lock, flags);
	if (err < 0)
		return err;
	/* A lost interrupt would hang us here: say so every 10 s rather than wait silently. */
	while (!wait_for_completion_timeout(&req.done, 10 * HZ))
		pr_warn("%s: request at sector %llu waits for more than 10 s\n", vb->bdev.name,
			(unsigned long long)sector);
	switch (req.status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int vblk_rw(struct block_device *bdev, enum blk_op op, uint64_t sector,
		   const struct blk_vec *vec, unsigned int nr)
{
	struct virtio_blk *vb = bdev->private;
	uint64_t count = 0;

	/* The block layer checked all this; checked again here because a bad sector or buffer
	   would become a DMA to the wrong place. */
	if (nr == 0 || nr > bdev->max_segs)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		if (vec[i].count == 0 || vec[i].count > bdev->max_seg_sectors ||
		    !blk_buffer_ok(vec[i].buf, (size_t)vec[i].count * SECTOR_SIZE))
			return -EINVAL;
		count += vec[i].count;
	}
	if (count > bdev->max_sectors || sector >= bdev->nr_sectors ||
	    count > bdev->nr_sectors - sector)
		return -EINVAL;
	if (op == BLK_OP_WRITE && bdev->read_only)
		return -EROFS;
	return vblk_submit(vb, op == BLK_OP_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, sector, vec,
			   nr);
}

static int vblk_flush(struct block_device *bdev)
{
	return vblk_submit(bdev->private, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

static const struct block_device_ops vblk_ops = {.rw = vblk_rw, .flush = vblk_flush};
static const struct block_device_ops vblk_ops_noflush = {.rw = vblk_rw};

static void vblk_negotiate(struct virtio_blk *vb)
{
	uint64_t want = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_SIZE_MAX |
			1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_RO |
			1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;

	vb->features = vp_get_features(&vb->vp) & want;
}

static void vblk_read_config(struct virtio_blk *vb)
{
	struct block_device *b = &vb->bdev;
	uint32_t v;

	b->nr_sectors = vp_config_read64(&vb->vp, VIRTIO_BLK_CFG_CAPACITY);
	vb->size_max = 1u << 30;
	if (has(vb, VIRTIO_BLK_F_SIZE_MAX) &&
	    (v = vp_config_read32(&vb->vp, VIRTIO_BLK_CFG_SIZE_MAX)))
		vb->size_max = v < PAGE_SIZE ? PAGE_SIZE : v;
	vb->max_segs = VBLK_MAX_SEGS;
	if (has(vb, VIRTIO_BLK_F_SEG_MAX) &&
	    (v = vp_config_read32(&vb->vp, VIRTIO_BLK_CFG_SEG_MAX)) && v < vb->max_segs)
		vb->max_segs = v;
	if (vb->max_segs > vb->vq.num - 2)
		vb->max_segs = vb->vq.num - 2;
	b->logical_block_size = SECTOR_SIZE;
	if (has(vb, VIRTIO_BLK_F_BLK_SIZE) &&
	    (v = vp_config_read32(&vb->vp, VIRTIO_BLK_CFG_BLK_SIZE)) && v >= SECTOR_SIZE &&
	    v <= PAGE_SIZE && !(v & (v - 1)))
		b->logical_block_size = v;
	/* A piece of data is one descriptor, so at most size_max; the block layer splits. */
	b->max_sectors = VBLK_MAX_SECTORS;
	b->max_segs = vb->max_segs;
	b->max_seg_sectors = b->max_sectors;
	if (vb->size_max / SECTOR_SIZE < b->max_seg_sectors)
		b->max_seg_sectors = vb->size_max / SECTOR_SIZE;
	b->read_only = has(vb, VIRTIO_BLK_F_RO);
	b->ops = has(vb, VIRTIO_BLK_F_FLUSH) ? &vblk_ops : &vblk_ops_noflush;
	b->private = vb;
}

static int vblk_probe(struct pci_dev *pci)
{
	struct virtio_blk *vb = kzalloc(sizeof(*vb));
	unsigned int num;
	int err;

	if (!vb)
		return -ENOMEM;
	init_waitqueue_head(&vb->free_wait, "virtio_blk free");
	if ((err = vp_modern_probe(&vb->vp, pci)))
		goto free;
	vp_add_status(&vb->vp, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vblk_negotiate(vb);
	err = -ENODEV;
	if (!has(vb, VIRTIO_F_VERSION_1) || (err = vp_finalize_features(&vb->vp, vb->features)))
		goto failed;

	num = vp_queue_max_size(&vb->vp, 0);
	if (num > VIRTQUEUE_MAX_SIZE)
		num = VIRTQUEUE_MAX_SIZE;
	while (num & (num - 1))
		num &= num - 1; /* a split ring's size is a power of two */
	err = -ENODEV;
	if (num < 4 || (err = virtqueue_init(&vb->vq, 0, num)))
		goto failed;
	err = -ENOMEM;
	vb->dma_pages = alloc_pages(VBLK_DMA_ORDER);
	if (!vb->dma_pages)
		goto free_vq;
	vb->hdrs = page_address(vb->dma_pages);
	vb->status = (uint8_t *)vb->hdrs + PAGE_SIZE;
	blk_alloc_name("vd", vb->bdev.name);
	snprintf(vb->irq_name, sizeof(vb->irq_name), "virtio-%s", vb->bdev.name);

	/* One MSI-X entry for the request queue; configuration changes get none. Without MSI-X
	   (none, pci=nomsi, no vector left): no entry at all, and the INTx line. */
	vb->intx_irq = -1;
	err = pci_msix_enable(pci, 1);
	if (!err && (err = pci_msix_request(pci, 0, vblk_interrupt, vb, vb->irq_name)))
		pci_msix_disable(pci);
	if (err && (err = vblk_setup_intx(vb, pci)))
		goto free_dma;
	vb->vp.common->msix_config = VIRTIO_MSI_NO_VECTOR;
	if ((err = vp_setup_vq(&vb->vp, &vb->vq, vb->intx_irq >= 0 ? VIRTIO_MSI_NO_VECTOR : 0)))
		goto free_irq;
	vblk_read_config(vb);
	vp_add_status(&vb->vp, VIRTIO_CONFIG_S_DRIVER_OK);
	if ((err = blk_register(&vb->bdev)))
		goto reset;
	pci->driver = "virtio-blk";
	if (vb->intx_irq >= 0)
		pr_info("virtio-blk: %02x:%02x.%u: INTx (INT%c#, IRQ %d, level, shared)%s\n",
			pci->bus, pci->dev, pci->fn, 'A' + pci->irq_pin - 1, vb->intx_irq,
			pci_msi_disabled() ? ", pci=nomsi" : ", no MSI-X");
	else
		pr_info("virtio-blk: %02x:%02x.%u: MSI-X vector %#x\n", pci->bus, pci->dev, pci->fn,
			pci->msix_vector[0]);
	pr_info("virtio-blk: %02x:%02x.%u is %s: queue of %u, features%s%s%s%s\n", pci->bus,
		pci->dev, pci->fn, vb->bdev.name, num, has(vb, VIRTIO_BLK_F_FLUSH) ? " FLUSH" : "",
		has(vb, VIRTIO_BLK_F_RO) ? " RO" : "",
		has(vb, VIRTIO_BLK_F_SEG_MAX) ? " SEG_MAX" : "",
		has(vb, VIRTIO_BLK_F_BLK_SIZE) ? " BLK_SIZE" : "");
	return 0;

reset:
	vp_reset(&vb->vp);
free_irq:
	vblk_free_irq(vb, pci);
free_dma:
	free_pages(vb->dma_pages, VBLK_DMA_ORDER);
free_vq:
	virtqueue_free(&vb->vq);
failed:
	vp_reset(&vb->vp); /* a reset device stops touching the rings */
	vp_add_status(&vb->vp, VIRTIO_CONFIG_S_FAILED);
free:
	kfree(vb);
	return err;
}

int virtio_blk_init(void)
{
	struct pci_dev *d = NULL;
	int n = 0, err;

	while ((d = pci_get_device(VIRTIO_PCI_VENDOR, 0xffff, d))) {
		if (d->device != VIRTIO_BLK_PCI_DEVICE_TRANSITIONAL &&
		    d->device != VIRTIO_BLK_PCI_DEVICE_MODERN)
			continue;
		err = vblk_probe(d);
		if (err)
			pr_warn("virtio-blk: %02x:%02x.%u: probe failed (%d)\n", d->bus, d->dev,
				d->fn, err);
		else
			n++;
	}
	return n;
}

int virtio_blk_get_info(struct block_device *bdev, struct virtio_blk_info *info)
{
	struct virtio_blk *vb;
	unsigned long flags;

	if (!bdev || (bdev->ops != &vblk_ops && bdev->ops != &vblk_ops_noflush))
		return -ENODEV;
	vb = bdev->private;
	spin_lock_irqsave(&vb->vq.lock, flags);
	*info = (struct virtio_blk_info){
		.features = vb->features,
		.queue_size = vb->vq.num,
		.num_free = vb->vq.num_free,
		.avail_idx = vb->vq.avail_idx,
		.used_idx = READ_ONCE(vb->vq.used->idx),
		.last_used_idx = vb->vq.last_used_idx,
		.kicks = vb->vq.kicks,
		.interrupts = vb->interrupts,
		.msix_vector = vb->intx_irq >= 0 ? -1 : vb->vp.pci->msix_vector[0],
		.intx_irq = vb->intx_irq,
	};
	spin_unlock_irqrestore(&vb->vq.lock, flags);
	return 0;
}
