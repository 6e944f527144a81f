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
/* Interrupts taken on ISA IRQ isa_irq since boot, and the name its handler was given (NULL:
   none, or no such IRQ). */
uint64_t irq_count(unsigned isa_irq);
const char *irq_name(unsigned isa_irq);

#endif
