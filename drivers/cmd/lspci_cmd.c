/* The `lspci` shell command, and names for PCI classes and the devices QEMU's PC has. */
#include "drivers/pci.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"

static const char *const class_names[] = {
	"unclassified",	 "mass storage", "network", "display", "multimedia", "memory",	   "bridge",
	"communication", "system",	 "input",   "docking", "processor",  "serial bus",
};

const char *pci_class_name(uint8_t class_code)
{
	return class_code < sizeof(class_names) / sizeof(class_names[0]) ? class_names[class_code]
									 : "other";
}

static const struct {
	uint16_t vendor, device;
	const char *name;
} known[] = {
	{0x8086, 0x1237, "Intel 440FX host bridge"},
	{0x8086, 0x7000, "Intel PIIX3 ISA bridge"},
	{0x8086, 0x7010, "Intel PIIX3 IDE"},
	{0x8086, 0x7113, "Intel PIIX4 ACPI"},
	{0x8086, 0x100e, "Intel e1000 Ethernet"},
	{0x1234, 0x1111, "QEMU standard VGA"},
	{0x1af4, 0x1000, "virtio network (transitional)"},
	{0x1af4, 0x1001, "virtio block (transitional)"},
	{0x1af4, 0x1041, "virtio network"},
	{0x1af4, 0x1042, "virtio block"},
};

const char *pci_device_name(uint16_t vendor, uint16_t device)
{
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].vendor == vendor && known[i].device == device)
			return known[i].name;
	return NULL;
}

static void show_irq(const struct pci_dev *d)
{
	if (d->msix_nvec) {
		kprintf("        irq: MSI-X, %d entries:", d->msix_nvec);
		for (int i = 0; i < d->msix_nvec; i++)
			kprintf(" %d->vector %#x", i, d->msix_vector[i]);
		kprintf("\n");
	} else if (d->irq_pin && d->intx_enabled) {
		kprintf("        irq: INT%c#, line %u -> GSI %d, vector %#x, level, shared (in "
			"use)\n",
			'A' + d->irq_pin - 1, d->irq_line, ioapic_isa_irq_to_gsi(d->irq_line),
			IRQ_BASE_VECTOR + d->irq_line);
	} else if (d->irq_pin) {
		kprintf("        irq: INT%c#, line %u (firmware's routing)\n", 'A' + d->irq_pin - 1,
			d->irq_line);
	}
}

static int cmd_lspci(int argc, char **argv)
{
	struct pci_dev *d;

	if (argc != 1)
		return shell_usage(argv[0]);
	if (list_empty(&pci_devices)) {
		kprintf("lspci: no PCI devices\n");
		return 0;
	}
	list_for_each_entry(d, &pci_devices, node) {
		const char *name = pci_device_name(d->vendor, d->device);

		kprintf("%02x:%02x.%u %04x:%04x class %02x%02x %-13s %s%s%s\n", d->bus, d->dev,
			d->fn, d->vendor, d->device, d->class_code, d->subclass,
			pci_class_name(d->class_code), name ? name : "",
			d->driver ? " driver " : "", d->driver ? d->driver : "");
		for (int i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &d->bar[i];

			if (!b->size)
				continue;
			if (b->io)
				kprintf("        BAR%d: I/O ports %#llx, %llu bytes\n", i,
					(unsigned long long)b->addr, (unsigned long long)b->size);
			else
				kprintf("        BAR%d: memory %#llx, %llu KiB, %s%s\n", i,
					(unsigned long long)b->addr,
					(unsigned long long)(b->size >> 10),
					b->is64 ? "64-bit" : "32-bit",
					b->prefetch ? ", prefetchable" : "");
		}
		show_irq(d);
	}
	return 0;
}
SHELL_COMMAND("lspci", "", "PCI devices: bus:dev.fn, vendor:device, class, name, BARs, IRQ",
	      cmd_lspci);
