/* The virtio 1.x PCI transport (see drivers/virtio_pci.h). */
#include "drivers/virtio_pci.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"
#include "mm/page_alloc.h"
#include "lib/errno.h"

/* The vendor capability's layout: after id and next, its length, then these. */
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR	4
#define VIRTIO_PCI_CAP_OFFSET	8
#define VIRTIO_PCI_CAP_LENGTH	12
#define VIRTIO_PCI_NOTIFY_MULT	16 /* the notify capability's extra word */

enum {
	VIRTIO_PCI_CAP_COMMON = 1,
	VIRTIO_PCI_CAP_NOTIFY,
	VIRTIO_PCI_CAP_ISR,
	VIRTIO_PCI_CAP_DEVICE
};

/* The first capability of type; its mapped address, or NULL. */
static volatile void *map_cap(struct pci_dev *pci, uint8_t type, int *capp)
{
	for (int pos = pci_find_capability(pci, PCI_CAP_ID_VNDR); pos;
	     pos = pci_find_next_capability(pci, pos, PCI_CAP_ID_VNDR)) {
		uint8_t t, bar;
		uint32_t off, len;
		char *base;

		pci_read_config_byte(pci, pos + VIRTIO_PCI_CAP_CFG_TYPE, &t);
		if (t != type)
			continue;
		pci_read_config_byte(pci, pos + VIRTIO_PCI_CAP_BAR, &bar);
		pci_read_config_dword(pci, pos + VIRTIO_PCI_CAP_OFFSET, &off);
		pci_read_config_dword(pci, pos + VIRTIO_PCI_CAP_LENGTH, &len);
		if (bar >= PCI_NUM_BARS || (uint64_t)off + len > pci->bar[bar].size)
			continue; /* a block outside its BAR: not one we can trust */
		base = pci_iomap(pci, bar);
		if (!base)
			continue;
		if (capp)
			*capp = pos;
		return base + off;
	}
	return NULL;
}

int vp_modern_probe(struct virtio_pci_dev *vp, struct pci_dev *pci)
{
	int notify_cap = 0;

	if (pci->vendor != VIRTIO_PCI_VENDOR)
		return -ENODEV;
	vp->pci = pci;
	pci_enable_device(pci);
	vp->common = map_cap(pci, VIRTIO_PCI_CAP_COMMON, NULL);
	vp->isr = map_cap(pci, VIRTIO_PCI_CAP_ISR, NULL);
	vp->device = map_cap(pci, VIRTIO_PCI_CAP_DEVICE, NULL);
	vp->notify_base = map_cap(pci, VIRTIO_PCI_CAP_NOTIFY, &notify_cap);
	if (!vp->common || !vp->isr || !vp->device || !vp->notify_base)
		return -ENODEV; /* a legacy-only device: no capabilities */
	pci_read_config_dword(pci, notify_cap + VIRTIO_PCI_NOTIFY_MULT, &vp->notify_off_multiplier);
	vp_reset(vp);
	pci_set_master(pci); /* from here on it may DMA into the rings */
	return 0;
}

void vp_reset(struct virtio_pci_dev *vp)
{
	vp->common->device_status = 0;
	/* The reset is done when the device reads back 0 (spec 4.1.4.3.2). */
	while (vp->common->device_status != 0)
		cpu_relax();
}

uint8_t vp_get_status(struct virtio_pci_dev *vp)
{
	return vp->common->device_status;
}

void vp_add_status(struct virtio_pci_dev *vp, uint8_t bits)
{
	vp->common->device_status = vp->common->device_status | bits;
}

uint64_t vp_get_features(struct virtio_pci_dev *vp)
{
	uint64_t f;

	vp->common->device_feature_select = 0;
	f = vp->common->device_feature;
	vp->common->device_feature_select = 1;
	return f | (uint64_t)vp->common->device_feature << 32;
}

int vp_finalize_features(struct virtio_pci_dev *vp, uint64_t features)
{
	vp->common->driver_feature_select = 0;
	vp->common->driver_feature = (uint32_t)features;
	vp->common->driver_feature_select = 1;
	vp->common->driver_feature = (uint32_t)(features >> 32);
	vp_add_status(vp, VIRTIO_CONFIG_S_FEATURES_OK);
	/* The device clears FEATURES_OK again if it cannot work with this subset. */
	return vp_get_status(vp) & VIRTIO_CONFIG_S_FEATURES_OK ? 0 : -EIO;
}

unsigned int vp_queue_max_size(struct virtio_pci_dev *vp, unsigned int index)
{
	if (index >= vp->common->num_queues)
		return 0;
	vp->common->queue_select = (uint16_t)index;
	return vp->common->queue_size;
}

int vp_setup_vq(struct virtio_pci_dev *vp, struct virtqueue *vq, uint16_t msix_entry)
{
	volatile struct virtio_pci_common_cfg *c = vp->common;
	uint64_t desc = virt_to_phys(vq->desc), avail = virt_to_phys(vq->avail);
	uint64_t used = virt_to_phys(vq->used);

	c->queue_select = (uint16_t)vq->index;
	c->queue_size = (uint16_t)vq->num; /* may be smaller than the device's maximum */
	/* 64-bit fields as two 32-bit halves: QEMU takes only accesses of 4 bytes or less. */
	c->queue_desc_lo = (uint32_t)desc, c->queue_desc_hi = (uint32_t)(desc >> 32);
	c->queue_driver_lo = (uint32_t)avail, c->queue_driver_hi = (uint32_t)(avail >> 32);
	c->queue_device_lo = (uint32_t)used, c->queue_device_hi = (uint32_t)(used >> 32);
	c->queue_msix_vector = msix_entry;
	/* The device answers NO_VECTOR when it could not take the entry. */
	if (c->queue_msix_vector != msix_entry)
		return -EIO;
	vq->notify = (volatile uint16_t *)(vp->notify_base + (uint32_t)c->queue_notify_off *
								     vp->notify_off_multiplier);
	c->queue_enable = 1;
	return 0;
}

uint8_t vp_read_isr(struct virtio_pci_dev *vp)
{
	return *vp->isr;
}

uint32_t vp_config_read32(struct virtio_pci_dev *vp, unsigned int off)
{
	return *(volatile uint32_t *)(vp->device + off);
}

uint64_t vp_config_read64(struct virtio_pci_dev *vp, unsigned int off)
{
	uint8_t gen;
	uint64_t v;

	/* Two 32-bit reads are not one atomic read: retry if the device changed the config
	   between them (spec 4.1.4.3). */
	do {
		gen = vp->common->config_generation;
		v = vp_config_read32(vp, off) | (uint64_t)vp_config_read32(vp, off + 4) << 32;
	} while (gen != vp->common->config_generation);
	return v;
}
