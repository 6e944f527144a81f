/*
 * ACPI tables, as far as SMP bring-up needs them: the RSDP (found by GRUB and copied into the
 * multiboot2 information), the RSDT or XSDT it points to, and the MADT ("APIC" table), which
 * lists the local APIC of every CPU, the I/O APICs, and the interrupt source overrides that
 * say where ISA IRQs really arrive.
 *
 * Parsing is pure: it reads the tables through the direct map and fills struct acpi_madt_info;
 * it prints nothing. The caller reports errors (arch code has no printk).
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include <stdint.h>
#include <stdbool.h>

#define ACPI_MAX_CPUS	  64
#define ACPI_MAX_IOAPICS  8
#define ACPI_MAX_OVERRIDES 16

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool x2apic;	/* listed as a processor x2APIC structure */
};

struct acpi_ioapic {
	uint32_t id;
	uint32_t phys_addr;
	uint32_t gsi_base; /* first global system interrupt it handles */
};

/* ISA IRQ "source" arrives at global system interrupt "gsi", with this polarity/trigger. */
struct acpi_override {
	uint8_t source;
	uint32_t gsi;
	bool active_low;
	bool level;
};

struct acpi_madt_info {
	uint64_t lapic_phys;
	bool has_8259;	/* PC-AT compatible dual 8259 present: mask it */
	unsigned ncpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned ncpus_skipped; /* disabled, not online-capable, or past ACPI_MAX_CPUS */
	unsigned nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned noverrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	char oem_id[7];
	uint8_t revision; /* of the RSDP: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
};

/*
 * Reads the MADT through the RSDP copy rsdp (the new one when the loader gave it, else the old
 * one). Returns 0, or a negative errno with *why set to a short explanation.
 */
int acpi_read_madt(const void *rsdp, struct acpi_madt_info *out, const char **why);

/* ACPI checksum rule: the bytes of a table sum to 0 modulo 256. */
bool acpi_checksum_ok(const void *p, uint32_t len);

#endif
