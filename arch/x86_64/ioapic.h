/*
 * The I/O APIC: the chip that turns device interrupt lines into messages to local APICs. Each
 * I/O APIC has a row of inputs ("pins"); input i of an I/O APIC whose first global system
 * interrupt (GSI) is gsi_base receives GSI gsi_base + i. Each input has a 64-bit redirection
 * entry saying which vector to send, to which CPU, how the line signals (edge or level, active
 * high or low), and whether it is masked.
 *
 * The 16 legacy ISA IRQs normally arrive at GSI 0-15 (IRQ n at GSI n, edge, active high), but
 * the ACPI MADT may move one elsewhere or change its polarity and trigger with an interrupt
 * source override; on PCs the timer's IRQ 0 usually arrives at GSI 2. The functions below take
 * ISA IRQ numbers and apply the overrides.
 *
 * Registers are reached indirectly: write a register index to IOREGSEL, then read or write it
 * through IOWIN. That pair is not atomic, so callers serialize (kernel/irq.c holds irq_lock).
 * The registers must already be mapped uncached at their direct-map address (kernel/irq.c maps
 * them with ioremap before ioapic_init; arch code cannot call into mm/).
 */
#ifndef ARCH_X86_64_IOAPIC_H
#define ARCH_X86_64_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/acpi.h"

#define ISA_IRQS 16

/* Bits of a redirection entry (the 82093AA datasheet, section 3.2.4). */
#define IOAPIC_VECTOR_MASK 0xffULL
#define IOAPIC_ACTIVE_LOW  (1ULL << 13)
#define IOAPIC_REMOTE_IRR  (1ULL << 14) /* level: accepted, no EOI yet (read only) */
#define IOAPIC_LEVEL	   (1ULL << 15)
#define IOAPIC_MASKED	   (1ULL << 16)
#define IOAPIC_DEST_SHIFT  56 /* physical destination mode: the target's 8-bit APIC id */
/* Delivery mode (bits 8-10) 0 = fixed, destination mode (bit 11) 0 = physical: both left 0. */

struct ioapic {
	uint32_t id;	   /* from the MADT */
	uint32_t phys;	   /* register base */
	uint32_t gsi_base; /* input i receives GSI gsi_base + i */
	unsigned nentries; /* redirection entries: the version register's maximum + 1 */
	uint8_t version;
};

/*
 * Takes the I/O APICs and ISA overrides the MADT lists, reads each chip's version and number of
 * inputs, and masks every input. Returns how many I/O APICs it found (0: none, or madt NULL).
 */
unsigned ioapic_init(const struct acpi_madt_info *madt);
/* The i-th I/O APIC, or NULL past the last. */
const struct ioapic *ioapic_get(unsigned i);

/* The GSI where ISA IRQ isa_irq arrives, or -EINVAL (no such IRQ, or its pin taken by another
   IRQ's override), or -ENODEV (no I/O APIC receives that GSI). */
int ioapic_isa_irq_to_gsi(unsigned isa_irq);
/*
 * Programs the entry of ISA IRQ isa_irq: send vector (32-254) to the local APIC dest_apic_id
 * (physical mode: 0-255), fixed delivery, with the MADT's polarity and trigger (ISA default:
 * edge, active high). The entry is left masked; ioapic_unmask_isa_irq() starts delivery.
 * Returns 0, -EINVAL for a bad argument, or -ENODEV when no I/O APIC receives the IRQ.
 */
int ioapic_route_isa_irq(unsigned isa_irq, unsigned vector, uint32_t dest_apic_id);
int ioapic_mask_isa_irq(unsigned isa_irq);
int ioapic_unmask_isa_irq(unsigned isa_irq);
/* Reads the redirection entry of ISA IRQ isa_irq into *entry. Returns 0 or as above. */
int ioapic_read_isa_irq(unsigned isa_irq, uint64_t *entry);

/*
 * The same by GSI, with the trigger and polarity the caller says (for PCI INTx lines: level
 * triggered; kernel/irq.c decides their polarity). A level-triggered entry sets its remote IRR
 * bit when a local APIC accepts the interrupt and sends no other until that APIC's EOI clears
 * it; the EOI is broadcast to the I/O APICs by the local APIC for vectors it took as level.
 * Entries are left masked. 0, -EINVAL (bad vector or destination), -ENODEV (no such GSI).
 */
int ioapic_route_gsi(uint32_t gsi, unsigned vector, uint32_t dest_apic_id, bool level,
		     bool active_low);
int ioapic_mask_gsi(uint32_t gsi);
int ioapic_unmask_gsi(uint32_t gsi);
int ioapic_read_gsi(uint32_t gsi, uint64_t *entry);
/* True when the MADT has an interrupt source override for isa_irq; its trigger and polarity
   (false/false for the bus's "conforming" default) in *level and *active_low. */
bool ioapic_isa_override(unsigned isa_irq, bool *level, bool *active_low);

#endif
