/*
 * KTAP suite "ksys_syscalls": the time, CPU, identity, limit and randomness system calls of
 * kernel/ (kernel/time.c, nanosleep.c, sched/syscalls.c, sys.c, rlimit.c, random.c), called
 * through syscall_invoke as a user program would, from the test's thread inside a fresh mm.
 * Each case checks the results and every error, Linux's errno values (checked against the
 * build host's Linux), and -EFAULT with nothing changed for each bad pointer: NULL (where NULL
 * is not allowed), an unmapped user address, a kernel address, and a read-only page for output.
 */
#include "kernel/process.h"
#include "tests/ktest/sys_fixture.h"
#include "kernel/cpumask.h"
#include "kernel/kthread.h"
#include "kernel/random.h"
#include "kernel/rlimit.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define Y2020 1577836800LL /* 2020-01-01 00:00 UTC */
#define Y2100 4102444800LL
#define MS    1000000ULL /* ns */

/* The i-th bad pointer: NULL, unmapped, kernel, and (output only) the read-only page. */
static uint64_t bad(struct ktest *t, int i)
{
	const struct sys_fixture *f = t->priv;
	const uint64_t addrs[] = {0, BAD_UNMAPPED, BAD_KERNEL, f->ro};

	return addrs[i];
}
#define NBAD_OUT 4 /* the read-only page is a bad output */
#define NBAD_IN	 3

static struct sys_fixture *fx(struct ktest *t)
{
	return t->priv;
}

static struct timespec64 get_ts(struct ktest *t, uint64_t a)
{
	struct timespec64 ts;

	sys_get(t, &ts, a, sizeof(ts));
	return ts;
}

static uint64_t clock_ns(struct ktest *t, clockid_t id)
{
	uint64_t a = fx(t)->rw;
	struct timespec64 ts;

	EXPECT_EQ(t, sc(__NR_clock_gettime, id, a), 0);
	ts = get_ts(t, a);
	EXPECT_LT(t, ts.tv_nsec, NSEC_PER_SEC);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void spin_ms(unsigned int ms)
{
	uint64_t end = ktime_ns() + ms * MS;

	while (ktime_ns() < end)
		;
}

static void test_clock_gettime(struct ktest *t)
{
	uint64_t real = clock_ns(t, CLOCK_REALTIME), m1, m2, c1, c2, k;

	EXPECT_GT(t, real / NSEC_PER_SEC, (uint64_t)Y2020); /* the RTC was read */
	EXPECT_LT(t, real / NSEC_PER_SEC, (uint64_t)Y2100);
	EXPECT_LT(t, clock_ns(t, CLOCK_TAI) - real, (uint64_t)NSEC_PER_SEC);
	m1 = clock_ns(t, CLOCK_MONOTONIC);
	k = ktime_ns();
	m2 = clock_ns(t, CLOCK_MONOTONIC);
	EXPECT_LE(t, m1, k);
	EXPECT_LE(t, k, m2);
	EXPECT_GE(t, clock_ns(t, CLOCK_MONOTONIC_RAW), m2);
	EXPECT_GE(t, clock_ns(t, CLOCK_BOOTTIME), m2);
	c1 = clock_ns(t, CLOCK_MONOTONIC_COARSE);
	EXPECT_EQ(t, c1 % (uint64_t)(NSEC_PER_SEC / 100), 0U);
	EXPECT_LE(t, c1, clock_ns(t, CLOCK_MONOTONIC));
	EXPECT_EQ(t, clock_ns(t, CLOCK_REALTIME_COARSE) % (uint64_t)(NSEC_PER_SEC / 100), 0U);
	c1 = clock_ns(t, CLOCK_THREAD_CPUTIME_ID);
	spin_ms(20);
	c2 = clock_ns(t, CLOCK_THREAD_CPUTIME_ID);
	EXPECT_GE(t, c2 - c1, 15 * MS); /* we ran for (nearly all of) the 20 ms */
	EXPECT_GE(t, clock_ns(t, CLOCK_PROCESS_CPUTIME_ID), c2);

	EXPECT_EQ(t, sc(__NR_clock_gettime, 99, fx(t)->rw), -EINVAL);
	EXPECT_EQ(t, sc(__NR_clock_gettime, -1, fx(t)->rw), -EINVAL);
	EXPECT_EQ(t, sc(__NR_clock_gettime, 8, fx(t)->rw), -EINVAL); /* REALTIME_ALARM */
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_clock_gettime, CLOCK_MONOTONIC, bad(t, i)), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
}

