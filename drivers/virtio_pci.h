/*
 * The virtio 1.x ("modern") PCI transport: how a driver finds and drives a virtio device's
 * registers on PCI.
 *
 * A virtio PCI device (vendor 0x1af4) lists vendor-specific capabilities in its config space;
 * each one points into a BAR (bar, offset, length) at one register block:
 *
 *   COMMON  (type 1)  features, status, the number of queues, and per queue (select it first
 *                     with queue_select): size, MSI-X entry, ring addresses, enable;
 *   NOTIFY  (type 2)  where to write a queue's number to kick it: at
 *                     notify base + queue_notify_off * notify_off_multiplier;
 *   ISR     (type 3)  the interrupt cause, read-to-clear (for INTx; unused with MSI-X);
 *   DEVICE  (type 4)  the device type's own configuration (virtio-blk: capacity...).
 *
 * QEMU's virtio-blk-pci is "transitional": it also has the old (legacy, virtio 0.9) I/O-port
 * interface in BAR0, which we ignore. Bring-up order (virtio spec 3.1.1): reset, ACKNOWLEDGE,
 * DRIVER, read the device's features, write ours, FEATURES_OK (and check it stuck), set up the
 * queues, DRIVER_OK.
 *
 * No lock: the driver calls these from its probe, before the device is in use.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdint.h>
#include "drivers/pci.h"
#include "drivers/virtio_ring.h"

#define VIRTIO_PCI_VENDOR 0x1af4

/* Device status bits. */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1 /* the guest noticed the device */
#define VIRTIO_CONFIG_S_DRIVER	    2 /* and has a driver for it */
#define VIRTIO_CONFIG_S_DRIVER_OK   4 /* the driver is ready */
#define VIRTIO_CONFIG_S_FEATURES_OK 8 /* feature negotiation is done */
#define VIRTIO_CONFIG_S_NEEDS_RESET 64
#define VIRTIO_CONFIG_S_FAILED	    128 /* the driver gave up */

#define VIRTIO_F_VERSION_1 32 /* a virtio 1.x device: little-endian, this transport */

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* ISR status bits (spec 4.1.4.5), for INTx. */
#define VIRTIO_PCI_ISR_QUEUE  1 /* a used ring changed */
#define VIRTIO_PCI_ISR_CONFIG 2 /* the device config changed */

/* The common configuration block, as the device lays it out. */
struct virtio_pci_common_cfg {
	uint32_t device_feature_select; /* which 32 feature bits device_feature shows */
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t msix_config; /* MSI-X entry for configuration changes */
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation; /* changes when the device config changes */
	uint16_t queue_select;	   /* the queue the fields below are about */
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint32_t queue_desc_lo, queue_desc_hi;	   /* descriptor table */
	uint32_t queue_driver_lo, queue_driver_hi; /* available ring */
	uint32_t queue_device_lo, queue_device_hi; /* used ring */
};

struct virtio_pci_dev {
	struct pci_dev *pci;
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *isr;
	volatile uint8_t *device; /* the device-type config */
	volatile uint8_t *notify_base;
	uint32_t notify_off_multiplier;
};

/* Finds and maps the register blocks, enables the device's BARs and bus mastering, and resets
   it. 0, -ENODEV (not a modern virtio device), -ENOMEM. */
int vp_modern_probe(struct virtio_pci_dev *vp, struct pci_dev *pci);
void vp_reset(struct virtio_pci_dev *vp);
uint8_t vp_get_status(struct virtio_pci_dev *vp);
void vp_add_status(struct virtio_pci_dev *vp, uint8_t bits);
uint64_t vp_get_features(struct virtio_pci_dev *vp);
/* Writes our features and sets FEATURES_OK; -EIO if the device refused them. */
int vp_finalize_features(struct virtio_pci_dev *vp, uint64_t features);
/* The size the device offers for queue index (0: no such queue). */
unsigned int vp_queue_max_size(struct virtio_pci_dev *vp, unsigned int index);
/* Tells the device where vq's rings are, routes its interrupts to MSI-X entry msix_entry
   (VIRTIO_MSI_NO_VECTOR: none, the INTx line), finds its notify register and enables it. 0 or
   -EIO (the device did not take the MSI-X entry). */
int vp_setup_vq(struct virtio_pci_dev *vp, struct virtqueue *vq, uint16_t msix_entry);
/* Reads the ISR status: reading clears it and makes the device deassert its INTx line. 0: the
   interrupt was not this device's. */
uint8_t vp_read_isr(struct virtio_pci_dev *vp);
/* Device config reads; 64-bit ones retry until config_generation is stable. */
uint32_t vp_config_read32(struct virtio_pci_dev *vp, unsigned int off);
uint64_t vp_config_read64(struct virtio_pci_dev *vp, unsigned int off);

#endif
