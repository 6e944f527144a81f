/*
 * The virtio-blk driver: each virtio block device on PCI becomes a block device "vda", "vdb"...
 * (block/blkdev.h). virtio_blk_init() probes them all; kernel/main.c calls it after pci_init().
 */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

#include <stdint.h>

struct block_device;

/* Probes every virtio-blk device; returns how many became block devices. */
int virtio_blk_init(void);

/* For tests, lspci and the gdb helper: what the driver negotiated and its ring's state. */
struct virtio_blk_info {
	uint64_t features; /* negotiated */
	unsigned int queue_size;
	unsigned int num_free;
	uint16_t avail_idx, used_idx, last_used_idx;
	uint64_t kicks, interrupts;
	int msix_vector; /* -1: none */
	int intx_irq;	 /* the INTx line's ISA IRQ when it is used instead, else -1 */
};
/* 0, or -ENODEV when bdev is not a virtio-blk disk. */
int virtio_blk_get_info(struct block_device *bdev, struct virtio_blk_info *info);

#endif