static void test_clock_getres(struct ktest *t)
{
	uint64_t a = fx(t)->rw;
	struct timespec64 ts;

	EXPECT_EQ(t, sc(__NR_clock_getres, CLOCK_MONOTONIC, a), 0);
	ts = get_ts(t, a);
	EXPECT_EQ(t, ts.tv_sec, 0);
	EXPECT_EQ(t, ts.tv_nsec, 1);
	EXPECT_EQ(t, sc(__NR_clock_getres, CLOCK_MONOTONIC_COARSE, a), 0);
	EXPECT_EQ(t, get_ts(t, a).tv_nsec, NSEC_PER_SEC / 100);
	EXPECT_EQ(t, sc(__NR_clock_getres, CLOCK_REALTIME, 0), 0); /* NULL: only the id checked */
	EXPECT_EQ(t, sc(__NR_clock_getres, 99, 0), -EINVAL);
	EXPECT_EQ(t, sc(__NR_clock_getres, 99, a), -EINVAL);
	for (int i = 1; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_clock_getres, CLOCK_REALTIME, bad(t, i)), -EFAULT);
}

static void test_gettimeofday_time(struct ktest *t)
{
	uint64_t a = fx(t)->rw + 256, real; /* clock_ns uses the first bytes */
	struct timeval64 tv;
	int32_t tz[2] = {-1, -1};
	int64_t sec;

	sys_put(t, a + 64, tz, sizeof(tz));
	EXPECT_EQ(t, sc(__NR_gettimeofday, a, a + 64), 0);
	real = clock_ns(t, CLOCK_REALTIME) / NSEC_PER_USEC;
	sys_get(t, &tv, a, sizeof(tv));
	sys_get(t, tz, a + 64, sizeof(tz));
	EXPECT_LT(t, tv.tv_usec, 1000000);
	EXPECT_LE(t, (uint64_t)(tv.tv_sec * 1000000 + tv.tv_usec), real);
	EXPECT_LT(t, real - (uint64_t)(tv.tv_sec * 1000000 + tv.tv_usec), 1000000U);
	EXPECT_EQ(t, tz[0], 0);
	EXPECT_EQ(t, tz[1], 0);
	EXPECT_EQ(t, sc(__NR_gettimeofday, 0, 0), 0);

	sec = sc(__NR_time, 0);
	EXPECT_GT(t, sec, Y2020);
	EXPECT_EQ(t, sc(__NR_time, a + 128), sec + (sc(__NR_time, 0) - sec)); /* same second */
	sys_get(t, &sec, a + 128, sizeof(sec));
	EXPECT_GT(t, sec, Y2020);
	for (int i = 1; i < NBAD_OUT; i++) {
		EXPECT_EQ(t, sc(__NR_gettimeofday, bad(t, i), 0), -EFAULT);
		EXPECT_EQ(t, sc(__NR_gettimeofday, 0, bad(t, i)), -EFAULT);
		EXPECT_EQ(t, sc(__NR_time, bad(t, i)), -EFAULT);
	}
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
}

/* Sleeps ms through nanosleep; returns the ns it took. */
static uint64_t timed_nanosleep(struct ktest *t, uint64_t req, unsigned int ms)
{
	struct timespec64 ts = {0, (int64_t)(ms * MS)};
	uint64_t t0;

	sys_put(t, req, &ts, sizeof(ts));
	t0 = ktime_ns();
	EXPECT_EQ(t, sc(__NR_nanosleep, req, 0), 0);
	return ktime_ns() - t0;
}

