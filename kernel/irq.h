/*
 * Interrupt bookkeeping that is not any one device's: spurious interrupts (the local APIC's
 * vector 0xff and the masked 8259s' IRQ 7/15) are counted and otherwise ignored; neither gets
 * an EOI, as the hardware did not record them as in service.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdint.h>

void irq_init(void);
uint64_t irq_spurious_count(void);

#endif
