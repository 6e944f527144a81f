/*
 * TSC calibration. PIT channel 2 is the one whose gate we control (port 0x61 bit 0) and whose
 * output we can read back (port 0x61 bit 5), so software can time an interval with it without
 * interrupts: load a count in mode 0 ("interrupt on terminal count"), open the gate, and poll the
 * output until it goes high.
 */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

#define PIT_HZ		1193182
#define PIT_CH2_DATA	0x42
#define PIT_MODE_CMD	0x43
#define PORT_B		0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */
#define CALIBRATE_MS	10

uint64_t tsc_khz;
static uint64_t ns_mult; /* ns = (delta * ns_mult) >> 32 */

uint64_t tsc_calibrate(void)
{
	uint16_t count = PIT_HZ / (1000 / CALIBRATE_MS);
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1;

	outb(PORT_B, (b & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(PIT_MODE_CMD, 0xb0);		/* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);		/* counting starts on the high byte */
	t0 = rdtsc();
	while (!(inb(PORT_B) & 0x20))
		cpu_relax();
	t1 = rdtsc();
	outb(PORT_B, b);

	tsc_khz = (t1 - t0) / CALIBRATE_MS;
	if (tsc_khz == 0)
		tsc_khz = 1;
	ns_mult = (1000000ULL << 32) / tsc_khz;
	return tsc_khz;
}

uint64_t tsc_to_ns(uint64_t delta)
{
	return (uint64_t)(((unsigned __int128)delta * ns_mult) >> 32);
}

uint64_t ktime_ns(void)
{
	return tsc_to_ns(rdtsc());
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end)
		cpu_relax();
}