static void test_nanosleep(struct ktest *t)
{
	uint64_t a = fx(t)->rw, took = timed_nanosleep(t, a, 30);
	struct timespec64 bad_ns = {0, NSEC_PER_SEC}, neg = {-1, 0}, neg_ns = {0, -1};

	EXPECT_GE(t, took, 30 * MS);
	EXPECT_LT(t, took, 1000 * MS);
	took = timed_nanosleep(t, a, 0);
	EXPECT_LT(t, took, 100 * MS);
	sys_put(t, a, &bad_ns, sizeof(bad_ns));
	EXPECT_EQ(t, sc(__NR_nanosleep, a, 0), -EINVAL);
	sys_put(t, a, &neg, sizeof(neg));
	EXPECT_EQ(t, sc(__NR_nanosleep, a, 0), -EINVAL);
	sys_put(t, a, &neg_ns, sizeof(neg_ns));
	EXPECT_EQ(t, sc(__NR_nanosleep, a, a + 64), -EINVAL);
	for (int i = 0; i < NBAD_IN; i++)
		EXPECT_EQ(t, sc(__NR_nanosleep, bad(t, i), 0), -EFAULT);
}

static void test_clock_nanosleep(struct ktest *t)
{
	uint64_t a = fx(t)->rw, t0, now;
	struct timespec64 ts = {0, (int64_t)(20 * MS)}, bad_ns = {0, NSEC_PER_SEC};

	sys_put(t, a, &ts, sizeof(ts));
	t0 = ktime_ns();
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0, a, 0), 0);
	EXPECT_GE(t, ktime_ns() - t0, 20 * MS);

	now = clock_ns(t, CLOCK_MONOTONIC);
	ts = ns_to_timespec64(now + 20 * MS);
	sys_put(t, a, &ts, sizeof(ts));
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, a, 0), 0);
	EXPECT_GE(t, clock_ns(t, CLOCK_MONOTONIC), now + 20 * MS);

	now = clock_ns(t, CLOCK_REALTIME);
	ts = ns_to_timespec64(now + 20 * MS);
	sys_put(t, a, &ts, sizeof(ts));
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, a, 0), 0);
	EXPECT_GE(t, clock_ns(t, CLOCK_REALTIME), now + 20 * MS);

	ts = ns_to_timespec64(now - NSEC_PER_SEC); /* in the past: at once */
	sys_put(t, a, &ts, sizeof(ts));
	t0 = ktime_ns();
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, a, 0), 0);
	EXPECT_LT(t, ktime_ns() - t0, 5 * MS);

	ts = (struct timespec64){0, 1000};
	sys_put(t, a, &ts, sizeof(ts));
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, 2, a, 0), 0); /* flag ignored */
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, a, 0), -EOPNOTSUPP);
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, a, 0), -EOPNOTSUPP);
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, a, 0), -EOPNOTSUPP);
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, 99, 0, a, 0), -EINVAL);
	sys_put(t, a, &bad_ns, sizeof(bad_ns));
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0, a, 0), -EINVAL);
	EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, a, 0), -EINVAL);
	for (int i = 0; i < NBAD_IN; i++)
		EXPECT_EQ(t, sc(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0, bad(t, i), 0), -EFAULT);
}

static int park(void *arg)
{
	(void)arg;
	while (!kthread_should_stop())
		msleep(5);
	return 0;
}

