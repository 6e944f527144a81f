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

/* The tick count the clock (ktime_ns) says it is now: jiffies, or more when CPU 0's tick is
   late. A timeout counts its ticks from here: from jiffies, it could start a tick early. */
uint64_t jiffies_now(void);
/* Measures the APIC timer against the TSC and installs the tick handler (boot CPU, once). */
void tick_init(void);
/* Starts this CPU's periodic timer. */
void tick_start_this_cpu(void);

#endif
