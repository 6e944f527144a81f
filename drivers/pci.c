/*
 * PCI configuration space through I/O ports 0xcf8/0xcfc, the bus scan, and BAR sizing.
 *
 * One lock, pci_config_lock (interrupts off): it makes the write of the address port and the
 * access of the data port one step, so two CPUs never mix their addresses.
 */
#include "drivers/pci.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/cpu.h"
#include "mm/ioremap.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_CONFIG_ENABLE  0x80000000u

LIST_HEAD(pci_devices);
static unsigned int nr_devices;
static DEFINE_SPINLOCK(pci_config_lock);

/* Address of a config dword: enable bit, bus (23-16), device (15-11), function (10-8), offset. */
static uint32_t conf1_address(unsigned bus, unsigned dev, unsigned fn, unsigned where)
{
	return PCI_CONFIG_ENABLE | bus << 16 | dev << 11 | fn << 8 | (where & 0xfc);
}

/* size is 1, 2 or 4; where is aligned to it. The data port's byte lanes follow the offset. */
static uint32_t conf1_read(unsigned bus, unsigned dev, unsigned fn, unsigned where, int size)
{
	unsigned long flags;
	uint32_t v;

	spin_lock_irqsave(&pci_config_lock, flags);
	outl(PCI_CONFIG_ADDRESS, conf1_address(bus, dev, fn, where));
	if (size == 1)
		v = inb(PCI_CONFIG_DATA + (where & 3));
	else if (size == 2)
		v = inw(PCI_CONFIG_DATA + (where & 2));
	else
		v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&pci_config_lock, flags);
	return v;
}

static void conf1_write(unsigned bus, unsigned dev, unsigned fn, unsigned where, int size,
			uint32_t v)
{
	unsigned long flags;

	spin_lock_irqsave(&pci_config_lock, flags);
	outl(PCI_CONFIG_ADDRESS, conf1_address(bus, dev, fn, where));
	if (size == 1)
		outb(PCI_CONFIG_DATA + (where & 3), (uint8_t)v);
	else if (size == 2)
		outw(PCI_CONFIG_DATA + (where & 2), (uint16_t)v);
	else
		outl(PCI_CONFIG_DATA, v);
	spin_unlock_irqrestore(&pci_config_lock, flags);
}

static bool bad_offset(int where, int size)
{
	return where < 0 || where + size > 256 || (where & (size - 1));
}

#define PCI_OP(name, type, size)                                                                   \
	int pci_read_config_##name(const struct pci_dev *d, int where, type *val)                  \
	{                                                                                          \
		if (bad_offset(where, size))                                                       \
			return -EINVAL;                                                            \
		*val = (type)conf1_read(d->bus, d->dev, d->fn, (unsigned)where, size);             \
		return 0;                                                                          \
	}                                                                                          \
	int pci_write_config_##name(const struct pci_dev *d, int where, type val)                  \
	{                                                                                          \
		if (bad_offset(where, size))                                                       \
			return -EINVAL;                                                            \
		conf1_write(d->bus, d->dev, d->fn, (unsigned)where, size, val);                    \
		return 0;                                                                          \
	}
PCI_OP(byte, uint8_t, 1)
PCI_OP(word, uint16_t, 2)
PCI_OP(dword, uint32_t, 4)

/*
 * Sizing a BAR: with decoding off, write all ones; the device keeps the address bits it does
 * not implement at zero, so the value read back, with the type bits masked, is minus the size.
 * Then the original value goes back. Returns the number of slots used (2 for a 64-bit BAR).
 */
static int pci_size_bar(struct pci_dev *d, int i)
{
	int where = PCI_BASE_ADDRESS_0 + 4 * i;
	struct pci_bar *b = &d->bar[i];
	uint32_t lo, lo_mask, hi = 0, hi_mask = 0xffffffff;
	uint64_t mask;

	pci_read_config_dword(d, where, &lo);
	pci_write_config_dword(d, where, 0xffffffff);
	pci_read_config_dword(d, where, &lo_mask);
	pci_write_config_dword(d, where, lo);
	if (lo_mask == 0)
		return 1; /* no decoder behind this BAR: the device does not use it */
	b->io = lo & 1;
	if (b->io) {
		b->addr = lo & ~3u;
		b->size = (uint16_t) ~(lo_mask & ~3u) + 1u; /* I/O addresses are 16 bits on a PC */
		return 1;
	}
	b->prefetch = lo & 8;
	b->is64 = ((lo >> 1) & 3) == 2;
	if (b->is64 && i + 1 < PCI_NUM_BARS) {
		pci_read_config_dword(d, where + 4, &hi);
		pci_write_config_dword(d, where + 4, 0xffffffff);
		pci_read_config_dword(d, where + 4, &hi_mask);
		pci_write_config_dword(d, where + 4, hi);
	}
	b->addr = ((uint64_t)hi << 32 | lo) & ~0xfull;
	mask = ((uint64_t)hi_mask << 32 | lo_mask) & ~0xfull;
	if (!b->is64)
		mask |= 0xffffffff00000000ull;
	b->size = ~mask + 1;
	return b->is64 ? 2 : 1;
}