static void test_affinity(struct ktest *t)
{
	uint64_t a = fx(t)->rw, mask, online = cpu_online_mask.bits[0];
	int was = current->bound_cpu;
	unsigned int last = nr_cpu_ids - 1, cpu = 99, node = 99;
	struct thread *other;

	EXPECT_EQ(t, sc(__NR_sched_yield, 0), 0);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, 0, 128, a), (long)sizeof(struct cpumask));
	sys_get(t, &mask, a, sizeof(mask));
	EXPECT_EQ(t, mask, was < 0 ? online : 1ULL << was);

	mask = 1ULL << last; /* binds to the one CPU */
	sys_put(t, a, &mask, sizeof(mask));
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 8, a), 0);
	EXPECT_EQ(t, sc(__NR_getcpu, a + 64, a + 68, 0), 0);
	sys_get(t, &cpu, a + 64, 4);
	sys_get(t, &node, a + 68, 4);
	EXPECT_EQ(t, cpu, last);
	EXPECT_EQ(t, node, 0U);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, current->tid, 8, a), 8);
	sys_get(t, &mask, a, sizeof(mask));
	EXPECT_EQ(t, mask, 1ULL << last);
	mask = ~0ULL; /* every CPU: free again */
	sys_put(t, a, &mask, sizeof(mask));
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 8, a), 0);
	EXPECT_EQ(t, current->bound_cpu, -1);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, 0, 8, a), 8);
	sys_get(t, &mask, a, sizeof(mask));
	EXPECT_EQ(t, mask, online);

	other = kthread_run(park, NULL, "ktest-park");
	ASSERT_NOT_NULL(t, other);
	mask = 1ULL << last | 1ULL << 60; /* several: the lowest online one */
	sys_put(t, a, &mask, sizeof(mask));
	if (nr_cpu_ids > 1)
		EXPECT_EQ(t, sc(__NR_sched_setaffinity, other->tid, 8, a), 0);
	EXPECT_EQ(t, other->bound_cpu, nr_cpu_ids > 1 ? (int)last : -1);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, other->tid, 8, a), 8);
	kthread_stop(other);

	mask = 0;
	sys_put(t, a, &mask, sizeof(mask));
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 8, a), -EINVAL);
	mask = 1ULL << 60; /* no online CPU */
	sys_put(t, a, &mask, sizeof(mask));
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 8, a), -EINVAL);
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 0, a), -EINVAL);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, 0, 4, a), -EINVAL);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, 0, 12, a), -EINVAL);
	EXPECT_EQ(t, sc(__NR_sched_getaffinity, 999999, 8, a), -ESRCH);
	EXPECT_EQ(t, sc(__NR_sched_setaffinity, -5, 8, a), -ESRCH);
	EXPECT_EQ(t, sc(__NR_getcpu, 0, 0, 0), 0);
	for (int i = 0; i < NBAD_IN; i++)
		EXPECT_EQ(t, sc(__NR_sched_setaffinity, 0, 8, bad(t, i)), -EFAULT);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_sched_getaffinity, 0, 8, bad(t, i)), -EFAULT);
	for (int i = 1; i < NBAD_OUT; i++) {
		EXPECT_EQ(t, sc(__NR_getcpu, bad(t, i), 0, 0), -EFAULT);
		EXPECT_EQ(t, sc(__NR_getcpu, 0, bad(t, i), 0), -EFAULT);
	}
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
	if (was >= 0)
		sched_set_cpu(current, was);
}

