/*
 * Wall time and the POSIX clocks (kernel/time.c), and nanosleep (kernel/nanosleep.c).
 *
 * The kernel keeps one clock, the TSC (arch/x86_64/tsc.h): ktime_ns() counts nanoseconds since
 * power-on. Wall time is the CMOS RTC's reading at boot plus the TSC time since; nothing
 * adjusts it afterwards (no NTP, no settimeofday), so CLOCK_REALTIME drifts as the TSC does.
 *
 *	clock id               what it reads                          resolution
 *	CLOCK_REALTIME, _TAI   the RTC at boot + ktime_ns() since     1 ns
 *	CLOCK_MONOTONIC, _RAW, ktime_ns() (no suspend, no slewing:    1 ns
 *	CLOCK_BOOTTIME         the three are one clock here)
 *	..._COARSE             the same, cut down to the last tick    10 ms (1/HZ)
 *	CLOCK_THREAD_CPUTIME_ID  the caller's runtime (scheduler)     1 ns
 *	CLOCK_PROCESS_CPUTIME_ID the runtime of the caller's process  1 ns
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/compiler.h"

#define NSEC_PER_SEC  1000000000LL
#define NSEC_PER_USEC 1000LL
#define USER_HZ	      100 /* clock_t ticks a second, as Linux x86_64 reports to programs */

/* Linux's clock ids (uapi linux/time.h). */
typedef int clockid_t;
#define CLOCK_REALTIME		 0
#define CLOCK_MONOTONIC		 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	 3
#define CLOCK_MONOTONIC_RAW	 4
#define CLOCK_REALTIME_COARSE	 5
#define CLOCK_MONOTONIC_COARSE	 6
#define CLOCK_BOOTTIME		 7
#define CLOCK_TAI		 11

#define TIMER_ABSTIME 0x01 /* clock_nanosleep: the time is a deadline on the clock */

/* The user's struct timespec on x86_64 (__kernel_timespec): two 64-bit fields. */
struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* The user's struct timeval on x86_64 (__kernel_old_timeval). */
struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Reads the RTC and anchors wall time to the TSC. Boot, once, after tsc_calibrate(). */
void timekeeping_init(void);
/* Nanoseconds since 1970-01-01 00:00 UTC. */
uint64_t ktime_get_real_ns(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC: the wall time at TSC 0, fixed since boot. */
uint64_t ktime_real_offset_ns(void);
/* The wall time timekeeping_init() read from the RTC, in seconds (for the random seed). */
uint64_t boot_wall_seconds(void);
/* The time on clock which, in ns: 0, or -EINVAL for a clock we do not have. */
int clock_read_ns(clockid_t which, uint64_t *ns);

static inline bool timespec64_valid(const struct timespec64 *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* ns as a timespec64 (ns >= 0). */
static inline struct timespec64 ns_to_timespec64(uint64_t ns)
{
	return (struct timespec64){(int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC)};
}

/* A valid timespec64 in ns, saturating at INT64_MAX. */
static inline uint64_t timespec64_to_ns(const struct timespec64 *ts)
{
	if ((uint64_t)ts->tv_sec >= (uint64_t)INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

/* Copies a timespec from or to the user: 0 or -EFAULT. */
int get_timespec64(struct timespec64 *ts, const void __user *uts);
int put_timespec64(const struct timespec64 *ts, void __user *uts);

#endif
