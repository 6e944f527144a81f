/*
 * I/O APIC programming (see ioapic.h). Two 32-bit MMIO registers per chip: IOREGSEL at offset
 * 0x00 selects a register, IOWIN at offset 0x10 reads or writes it. Register 0x01 is the
 * version (bits 0-7) and the highest input number (bits 16-23); input i's redirection entry is
 * registers 0x10 + 2i (low half: vector, flags, mask) and 0x11 + 2i (high half: destination).
 */
#include <stddef.h>
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"

#define IOREGSEL	  0x00
#define IOWIN		  0x10
#define IOAPIC_VER	  0x01
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))

static struct ioapic chips[ACPI_MAX_IOAPICS];
static unsigned nchips;
static struct acpi_override overrides[ACPI_MAX_OVERRIDES];
static unsigned noverrides;

static uint32_t ioapic_read(const struct ioapic *a, uint32_t reg)
{
	volatile uint32_t *base = phys_to_virt(a->phys);

	base[IOREGSEL / 4] = reg;
	return base[IOWIN / 4];
}

static void ioapic_write(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	volatile uint32_t *base = phys_to_virt(a->phys);

	base[IOREGSEL / 4] = reg;
	base[IOWIN / 4] = v;
}

unsigned ioapic_init(const struct acpi_madt_info *madt)
{
	nchips = noverrides = 0;
	if (!madt)
		return 0;
	for (unsigned i = 0; i < madt->noverrides; i++)
		overrides[noverrides++] = madt->overrides[i];
	for (unsigned i = 0; i < madt->nioapics; i++) {
		struct ioapic *a = &chips[nchips];
		uint32_t ver;

		a->id = madt->ioapics[i].id;
		a->phys = madt->ioapics[i].phys_addr;
		a->gsi_base = madt->ioapics[i].gsi_base;
		ver = ioapic_read(a, IOAPIC_VER);
		if (ver == 0xffffffff)
			continue; /* reads of an address where no device answers */
		a->version = (uint8_t)ver;
		a->nentries = ((ver >> 16) & 0xff) + 1;
		for (unsigned pin = 0; pin < a->nentries; pin++) {
			ioapic_write(a, IOAPIC_REDIR(pin), (uint32_t)IOAPIC_MASKED);
			ioapic_write(a, IOAPIC_REDIR(pin) + 1, 0);
		}
		nchips++;
	}
	return nchips;
}

const struct ioapic *ioapic_get(unsigned i)
{
	return i < nchips ? &chips[i] : NULL;
}

static const struct acpi_override *isa_override(unsigned isa_irq)
{
	for (unsigned i = 0; i < noverrides; i++)
		if (overrides[i].source == isa_irq)
			return &overrides[i];
	return NULL;
}

/* The chip with an input for gsi, or NULL. */
static const struct ioapic *chip_for_gsi(uint32_t gsi)
{
	for (unsigned i = 0; i < nchips; i++)
		if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].nentries)
			return &chips[i];
	return NULL;
}

int ioapic_isa_irq_to_gsi(unsigned isa_irq)
{
	const struct acpi_override *o;
	uint32_t gsi = isa_irq;

	if (isa_irq >= ISA_IRQS)
		return -EINVAL;
	o = isa_override(isa_irq);
	if (o) {
		gsi = o->gsi;
	} else {
		/* Identity mapped, unless another IRQ was moved onto this pin (IRQ 0 onto 2). */
		for (unsigned i = 0; i < noverrides; i++)
			if (overrides[i].gsi == isa_irq)
				return -EINVAL;
	}
	return chip_for_gsi(gsi) ? (int)gsi : -ENODEV;
}

/* The chip and input that receive ISA IRQ isa_irq; returns 0 or -EINVAL/-ENODEV. */
static int isa_pin(unsigned isa_irq, const struct ioapic **chip, uint32_t *pin)
{
	int gsi = ioapic_isa_irq_to_gsi(isa_irq);

	if (gsi < 0)
		return gsi;
	*chip = chip_for_gsi((uint32_t)gsi);
	*pin = (uint32_t)gsi - (*chip)->gsi_base;
	return 0;
}

/* The chip and input that receive gsi; returns 0 or -ENODEV. */
static int gsi_pin(uint32_t gsi, const struct ioapic **chip, uint32_t *pin)
{
	*chip = chip_for_gsi(gsi);
	if (!*chip)
		return -ENODEV;
	*pin = gsi - (*chip)->gsi_base;
	return 0;
}