static void test_ids(struct ktest *t)
{
	uint64_t a = fx(t)->rw;
	uint32_t ids[3];

	EXPECT_EQ(t, sc(__NR_getuid, 0), 0);
	EXPECT_EQ(t, sc(__NR_geteuid, 0), 0);
	EXPECT_EQ(t, sc(__NR_getgid, 0), 0);
	EXPECT_EQ(t, sc(__NR_getegid, 0), 0);
	EXPECT_EQ(t, sc(__NR_setuid, 0), 0);
	EXPECT_EQ(t, sc(__NR_setuid, 1000), -EPERM);
	EXPECT_EQ(t, sc(__NR_setuid, 0xffffffffu), -EINVAL);
	EXPECT_EQ(t, sc(__NR_setgid, 0), 0);
	EXPECT_EQ(t, sc(__NR_setgid, 5), -EPERM);
	memset(ids, 0xff, sizeof(ids));
	sys_put(t, a, ids, sizeof(ids));
	EXPECT_EQ(t, sc(__NR_getresuid, a, a + 4, a + 8), 0);
	sys_get(t, ids, a, sizeof(ids));
	EXPECT_TRUE(t, ids[0] == 0 && ids[1] == 0 && ids[2] == 0);
	memset(ids, 0xff, sizeof(ids));
	sys_put(t, a, ids, sizeof(ids));
	EXPECT_EQ(t, sc(__NR_getresgid, a, a + 4, a + 8), 0);
	sys_get(t, ids, a, sizeof(ids));
	EXPECT_TRUE(t, ids[0] == 0 && ids[1] == 0 && ids[2] == 0);
	EXPECT_EQ(t, sc(__NR_getgroups, 0, 0), 0);
	EXPECT_EQ(t, sc(__NR_getgroups, 16, a), 0);
	EXPECT_EQ(t, sc(__NR_getgroups, -1, a), -EINVAL);
	EXPECT_EQ(t, sc(__NR_setgroups, 0, 0), -EPERM);
	for (int i = 0; i < NBAD_OUT; i++) {
		EXPECT_EQ(t, sc(__NR_getresuid, bad(t, i), a + 4, a + 8), -EFAULT);
		EXPECT_EQ(t, sc(__NR_getresuid, a, bad(t, i), a + 8), -EFAULT);
		EXPECT_EQ(t, sc(__NR_getresgid, a, a + 4, bad(t, i)), -EFAULT);
	}
}

static void test_uname(struct ktest *t)
{
	uint64_t a = fx(t)->rw;
	char uts[6][65];

	EXPECT_EQ(t, sc(__NR_uname, a), 0);
	sys_get(t, uts, a, sizeof(uts));
	EXPECT_STREQ(t, uts[0], "teachos");
	EXPECT_STREQ(t, uts[2], "6.1.0-teachos"); /* a Linux version: C libraries parse it */
	EXPECT_STREQ(t, uts[4], "x86_64");
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_uname, bad(t, i)), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
}

static void test_sysinfo(struct ktest *t)
{
	uint64_t a = fx(t)->rw, v[14];

	EXPECT_EQ(t, sc(__NR_sysinfo, a), 0);
	sys_get(t, v, a, sizeof(v));
	EXPECT_GT(t, v[0], 0U);	  /* uptime */
	EXPECT_GT(t, v[4], v[5]); /* totalram > freeram */
	EXPECT_GT(t, v[5], 0U);
	EXPECT_GT(t, v[10] & 0xffff, 1U); /* procs */
	EXPECT_EQ(t, v[13] & 0xffffffff, PAGE_SIZE);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_sysinfo, bad(t, i)), -EFAULT);
}

static struct rlimit64 get_rlim(struct ktest *t, unsigned int r)
{
	struct rlimit64 l = {0, 0};

	EXPECT_EQ(t, sc(__NR_getrlimit, r, fx(t)->rw), 0);
	sys_get(t, &l, fx(t)->rw, sizeof(l));
	return l;
}

static long set_rlim(struct ktest *t, unsigned int r, uint64_t cur, uint64_t max)
{
	struct rlimit64 l = {cur, max};

	sys_put(t, fx(t)->rw + 64, &l, sizeof(l));
	return sc(__NR_setrlimit, r, fx(t)->rw + 64);
}

