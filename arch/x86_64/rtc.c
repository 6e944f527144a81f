/*
 * Reading the CMOS RTC (arch/x86_64/rtc.h). Linux: mc146818_get_time() in
 * drivers/rtc/rtc-mc146818-lib.c, which this follows in outline.
 *
 * The RTC's registers sit behind an index port (0x70) and a data port (0x71). Register 0x0a
 * bit 7 is set while the chip is updating its counters (for ~2 ms each second); reading
 * during an update can mix the old and the new time, so we wait for the bit to clear, read
 * every field, and read them again until two passes agree. Register 0x0b says how the fields
 * are coded: bit 2 set means binary, clear means BCD; bit 1 set means a 24-hour clock.
 */
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define NMI_OFF	  0x80 /* bit 7 of the index keeps NMIs masked while we talk to the chip */

enum { SEC = 0x00, MIN = 0x02, HOUR = 0x04, MDAY = 0x07, MON = 0x08, YEAR = 0x09 };
#define REG_A	 0x0a
#define REG_B	 0x0b
#define A_UIP	 0x80 /* update in progress */
#define B_24H	 0x02
#define B_BINARY 0x04
#define HOUR_PM	 0x80 /* in 12-hour mode */

struct rtc_fields {
	uint8_t sec, min, hour, mday, mon, year;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(RTC_INDEX, NMI_OFF | reg);
	return inb(RTC_DATA);
}

static void read_fields(struct rtc_fields *f)
{
	for (int spins = 0; spins < 100000 && (cmos_read(REG_A) & A_UIP); spins++)
		cpu_relax();
	f->sec = cmos_read(SEC);
	f->min = cmos_read(MIN);
	f->hour = cmos_read(HOUR);
	f->mday = cmos_read(MDAY);
	f->mon = cmos_read(MON);
	f->year = cmos_read(YEAR);
}

static unsigned int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* Days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian: shift the year to start in
   March so that February's leap day comes last, then count whole years and months. */
static uint64_t days_since_epoch(unsigned int y, unsigned int m, unsigned int d)
{
	uint64_t days;

	if (m <= 2) {
		y--;
		m += 12;
	}
	days = 365ULL * y + y / 4 - y / 100 + y / 400; /* leap days up to year y */
	days += (153 * (m - 3) + 2) / 5 + d - 1;       /* days of the months before m, from March */
	return days - 719468;			       /* the same count for 1970-03-01 is 719468 */
}

uint64_t rtc_read_seconds(void)
{
	struct rtc_fields a, b;
	unsigned int sec, min, hour, mday, mon, year;
	uint8_t regb;
	bool pm;

	read_fields(&a);
	for (int tries = 0; tries < 10; tries++) {
		read_fields(&b);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}
	regb = cmos_read(REG_B);
	pm = !(regb & B_24H) && (a.hour & HOUR_PM);
	/* The mask keeps the cast from dropping set bits, which sparse reports. */
	a.hour &= (uint8_t)(~HOUR_PM & 0xff);
	if (regb & B_BINARY) {
		sec = a.sec, min = a.min, hour = a.hour;
		mday = a.mday, mon = a.mon, year = a.year;
	} else {
		sec = bcd(a.sec), min = bcd(a.min), hour = bcd(a.hour);
		mday = bcd(a.mday), mon = bcd(a.mon), year = bcd(a.year);
	}
	if (!(regb & B_24H))
		hour = hour % 12 + (pm ? 12 : 0);
	year += year < 70 ? 2000 : 1900; /* the century register is not standard: as Linux */
	if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 59)
		return 0;
	return days_since_epoch(year, mon, mday) * 86400 + hour * 3600 + min * 60 + sec;
}
