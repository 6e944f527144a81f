/*
 * Time from the time-stamp counter. The TSC counts at a fixed rate from power-on; we measure that
 * rate once against the PIT (a crystal of known frequency, 1.193182 MHz) and convert from then on.
 */
#ifndef ARCH_X86_64_TSC_H
#define ARCH_X86_64_TSC_H

#include <stdint.h>

extern uint64_t tsc_khz;	/* 0 until calibrated */

/* Measures the TSC against 10 ms of PIT channel 2. Returns the rate in kHz. */
uint64_t tsc_calibrate(void);
/* Converts a TSC delta to nanoseconds (0 before calibration). */
uint64_t tsc_to_ns(uint64_t delta);
/* Nanoseconds since power-on (TSC 0). */
uint64_t ktime_ns(void);
/* Busy-waits for at least us microseconds. */
void udelay(uint64_t us);

#endif