static void test_rlimits(struct ktest *t)
{
	/* Limits belong to a process: the test thread wears an empty one for the time. */
	static struct process proc;
	uint64_t a = fx(t)->rw;
	struct rlimit64 l;

	memset(&proc, 0, sizeof(proc));
	proc.pid = current->tid;
	INIT_LIST_HEAD(&proc.threads);
	current->proc = &proc;

	l = get_rlim(t, RLIMIT_STACK);
	EXPECT_EQ(t, l.rlim_cur, 8ULL << 20);
	EXPECT_EQ(t, l.rlim_max, RLIM_INFINITY);
	l = get_rlim(t, RLIMIT_NOFILE);
	EXPECT_EQ(t, l.rlim_cur, 64U);
	EXPECT_EQ(t, l.rlim_max, 64U);
	EXPECT_EQ(t, get_rlim(t, RLIMIT_AS).rlim_cur, RLIM_INFINITY);
	EXPECT_EQ(t, sc(__NR_getrlimit, RLIM_NLIMITS, a), -EINVAL);

	EXPECT_EQ(t, set_rlim(t, RLIMIT_NOFILE, 32, 64), 0); /* lower the soft limit */
	EXPECT_EQ(t, get_rlim(t, RLIMIT_NOFILE).rlim_cur, 32U);
	EXPECT_EQ(t, set_rlim(t, RLIMIT_NOFILE, 64, 64), 0); /* and raise it back */
	EXPECT_EQ(t, set_rlim(t, RLIMIT_NOFILE, 64, 65), -EPERM);
	EXPECT_EQ(t, set_rlim(t, RLIMIT_NOFILE, 10, 5), -EINVAL);
	EXPECT_EQ(t, set_rlim(t, RLIMIT_CORE, 0, 0), 0); /* lower a hard limit: for good */
	EXPECT_EQ(t, set_rlim(t, RLIMIT_CORE, 0, 1), -EPERM);
	EXPECT_EQ(t, set_rlim(t, RLIM_NLIMITS, 0, 0), -EINVAL);
	EXPECT_EQ(t, get_rlim(t, RLIMIT_NOFILE).rlim_max, 64U); /* the failures changed nothing */

	l = (struct rlimit64){16, 64};
	sys_put(t, a + 64, &l, sizeof(l));
	EXPECT_EQ(t, sc(__NR_prlimit64, 0, RLIMIT_NOFILE, a + 64, a + 128), 0);
	sys_get(t, &l, a + 128, sizeof(l));
	EXPECT_EQ(t, l.rlim_cur, 64U); /* the old one */
	EXPECT_EQ(t, get_rlim(t, RLIMIT_NOFILE).rlim_cur, 16U);
	EXPECT_EQ(t, sc(__NR_prlimit64, current->tid, RLIMIT_NOFILE, 0, 0), 0);
	EXPECT_EQ(t, sc(__NR_prlimit64, 999999, RLIMIT_NOFILE, 0, a), -ESRCH);
	EXPECT_EQ(t, sc(__NR_prlimit64, 0, RLIM_NLIMITS, 0, a), -EINVAL);
	for (int i = 0; i < NBAD_OUT; i++) {
		EXPECT_EQ(t, sc(__NR_getrlimit, RLIMIT_NOFILE, bad(t, i)), -EFAULT);
		if (i)
			EXPECT_EQ(t, sc(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, bad(t, i)), -EFAULT);
	}
	for (int i = 0; i < NBAD_IN; i++) {
		EXPECT_EQ(t, sc(__NR_setrlimit, RLIMIT_NOFILE, bad(t, i)), -EFAULT);
		if (i)
			EXPECT_EQ(t, sc(__NR_prlimit64, 0, RLIMIT_NOFILE, bad(t, i), 0), -EFAULT);
	}
	EXPECT_EQ(t, get_rlim(t, RLIMIT_NOFILE).rlim_cur, 16U);
	current->proc = NULL; /* the test thread goes back to being a kernel thread */
}

