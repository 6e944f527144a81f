/*
 * Timekeeping and the clock system calls (kernel/time.h): clock_gettime, clock_getres,
 * gettimeofday, time. Linux spreads these over kernel/time/timekeeping.c (the clocks),
 * posix-timers.c and posix-cpu-timers.c (the system calls) and time.c (gettimeofday, time).
 *
 * Wall time is an offset added to the TSC clock: real = wall_offset_ns + ktime_ns(). The
 * offset is written once at boot, before any other CPU or thread reads it, and never again.
 */
#include "kernel/time.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/sched/sched.h"
#include "kernel/tick.h"
#include "mm/uaccess.h"
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"


static uint64_t wall_offset_ns; /* wall time at TSC 0: set at boot, read-only afterwards */
static uint64_t boot_wall_sec;

void timekeeping_init(void)
{
	boot_wall_sec = rtc_read_seconds();
	wall_offset_ns = boot_wall_sec * NSEC_PER_SEC - ktime_ns();
}

uint64_t boot_wall_seconds(void)
{
	return boot_wall_sec;
}

uint64_t ktime_get_real_ns(void)
{
	return wall_offset_ns + ktime_ns();
}

uint64_t ktime_real_offset_ns(void)
{
	return wall_offset_ns;
}

/* The CPU time of the caller's process: Linux sums the threads of the thread group, and so
   does process_usage (kernel/exit.c). A kernel thread is a process of one thread here. */
static uint64_t process_cputime_ns(void)
{
	uint64_t ns, min_flt;

	process_usage(&ns, &min_flt);
	return ns;
}

/*
 * clock_read_ns: the time on clock which, in ns (see the table in kernel/time.h). Returns 0,
 * or -EINVAL for a clock id we do not have (Linux's pid-encoded CPU clocks, the alarm clocks).
 */
int clock_read_ns(clockid_t which, uint64_t *ns)
{
	switch (which) {
	case CLOCK_REALTIME:
	case CLOCK_TAI: /* Linux's TAI offset is 0 until ntpd sets it; we never set it */
		*ns = ktime_get_real_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		*ns = ktime_ns();
		return 0;
	case CLOCK_REALTIME_COARSE:
		*ns = ktime_get_real_ns() / TICK_NSEC * TICK_NSEC;
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		*ns = ktime_ns() / TICK_NSEC * TICK_NSEC;
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_runtime_ns(current);
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = process_cputime_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

int get_timespec64(struct timespec64 *ts, const void __user *uts)
{
	return copy_from_user(ts, uts, sizeof(*ts)) ? -EFAULT : 0;
}

int put_timespec64(const struct timespec64 *ts, void __user *uts)
{
	return copy_to_user(uts, ts, sizeof(*ts)) ? -EFAULT : 0;
}

/* clock_gettime(2): -EINVAL for an unknown clock, -EFAULT for a bad tp. */
SYSCALL_DEFINE2(clock_gettime, clockid_t, which, struct timespec64 __user *, tp)
{
	struct timespec64 ts;
	uint64_t ns;
	int err = clock_read_ns(which, &ns);

	if (err)
		return err;
	ts = ns_to_timespec64(ns);
	return put_timespec64(&ts, tp);
}

/* clock_getres(2): 1 ns, or a tick for the coarse clocks. A NULL res only checks the id. */
SYSCALL_DEFINE2(clock_getres, clockid_t, which, struct timespec64 __user *, res)
{
	struct timespec64 ts = {0, 1};
	uint64_t ns;
	int err = clock_read_ns(which, &ns);

	if (err)
		return err;
	if (which == CLOCK_REALTIME_COARSE || which == CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = TICK_NSEC;
	if (!res)
		return 0;
	return put_timespec64(&ts, res);
}

/* gettimeofday(2): the wall time in microseconds; tz (obsolete) gets minutes west 0 and no
   DST. Either pointer may be NULL; -EFAULT for a bad one. */
SYSCALL_DEFINE2(gettimeofday, struct timeval64 __user *, tv, void __user *, tz)
{
	uint64_t ns = ktime_get_real_ns();
	struct timeval64 v = {(int64_t)(ns / NSEC_PER_SEC),
			      (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC)};
	int32_t zone[2] = {0, 0}; /* struct timezone: tz_minuteswest, tz_dsttime */

	if (tv && copy_to_user(tv, &v, sizeof(v)))
		return -EFAULT;
	if (tz && copy_to_user(tz, zone, sizeof(zone)))
		return -EFAULT;
	return 0;
}

/* time(2): the wall time in seconds, also stored at tloc unless it is NULL (-EFAULT if bad). */
SYSCALL_DEFINE1(time, int64_t __user *, tloc)
{
	int64_t sec = (int64_t)(ktime_get_real_ns() / NSEC_PER_SEC);

	if (tloc && put_user(sec, tloc))
		return -EFAULT;
	return sec;
}
