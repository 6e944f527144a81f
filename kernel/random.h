/*
 * Random bytes for the kernel and for getrandom(2) (kernel/random.c). NOT cryptographic: a
 * reader who needs secrets should not trust them (see the top of random.c).
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>
#include <stdbool.h>

#define GRND_NONBLOCK 0x0001
#define GRND_RANDOM   0x0002
#define GRND_INSECURE 0x0004

/* Seeds the generator from the TSC and the RTC's boot time, and looks for RDRAND. Boot, once,
   after timekeeping_init(). */
void random_init(void);
/* Fills buf with n random bytes. Any context but NMI; does not sleep. */
void get_random_bytes(void *buf, size_t n);
/* Whether RDRAND is used (the CPU has it and no test turned it off). */
bool random_uses_rdrand(void);
/* For tests: turns the use of RDRAND off (false) or back on where the CPU has it; returns
   whether it was in use. */
bool random_set_rdrand(bool on);

#endif
