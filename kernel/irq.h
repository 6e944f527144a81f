/*
 * Interrupts from devices, and the bookkeeping that is not any one device's.
 *
 * Devices: request_irq() gives an ISA IRQ a handler. The IRQ's I/O APIC input is programmed to
 * send vector IRQ_BASE_VECTOR + irq to the boot CPU; every such vector enters irq_dispatch
 * (kernel/irq.c), which counts the interrupt, calls the handler with interrupts off, and then
 * signals the end of the interrupt (EOI) to the local APIC. Handlers must not send an EOI
 * themselves. The `irqs` shell command lists the requested IRQs and their counts.
 *
 * Spurious interrupts (the local APIC's vector 0xff and the masked 8259s' IRQ 7/15) are counted
 * and otherwise ignored; neither gets an EOI, as the hardware did not record them as in service.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/trap.h"

/*
 * Installs the spurious-interrupt handlers, maps the I/O APICs that madt lists (NULL: there is
 * no MADT) and masks all their inputs. Boot CPU, once, before interrupts are enabled.
 */
void irq_init(const struct acpi_madt_info *madt);
uint64_t irq_spurious_count(void);

/*
 * Makes handler the handler of ISA IRQ isa_irq (0-15) and starts its delivery to the boot CPU.
 * name is shown by the `irqs` command and must stay valid. Returns 0, -EINVAL (bad IRQ or no
 * handler), -EBUSY (the IRQ already has a handler), or -ENODEV (no I/O APIC receives it).
 */
int request_irq(unsigned isa_irq, void (*handler)(struct trap_frame *), const char *name);
/*
 * A shared, level-triggered line: a PCI device's INTx, which the firmware routed to ISA IRQ
 * isa_irq (its config space's interrupt line; on QEMU's PIIX 5, 9, 10 or 11). Up to
 * IRQ_MAX_SHARED handlers on one line, each called as handler(data) with interrupts off on
 * every interrupt of the line. A handler must find out from its device whether the interrupt
 * was its own (virtio: read the ISR status register), make the device deassert the line if
 * so, and return true; false otherwise. The EOI follows the last handler, so the I/O APIC sees
 * the line deasserted when the EOI clears its remote IRR bit.
 *
 * The line is level triggered; its polarity is the MADT override's for that IRQ when it has
 * one that says level (QEMU's: active high), else PCI's default, active low. Returns 0,
 * -EINVAL (bad IRQ or no handler), -EBUSY (an edge handler from request_irq owns the IRQ, or
 * IRQ_MAX_SHARED handlers already), -ENODEV (no I/O APIC input).
 */
#define IRQ_MAX_SHARED 4
int request_shared_irq(unsigned isa_irq, bool (*handler)(void *data), void *data, const char *name);
/* Removes the handler that was given data; the line is masked when it was the last. The device
   must no longer interrupt. */
void free_shared_irq(unsigned isa_irq, void *data);
/* True when isa_irq is a shared level-triggered line; interrupts on it no handler claimed. */
bool irq_is_shared(unsigned isa_irq);
uint64_t irq_unhandled_count(unsigned isa_irq);
/* The name of the i-th handler on a shared line (NULL past the last). */
const char *irq_shared_name(unsigned isa_irq, unsigned i);

/* Interrupts taken on ISA IRQ isa_irq since boot, and the name its handler was given (NULL:
   none, or no such IRQ). */
uint64_t irq_count(unsigned isa_irq);
const char *irq_name(unsigned isa_irq);

#endif