static void pci_read_bars(struct pci_dev *d)
{
	int nbars = d->header_type == 0 ? 6 : 2; /* a bridge has two */
	uint16_t cmd;

	/* Decoding off while a BAR holds all ones: it must not claim addresses meanwhile. */
	pci_read_config_word(d, PCI_COMMAND, &cmd);
	pci_write_config_word(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += pci_size_bar(d, i);
	pci_write_config_word(d, PCI_COMMAND, cmd);
}

static void pci_scan_bus(unsigned bus, int depth);

static void pci_scan_function(unsigned bus, unsigned dev, unsigned fn, int depth)
{
	uint32_t id = conf1_read(bus, dev, fn, PCI_VENDOR_ID, 4), cls;
	struct pci_dev *d;
	uint8_t secondary;

	if ((id & 0xffff) == 0xffff)
		return; /* nobody answers: the read floats high */
	d = kzalloc(sizeof(*d));
	if (!d) {
		pr_warn("pci: out of memory at %02x:%02x.%u\n", bus, dev, fn);
		return;
	}
	d->bus = bus, d->dev = dev, d->fn = fn;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	cls = conf1_read(bus, dev, fn, PCI_REVISION_ID, 4);
	d->revision = cls & 0xff;
	d->prog_if = (cls >> 8) & 0xff;
	d->subclass = (cls >> 16) & 0xff;
	d->class_code = cls >> 24;
	d->header_type = conf1_read(bus, dev, fn, PCI_HEADER_TYPE, 1) & 0x7f;
	d->irq_line = conf1_read(bus, dev, fn, PCI_INTERRUPT_LINE, 1);
	d->irq_pin = conf1_read(bus, dev, fn, PCI_INTERRUPT_PIN, 1);
	if (d->header_type == 0) {
		d->subsystem_vendor = conf1_read(bus, dev, fn, PCI_SUBSYSTEM_ID - 2, 2);
		d->subsystem_device = conf1_read(bus, dev, fn, PCI_SUBSYSTEM_ID, 2);
	}
	pci_read_bars(d);
	list_add_tail(&d->node, &pci_devices);
	nr_devices++;
	/* A PCI-to-PCI bridge: the devices behind it sit on its secondary bus. */
	if (d->header_type == 1 && depth < 8) {
		secondary = conf1_read(bus, dev, fn, PCI_SECONDARY_BUS, 1);
		if (secondary > bus)
			pci_scan_bus(secondary, depth + 1);
	}
}

static void pci_scan_bus(unsigned bus, int depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		unsigned nfn = 1;

		if ((conf1_read(bus, dev, 0, PCI_VENDOR_ID, 2)) == 0xffff)
			continue;
		if (conf1_read(bus, dev, 0, PCI_HEADER_TYPE, 1) & 0x80)
			nfn = 8; /* multi-function: functions 1-7 may exist too */
		for (unsigned fn = 0; fn < nfn; fn++)
			pci_scan_function(bus, dev, fn, depth);
	}
}

void pci_init(void)
{
	/* Mechanism #1 is there when the address port keeps what was written to it. */
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE);
	if (inl(PCI_CONFIG_ADDRESS) != PCI_CONFIG_ENABLE) {
		pr_warn("pci: no configuration mechanism #1 at port 0xcf8\n");
		return;
	}
	pci_scan_bus(0, 0);
	pr_info("pci: %u devices\n", nr_devices);
}

unsigned int pci_nr_devices(void)
{
	return nr_devices;
}

struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from)
{
	struct list_head *pos = from ? from->node.next : pci_devices.next;

	for (; pos != &pci_devices; pos = pos->next) {
		struct pci_dev *d = list_entry(pos, struct pci_dev, node);

		if ((vendor == 0xffff || d->vendor == vendor) &&
		    (device == 0xffff || d->device == device))
			return d;
	}
	return NULL;
}

static void pci_set_command_bits(struct pci_dev *d, uint16_t bits)
{
	uint16_t cmd;

	pci_read_config_word(d, PCI_COMMAND, &cmd);
	if ((cmd & bits) != bits)
		pci_write_config_word(d, PCI_COMMAND, cmd | bits);
}

void pci_enable_device(struct pci_dev *d)
{
	uint16_t bits = 0;

	for (int i = 0; i < PCI_NUM_BARS; i++)
		if (d->bar[i].size)
			bits |= d->bar[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	pci_set_command_bits(d, bits);
}

void pci_set_master(struct pci_dev *d)
{
	pci_set_command_bits(d, PCI_COMMAND_MASTER);
}

void pci_intx(struct pci_dev *d, bool enable)
{
	uint16_t cmd, want;

	pci_read_config_word(d, PCI_COMMAND, &cmd);
	want = enable ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE;
	if (want != cmd)
		pci_write_config_word(d, PCI_COMMAND, want);
}

bool pci_msi_disabled(void)
{
	const char *v = cmdline_get("pci");

	return v && strcmp(v, "nomsi") == 0;
}

int pci_find_next_capability(const struct pci_dev *d, int pos, uint8_t cap_id)
{
	uint16_t status;
	uint8_t next = 0, id = 0;

	pci_read_config_word(d, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;
	if (pos == 0)
		pci_read_config_byte(d, PCI_CAPABILITY_LIST, &next);
	else
		pci_read_config_byte(d, pos + 1, &next);
	/* At most 48 capabilities fit in the 192 bytes after the header: a bound against a loop. */
	for (int n = 0; n < 48 && next >= 0x40; n++) {
		next &= ~3;
		pci_read_config_byte(d, next, &id);
		if (id == cap_id)
			return next;
		pci_read_config_byte(d, next + 1, &next);
	}
	return 0;
}

void *pci_iomap(struct pci_dev *d, int bar)
{
	if (bar < 0 || bar >= PCI_NUM_BARS || d->bar[bar].io || !d->bar[bar].size ||
	    !d->bar[bar].addr)
		return NULL;
	return ioremap(d->bar[bar].addr, d->bar[bar].size);
}