static void test_getrusage_times(struct ktest *t)
{
	uint64_t a = fx(t)->rw, ticks, v[18];
	int64_t tms[4];
	long r;

	spin_ms(30);
	EXPECT_EQ(t, sc(__NR_getrusage, 0, a), 0); /* RUSAGE_SELF */
	sys_get(t, v, a, sizeof(v));
	EXPECT_GE(t, v[0] * 1000000 + v[1], 25000U); /* utime: at least the spin */
	EXPECT_LT(t, v[1], 1000000U);
	EXPECT_EQ(t, v[2] + v[3], 0U);
	EXPECT_EQ(t, sc(__NR_getrusage, 1, a), 0); /* RUSAGE_THREAD */
	sys_get(t, v, a, sizeof(v));
	EXPECT_GE(t, v[0] * 1000000 + v[1], 25000U);
	EXPECT_EQ(t, sc(__NR_getrusage, -1, a), 0); /* RUSAGE_CHILDREN */
	EXPECT_TRUE(t, sys_all(a, 144, 0));
	EXPECT_EQ(t, sc(__NR_getrusage, 5, a), -EINVAL);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_getrusage, 0, bad(t, i)), -EFAULT);

	r = sc(__NR_times, a);
	ticks = ktime_ns() / (NSEC_PER_SEC / 100);
	EXPECT_LE(t, (uint64_t)r, ticks);
	EXPECT_GE(t, (uint64_t)r + 2, ticks);
	sys_get(t, tms, a, sizeof(tms));
	EXPECT_GE(t, tms[0], 2); /* 30 ms of spinning: at least 2 ticks of 10 ms */
	EXPECT_GT(t, sc(__NR_times, 0), 0);
	for (int i = 1; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_times, bad(t, i)), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
}

/* 64 bytes of getrandom at a, and again at a + 64: both not all zero, and different. */
static void check_random(struct ktest *t, uint64_t a)
{
	uint8_t x[64], y[64], zero[64] = {0};

	EXPECT_EQ(t, sc(__NR_getrandom, a, 64, 0), 64);
	EXPECT_EQ(t, sc(__NR_getrandom, a + 64, 64, GRND_NONBLOCK), 64);
	sys_get(t, x, a, 64);
	sys_get(t, y, a + 64, 64);
	EXPECT_NE(t, memcmp(x, zero, 64), 0);
	EXPECT_NE(t, memcmp(x, y, 64), 0);
}

static void test_getrandom(struct ktest *t)
{
	uint64_t a = fx(t)->rw, end = fx(t)->ro;
	bool had = random_set_rdrand(false);
	uint8_t k1[16] = {0}, k2[16] = {0};

	check_random(t, a); /* the fallback sequence */
	random_set_rdrand(true);
	if (random_uses_rdrand())
		check_random(t, a); /* RDRAND */
	random_set_rdrand(had);
	ktest_log(t, "RDRAND %s", had ? "used" : "absent: the fallback only");
	get_random_bytes(k1, sizeof(k1));
	get_random_bytes(k2, sizeof(k2));
	EXPECT_NE(t, memcmp(k1, k2, sizeof(k1)), 0);

	EXPECT_EQ(t, sc(__NR_getrandom, a, 8, GRND_RANDOM), 8);
	EXPECT_EQ(t, sc(__NR_getrandom, a, 8, GRND_INSECURE), 8);
	EXPECT_EQ(t, sc(__NR_getrandom, a, 8, 8), -EINVAL);
	EXPECT_EQ(t, sc(__NR_getrandom, a, 8, GRND_RANDOM | GRND_INSECURE), -EINVAL);
	EXPECT_EQ(t, sc(__NR_getrandom, 0, 0, 0), 0);
	/* Up to the read-only page: the bytes before it, not an error. */
	EXPECT_EQ(t, sc(__NR_getrandom, end - 512, 1024, 0), 512);
	for (int i = 0; i < NBAD_OUT; i++)
		EXPECT_EQ(t, sc(__NR_getrandom, bad(t, i), 16, 0), -EFAULT);
	EXPECT_TRUE(t, sys_all(fx(t)->ro, PAGE_SIZE, 0));
}

KTEST_SUITE_HOOKS(ksys_syscalls, sys_fixture_init, sys_fixture_exit, KTEST_CASE(test_clock_gettime),
		  KTEST_CASE(test_clock_getres), KTEST_CASE(test_gettimeofday_time),
		  KTEST_CASE(test_nanosleep), KTEST_CASE(test_clock_nanosleep),
		  KTEST_CASE(test_affinity), KTEST_CASE(test_ids), KTEST_CASE(test_uname),
		  KTEST_CASE(test_sysinfo), KTEST_CASE(test_rlimits),
		  KTEST_CASE(test_getrusage_times), KTEST_CASE(test_getrandom));
