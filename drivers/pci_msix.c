/*
 * MSI-X: a device's interrupts as memory writes (see kernel/msi.h for the message format).
 *
 * The MSI-X capability in config space says how many entries the device has (Message Control
 * bits 10-0, plus one) and where its table is: a BAR and an offset in it. Each table entry is
 * 16 bytes in device memory: message address (low, high), message data, and a vector-control
 * word whose bit 0 masks the entry. To raise interrupt i the device writes entry i's data to
 * entry i's address. Which interrupt means what is the device's business (virtio: the
 * queue_msix_vector register names the entry of each queue).
 *
 * Called by the driver that owns the device, from its probe or remove; no lock of its own.
 * With pci=nomsi on the command line pci_msix_enable() refuses (-EPERM): drivers then use the
 * INTx line (drivers/pci.h: pci_intx).
 */
#include "drivers/pci.h"
#include "kernel/msi.h"
#include "lib/errno.h"

#define PCI_MSIX_FLAGS	       2 /* Message Control, in the capability */
#define PCI_MSIX_FLAGS_QSIZE   0x07ff
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE	       4 /* BAR indicator (bits 2-0) and offset */
#define PCI_MSIX_ENTRY_SIZE    16
#define PCI_MSIX_ENTRY_ADDR_LO 0
#define PCI_MSIX_ENTRY_ADDR_HI 4
#define PCI_MSIX_ENTRY_DATA    8
#define PCI_MSIX_ENTRY_CTRL    12
#define PCI_MSIX_ENTRY_MASKED  1

static volatile uint32_t *msix_entry(struct pci_dev *d, int entry, int reg)
{
	return (volatile uint32_t *)((char *)d->msix_table + entry * PCI_MSIX_ENTRY_SIZE + reg);
}

int pci_msix_enable(struct pci_dev *d, int nvec)
{
	int cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	uint16_t ctrl;
	uint32_t table;
	char *base;

	if (!cap)
		return -ENODEV;
	if (pci_msi_disabled())
		return -EPERM;
	pci_read_config_word(d, cap + PCI_MSIX_FLAGS, &ctrl);
	pci_read_config_dword(d, cap + PCI_MSIX_TABLE, &table);
	if (nvec <= 0 || nvec > (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1 ||
	    nvec > (int)(sizeof(d->msix_vector) / sizeof(d->msix_vector[0])))
		return -EINVAL;
	base = pci_iomap(d, table & 7);
	if (!base)
		return -ENOMEM;
	d->msix_table = base + (table & ~7u);
	for (int i = 0; i < nvec; i++) {
		*msix_entry(d, i, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_MASKED;
		d->msix_vector[i] = -1;
	}
	d->msix_nvec = nvec;
	/* The wire interrupt off, MSI-X on; the function mask stays off: entries mask alone. */
	pci_read_config_word(d, PCI_COMMAND, &ctrl);
	pci_write_config_word(d, PCI_COMMAND, ctrl | PCI_COMMAND_INTX_DISABLE);
	pci_read_config_word(d, cap + PCI_MSIX_FLAGS, &ctrl);
	ctrl = (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL;
	pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctrl);
	return 0;
}

int pci_msix_request(struct pci_dev *d, int entry, void (*handler)(void *data), void *data,
		     const char *name)
{
	struct msi_msg msg;
	int vector;

	if (entry < 0 || entry >= d->msix_nvec || d->msix_vector[entry] >= 0)
		return -EINVAL;
	vector = request_msi_irq(handler, data, name, &msg);
	if (vector < 0)
		return vector;
	d->msix_vector[entry] = vector;
	*msix_entry(d, entry, PCI_MSIX_ENTRY_ADDR_LO) = msg.address_lo;
	*msix_entry(d, entry, PCI_MSIX_ENTRY_ADDR_HI) = msg.address_hi;
	*msix_entry(d, entry, PCI_MSIX_ENTRY_DATA) = msg.data;
	*msix_entry(d, entry, PCI_MSIX_ENTRY_CTRL) = 0; /* unmasked */
	return 0;
}

void pci_msix_disable(struct pci_dev *d)
{
	int cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	uint16_t ctrl;

	if (!cap || !d->msix_nvec)
		return;
	for (int i = 0; i < d->msix_nvec; i++)
		*msix_entry(d, i, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_MASKED;
	pci_read_config_word(d, cap + PCI_MSIX_FLAGS, &ctrl);
	pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctrl & ~PCI_MSIX_FLAGS_ENABLE);
	for (int i = 0; i < d->msix_nvec; i++)
		free_msi_irq(d->msix_vector[i]);
	d->msix_nvec = 0;
}
