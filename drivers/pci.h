/*
 * PCI: the configuration space, the devices found on the buses, their BARs, and MSI-X.
 *
 * Every PCI function has 256 bytes of configuration space: who it is (vendor, device, class),
 * its command and status registers, six Base Address Registers (where its registers appear in
 * memory or I/O space), its interrupt pin, and a linked list of capabilities (MSI-X, and the
 * vendor-specific ones virtio uses). A PC reaches it through two I/O ports ("configuration
 * mechanism #1"): write the address of a dword to 0xcf8, then read or write it at 0xcfc.
 *
 * pci_init() scans bus 0 and every bus behind a PCI-to-PCI bridge once at boot; the list of
 * devices does not change afterwards, so walking it needs no lock. Config accesses take
 * pci_config_lock (drivers/pci.c), because the address/data port pair is shared by all CPUs.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/list.h"

/* Offsets in the configuration space header (type 0: a device; type 1: a bridge). */
#define PCI_VENDOR_ID	    0x00
#define PCI_DEVICE_ID	    0x02
#define PCI_COMMAND	    0x04
#define PCI_STATUS	    0x06
#define PCI_REVISION_ID	    0x08 /* then prog-if, subclass, class */
#define PCI_HEADER_TYPE	    0x0e /* bit 7: a multi-function device */
#define PCI_BASE_ADDRESS_0  0x10 /* six BARs, 4 bytes each */
#define PCI_SECONDARY_BUS   0x19 /* type 1 */
#define PCI_SUBSYSTEM_ID    0x2e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE  0x3c /* what the firmware wrote: the 8259/ISA IRQ it routed */
#define PCI_INTERRUPT_PIN   0x3d /* 1-4: INTA#-INTD#, 0: none */

#define PCI_COMMAND_IO		 0x0001 /* answer I/O-space BARs */
#define PCI_COMMAND_MEMORY	 0x0002 /* answer memory BARs */
#define PCI_COMMAND_MASTER	 0x0004 /* may start DMA (bus mastering) */
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_CAP_LIST 0x0010

#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VNDR 0x09 /* vendor specific: virtio's transport structures */

#define PCI_NUM_BARS 6

struct pci_bar {
	uint64_t addr; /* bus address (= physical on a PC); 0: none */
	uint64_t size;
	bool io;   /* I/O ports, else memory */
	bool is64; /* a 64-bit memory BAR (it takes two slots: the next one is empty) */
	bool prefetch;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* 0: device, 1: PCI-to-PCI bridge */
	uint8_t irq_pin, irq_line;
	struct pci_bar bar[PCI_NUM_BARS];
	/* Set by the driver that took the device. */
	const char *driver;
	int msix_nvec;	       /* MSI-X entries enabled, 0: none */
	int msix_vector[4];    /* the CPU vector of the first entries, for lspci */
	void *msix_table;      /* the mapped MSI-X table */
	bool intx_enabled;     /* the driver took the INTx line (irq_line) instead */
	struct list_head node; /* in pci_devices */
};

extern struct list_head pci_devices;

/* Scans the buses and fills pci_devices. Boot CPU, once, after mm_init. */
void pci_init(void);
unsigned int pci_nr_devices(void);

/* Config space, naming Linux's: 0 or -EINVAL for an offset past 255 or not aligned to the
   size. */
int pci_read_config_byte(const struct pci_dev *d, int where, uint8_t *val);
int pci_read_config_word(const struct pci_dev *d, int where, uint16_t *val);
int pci_read_config_dword(const struct pci_dev *d, int where, uint32_t *val);
int pci_write_config_byte(const struct pci_dev *d, int where, uint8_t val);
int pci_write_config_word(const struct pci_dev *d, int where, uint16_t val);
int pci_write_config_dword(const struct pci_dev *d, int where, uint32_t val);

/* The next device after from (NULL: the first) with this vendor and device id (0xffff: any). */
struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from);

/* Turns on decoding of the device's I/O and memory BARs. */
void pci_enable_device(struct pci_dev *d);
/* Lets the device start DMA on its own (bus mastering). */
void pci_set_master(struct pci_dev *d);

/* Config-space offset of the first capability with this id after pos (0: from the start), or
   0 when there is none. */
int pci_find_next_capability(const struct pci_dev *d, int pos, uint8_t cap_id);
static inline int pci_find_capability(const struct pci_dev *d, uint8_t cap_id)
{
	return pci_find_next_capability(d, 0, cap_id);
}

/* Maps memory BAR i uncached; NULL when it is absent, I/O space, or the mapping failed. */
void *pci_iomap(struct pci_dev *d, int bar);

/*
 * MSI-X (drivers/pci_msix.c): entry i of the device's table gets the message of a fresh vector
 * whose interrupts call handler(data). pci_msix_enable() maps the table and turns MSI-X on
 * with all nvec entries masked; pci_msix_request() fills and unmasks one. Both return 0 or a
 * negative errno (-ENODEV: no MSI-X capability; -EINVAL: too many entries).
 */
int pci_msix_enable(struct pci_dev *d, int nvec);
int pci_msix_request(struct pci_dev *d, int entry, void (*handler)(void *data), void *data,
		     const char *name);
/* Masks every entry, turns MSI-X off and frees the vectors. */
void pci_msix_disable(struct pci_dev *d);
/* True when the kernel command line says pci=nomsi: pci_msix_enable() then refuses with
   -EPERM, and drivers fall back to the INTx line. */
bool pci_msi_disabled(void);

/*
 * The legacy INTx wire (drivers/pci.c): turns the command register's INTx-disable bit off
 * (enable) or on. A driver that uses it requests the line with request_shared_irq(irq_line...)
 * (kernel/irq.h) and sets intx_enabled, for lspci.
 */
void pci_intx(struct pci_dev *d, bool enable);

/* A name for the class (e.g. "mass storage"), and for the devices we know (NULL otherwise). */
const char *pci_class_name(uint8_t class_code);
const char *pci_device_name(uint16_t vendor, uint16_t device);

#endif