static void write_entry(const struct ioapic *a, uint32_t pin, unsigned vector,
			uint32_t dest_apic_id, bool level, bool active_low)
{
	uint64_t low = IOAPIC_MASKED | vector;

	if (active_low)
		low |= IOAPIC_ACTIVE_LOW;
	if (level)
		low |= IOAPIC_LEVEL;
	/* The low half first: it masks the input before the destination changes under it. */
	ioapic_write(a, IOAPIC_REDIR(pin), (uint32_t)low);
	ioapic_write(a, IOAPIC_REDIR(pin) + 1, dest_apic_id << (IOAPIC_DEST_SHIFT - 32));
}

/* Vectors below 32 are exceptions, 0xff is the local APIC's spurious vector. */
static bool bad_route(unsigned vector, uint32_t dest_apic_id)
{
	return vector < FIRST_IRQ_VECTOR || vector >= 0xff || dest_apic_id > 0xff;
}

int ioapic_route_isa_irq(unsigned isa_irq, unsigned vector, uint32_t dest_apic_id)
{
	const struct acpi_override *o = isa_override(isa_irq);
	const struct ioapic *a;
	uint32_t pin;
	int err;

	if (bad_route(vector, dest_apic_id))
		return -EINVAL;
	err = isa_pin(isa_irq, &a, &pin);
	if (err)
		return err;
	write_entry(a, pin, vector, dest_apic_id, o && o->level, o && o->active_low);
	return 0;
}

int ioapic_route_gsi(uint32_t gsi, unsigned vector, uint32_t dest_apic_id, bool level,
		     bool active_low)
{
	const struct ioapic *a;
	uint32_t pin;
	int err;

	if (bad_route(vector, dest_apic_id))
		return -EINVAL;
	err = gsi_pin(gsi, &a, &pin);
	if (err)
		return err;
	write_entry(a, pin, vector, dest_apic_id, level, active_low);
	return 0;
}

bool ioapic_isa_override(unsigned isa_irq, bool *level, bool *active_low)
{
	const struct acpi_override *o = isa_irq < ISA_IRQS ? isa_override(isa_irq) : NULL;

	if (!o)
		return false;
	*level = o->level;
	*active_low = o->active_low;
	return true;
}

static void set_pin_masked(const struct ioapic *a, uint32_t pin, bool masked)
{
	uint32_t low = ioapic_read(a, IOAPIC_REDIR(pin));

	low = masked ? low | (uint32_t)IOAPIC_MASKED : low & ~(uint32_t)IOAPIC_MASKED;
	ioapic_write(a, IOAPIC_REDIR(pin), low);
}

static int set_masked(unsigned isa_irq, bool masked)
{
	const struct ioapic *a;
	uint32_t pin;
	int err = isa_pin(isa_irq, &a, &pin);

	if (err)
		return err;
	set_pin_masked(a, pin, masked);
	return 0;
}

int ioapic_mask_isa_irq(unsigned isa_irq)
{
	return set_masked(isa_irq, true);
}

int ioapic_unmask_isa_irq(unsigned isa_irq)
{
	return set_masked(isa_irq, false);
}

int ioapic_mask_gsi(uint32_t gsi)
{
	const struct ioapic *a;
	uint32_t pin;
	int err = gsi_pin(gsi, &a, &pin);

	if (!err)
		set_pin_masked(a, pin, true);
	return err;
}

int ioapic_unmask_gsi(uint32_t gsi)
{
	const struct ioapic *a;
	uint32_t pin;
	int err = gsi_pin(gsi, &a, &pin);

	if (!err)
		set_pin_masked(a, pin, false);
	return err;
}

int ioapic_read_gsi(uint32_t gsi, uint64_t *entry)
{
	const struct ioapic *a;
	uint32_t pin;
	int err = gsi_pin(gsi, &a, &pin);

	if (err)
		return err;
	*entry = ((uint64_t)ioapic_read(a, IOAPIC_REDIR(pin) + 1) << 32) |
		 ioapic_read(a, IOAPIC_REDIR(pin));
	return 0;
}

int ioapic_read_isa_irq(unsigned isa_irq, uint64_t *entry)
{
	const struct ioapic *a;
	uint32_t pin;
	int err = isa_pin(isa_irq, &a, &pin);

	if (err)
		return err;
	*entry = ((uint64_t)ioapic_read(a, IOAPIC_REDIR(pin) + 1) << 32) |
		 ioapic_read(a, IOAPIC_REDIR(pin));
	return 0;
}
