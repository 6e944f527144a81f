/*
 * nanosleep and clock_nanosleep (kernel/time.h). Linux: hrtimer_nanosleep() in
 * kernel/time/hrtimer.c, common_nsleep() in kernel/time/posix-timers.c.
 *
 * We have no high-resolution timers: a sleeper waits in whole ticks (schedule_timeout, 10 ms
 * at HZ=100) and wakes at the first tick past its deadline, then checks the deadline against
 * the TSC clock and sleeps again if a wakeup came early. So a sleep lasts at least what was
 * asked, as POSIX requires, and up to a tick more.
 */
#include "kernel/time.h"
#include "kernel/syscall.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/tick.h"
#include "kernel/process.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"

/* True when the sleeper must leave early with -EINTR: its process is being killed. */
static bool sleep_interrupted(void)
{
	return fatal_signal_pending();
}

/*
 * Sleeps until ktime_ns() reaches deadline. Returns 0, or -EINTR with the time that was left
 * stored in *left_ns. A fatal signal finds us because current->killable is set while we sleep
 * (signal_wake_up wakes such a thread), and we look again after every wakeup.
 */
static int sleep_until(uint64_t deadline, uint64_t *left_ns)
{
	int err = 0;

	for (;;) {
		uint64_t now = ktime_ns();

		if (now >= deadline)
			break;
		WRITE_ONCE(current->killable, true);
		set_current_state(THREAD_SLEEPING); /* full barrier: a kill after it wakes us */
		if (sleep_interrupted()) {
			__set_current_state(THREAD_RUNNING);
			*left_ns = deadline - now;
			err = -EINTR;
			break;
		}
		schedule_timeout((long)MIN(DIV_ROUND_UP(deadline - now, TICK_NSEC),
					   (uint64_t)MAX_SCHEDULE_TIMEOUT - 1));
	}
	WRITE_ONCE(current->killable, false);
	return err;
}

/* A relative sleep of ns; on -EINTR the time left goes to rmtp (if not NULL). */
static long sleep_relative(uint64_t ns, struct timespec64 __user *rmtp)
{
	uint64_t now = ktime_ns(), left = 0;
	uint64_t deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	int err = sleep_until(deadline, &left);

	if (err == -EINTR && rmtp) {
		struct timespec64 rem = ns_to_timespec64(left);

		if (put_timespec64(&rem, rmtp))
			return -EFAULT;
	}
	return err;
}

/* nanosleep(2): -EFAULT for a bad req, -EINVAL for a negative time or tv_nsec out of
   [0, 999999999]; -EINTR (remaining time in rmtp) when the process is killed. */
SYSCALL_DEFINE2(nanosleep, const struct timespec64 __user *, rqtp, struct timespec64 __user *, rmtp)
{
	struct timespec64 ts;

	if (get_timespec64(&ts, rqtp))
		return -EFAULT;
	if (!timespec64_valid(&ts))
		return -EINVAL;
	return sleep_relative(timespec64_to_ns(&ts), rmtp);
}

/* True for the clocks one can sleep on; the other known ones give -EOPNOTSUPP, as Linux. */
static bool clock_can_sleep(clockid_t which)
{
	return which == CLOCK_REALTIME || which == CLOCK_MONOTONIC || which == CLOCK_BOOTTIME ||
	       which == CLOCK_TAI;
}

/*
 * clock_nanosleep(2): sleeps for rqtp on clock which, or until the clock reads rqtp when flags
 * has TIMER_ABSTIME (other flag bits are ignored, as Linux does). -EINVAL for an unknown clock
 * or a bad time, -EOPNOTSUPP for a clock one cannot sleep on (MONOTONIC_RAW, the coarse and
 * the CPU-time clocks), -EFAULT, -EINTR (rmtp is written for a relative sleep only).
 */
SYSCALL_DEFINE4(clock_nanosleep, clockid_t, which, int, flags, const struct timespec64 __user *,
		rqtp, struct timespec64 __user *, rmtp)
{
	struct timespec64 ts;
	uint64_t ns, now, left;

	if (clock_read_ns(which, &now))
		return -EINVAL;
	if (!clock_can_sleep(which))
		return -EOPNOTSUPP;
	if (get_timespec64(&ts, rqtp))
		return -EFAULT;
	if (!timespec64_valid(&ts))
		return -EINVAL;
	ns = timespec64_to_ns(&ts);
	if (!(flags & TIMER_ABSTIME))
		return sleep_relative(ns, rmtp);
	if (which == CLOCK_REALTIME || which == CLOCK_TAI) /* a wall time: to the TSC clock */
		ns = ns > ktime_real_offset_ns() ? ns - ktime_real_offset_ns() : 0;
	return sleep_until(ns, &left);
}
