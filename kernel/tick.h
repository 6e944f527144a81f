/*
 * The periodic tick: each CPU's local APIC timer interrupts it HZ times a second. The tick counts
 * time (jiffies, advanced by CPU 0 from the TSC clock) and drives the scheduler and RCU.
 */
#ifndef KERNEL_TICK_H
#define KERNEL_TICK_H

#include <stdint.h>

#define HZ 100
#define TICK_NSEC (1000000000ULL / HZ)

extern volatile uint64_t jiffies;
extern uint32_t lapic_ticks_per_ms; /* the local APIC timer's rate, measured at boot */

/* Measures the APIC timer against the TSC and installs the tick handler (boot CPU, once). */
void tick_init(void);
/* Starts this CPU's periodic timer. */
void tick_start_this_cpu(void);

#endif
