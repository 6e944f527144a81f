/*
 * The CMOS real-time clock of the PC (the MC146818 and its successors in the chipset): a
 * battery-backed calendar the firmware keeps, read once at boot to learn the wall time.
 */
#ifndef ARCH_X86_64_RTC_H
#define ARCH_X86_64_RTC_H

#include <stdint.h>

/* The RTC's date and time as seconds since 1970-01-01 00:00 UTC (the RTC is taken to hold
   UTC, as QEMU's does by default); 0 when it reads as nonsense. Busy-waits up to ~2 ms for an
   update in progress to end. */
uint64_t rtc_read_seconds(void);

#endif
