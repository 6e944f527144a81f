/*
 * The local APIC: each CPU's interrupt controller. It receives interrupts (from the I/O APIC, from
 * other CPUs as IPIs, from its own timer), delivers them by vector, and needs an EOI write at
 * the end of each handler. Two programming models: xAPIC (registers in a 4 KiB MMIO page,
 * normally at 0xfee00000) and x2APIC (the same registers as MSRs 0x800 + offset/16, 32-bit APIC
 * ids, one 64-bit write for an IPI). We use x2APIC when CPUID offers it (KVM does; QEMU 7.2 TCG
 * does not) and xAPIC otherwise.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdint.h>
#include <stdbool.h>

#define APIC_SPURIOUS_VECTOR 0xff

/* Chooses the mode and maps nothing: xAPIC registers are reached through the direct map. */
void lapic_setup(uint64_t lapic_phys);
/* Enables this CPU's local APIC (spurious vector, task priority 0). Run on every CPU. */
void lapic_enable(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Fixed-vector IPI to one CPU. Waits for the previous one to be accepted in xAPIC mode. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* An NMI to one CPU: it arrives even when that CPU has interrupts disabled. */
void lapic_send_nmi(uint32_t apic_id);
/* INIT, then the two startup IPIs the MP protocol asks for, with their delays. */
void lapic_start_ap(uint32_t apic_id, uint32_t trampoline_phys);

/* The timer: one-shot or periodic, counting down from count at bus clock / 16. */
void lapic_timer_periodic(uint8_t vector, uint32_t count);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);
/* Counts the timer's ticks per millisecond against the TSC. */
uint32_t lapic_timer_calibrate(void);

#endif
