/*
 * Identity and system information calls: the user and group ids, uname, sysinfo, getrusage,
 * times. Linux: kernel/sys.c (and kernel/groups.c, kernel/uid16.c for the groups).
 *
 * Every thread runs as root: uid, euid, suid, gid, egid, sgid all 0, with no supplementary
 * groups. A call that would change that (set*id to anything but 0, setgroups) is -EPERM: we
 * give root no CAP_SETUID or CAP_SETGID, where Linux's root would succeed.
 */
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/kthread.h"
#include "kernel/time.h"
#include "kernel/sched/sched.h"
#include "mm/page_alloc.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define INVALID_ID ((uint32_t)-1)

SYSCALL_DEFINE0(getuid)
{
	return 0;
}

SYSCALL_DEFINE0(geteuid)
{
	return 0;
}

SYSCALL_DEFINE0(getgid)
{
	return 0;
}

SYSCALL_DEFINE0(getegid)
{
	return 0;
}

/* setuid(2) and setgid(2): 0 for id 0 (what it already is), -EINVAL for -1 (not an id, as
   Linux's uid_valid), -EPERM for any other. */
static long set_id(uint32_t id)
{
	if (id == INVALID_ID)
		return -EINVAL;
	return id == 0 ? 0 : -EPERM;
}

SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	return set_id(uid);
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	return set_id(gid);
}

/* The three ids (all 0) at the three addresses: 0 or -EFAULT. */
static long put_res_ids(uint32_t __user *r, uint32_t __user *e, uint32_t __user *s)
{
	if (put_user(0, r) || put_user(0, e) || put_user(0, s))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t __user *, ruid, uint32_t __user *, euid, uint32_t __user *,
		suid)
{
	return put_res_ids(ruid, euid, suid);
}

SYSCALL_DEFINE3(getresgid, uint32_t __user *, rgid, uint32_t __user *, egid, uint32_t __user *,
		sgid)
{
	return put_res_ids(rgid, egid, sgid);
}

/* getgroups(2): no supplementary groups, so 0 whatever the size (list is not touched);
   -EINVAL for a negative size. */
SYSCALL_DEFINE2(getgroups, int, size, uint32_t __user *, list)
{
	(void)list;
	return size < 0 ? -EINVAL : 0;
}

/* setgroups(2): -EPERM (no CAP_SETGID). */
SYSCALL_DEFINE2(setgroups, int, size, const uint32_t __user *, list)
{
	(void)size;
	(void)list;
	return -EPERM;
}

/* The user's struct utsname (Linux's struct new_utsname): six NUL-terminated fields. */
#define UTS_LEN 65
struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};
BUILD_BUG_ON(sizeof(struct new_utsname) != 390);

/*
 * uname(2). The release looks like a Linux version because C libraries read it: static glibc
 * of older releases parsed it at startup and refused to run on a kernel older than the one it
 * was built for ("FATAL: kernel too old"); musl reads nothing of it. sysname is ours: neither
 * library reads it. -EFAULT for a bad buf.
 */
SYSCALL_DEFINE1(uname, struct new_utsname __user *, buf)
{
	static const struct new_utsname uts = {
		.sysname = "teachos",
		.nodename = "teachos",
		.release = "6.1.0-teachos",
		.version = "#1 SMP teachos",
		.machine = "x86_64",
		.domainname = "(none)",
	};

	return copy_to_user(buf, &uts, sizeof(uts)) ? -EFAULT : 0;
}

/* The user's struct sysinfo on x86_64 (112 bytes). */
struct sysinfo {
	int64_t uptime;	   /* seconds since boot */
	uint64_t loads[3]; /* 1, 5 and 15 minute load averages, << 16: 0 here */
	uint64_t totalram; /* in units of mem_unit bytes */
	uint64_t freeram;
	uint64_t sharedram; /* 0 */
	uint64_t bufferram; /* 0 */
	uint64_t totalswap; /* 0: no swap device */
	uint64_t freeswap;
	uint16_t procs; /* threads */
	uint16_t pad;
	uint64_t totalhigh; /* 0 on 64-bit */
	uint64_t freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
BUILD_BUG_ON(sizeof(struct sysinfo) != 112);
BUILD_BUG_ON(offsetof(struct sysinfo, mem_unit) != 104);

/* sysinfo(2): uptime, RAM (in pages: mem_unit is PAGE_SIZE) and the thread count. The load
   averages are 0: we do not compute them. -EFAULT for a bad info. */
SYSCALL_DEFINE1(sysinfo, struct sysinfo __user *, info)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)DIV_ROUND_UP(ktime_ns(), NSEC_PER_SEC);
	si.totalram = page_alloc_stats.managed_pages;
	si.freeram = nr_free_pages();
	si.procs = (uint16_t)MIN(nr_threads(), 0xffffu);
	si.mem_unit = PAGE_SIZE;
	return copy_to_user(info, &si, sizeof(si)) ? -EFAULT : 0;
}

/* The user's struct rusage on x86_64 (144 bytes): two timevals, then 14 counters. */
struct rusage {
	struct timeval64 ru_utime;
	struct timeval64 ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss;
	int64_t ru_minflt;   /* page faults resolved (min_flt) */
	int64_t counters[9]; /* majflt ... nivcsw: 0 here */
};
BUILD_BUG_ON(sizeof(struct rusage) != 144);

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD	1

static struct timeval64 ns_to_timeval(uint64_t ns)
{
	return (struct timeval64){(int64_t)(ns / NSEC_PER_SEC),
				  (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC)};
}

/*
 * getrusage(2): RUSAGE_SELF (the process), RUSAGE_THREAD (the caller) or RUSAGE_CHILDREN (its
 * waited-for children: none counted yet, all 0). The scheduler counts a thread's runtime but
 * not where it was spent, so all of it is reported as user time and system time is 0;
 * ru_minflt counts the page faults resolved for it (mm/fault.c); every other field is 0. -EINVAL for another who, -EFAULT for a bad ru.
 */
SYSCALL_DEFINE2(getrusage, int, who, struct rusage __user *, ru)
{
	struct rusage r;
	uint64_t ns = 0;

	if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (who == RUSAGE_THREAD) {
		ns = thread_runtime_ns(current);
		r.ru_minflt = (int64_t)current->min_flt;
	} else if (who == RUSAGE_SELF) {
		uint64_t min_flt;

		process_usage(&ns, &min_flt);
		r.ru_minflt = (int64_t)min_flt;
	}
	r.ru_utime = ns_to_timeval(ns);
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

/* The user's struct tms: four clock_t, in USER_HZ ticks. */
struct tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

/*
 * times(2): the process's CPU time in USER_HZ ticks (all as user time, see getrusage), its
 * children's (0), stored at buf unless it is NULL; returns the ticks since boot (Linux's count
 * starts 5 minutes before 0 to catch wrap bugs early; ours starts at power-on). -EFAULT.
 */
SYSCALL_DEFINE1(times, struct tms __user *, buf)
{
	uint64_t ns = 0;

	if (buf) {
		struct tms t = {0, 0, 0, 0};

		clock_read_ns(CLOCK_PROCESS_CPUTIME_ID, &ns);
		t.tms_utime = (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
		if (copy_to_user(buf, &t, sizeof(t)))
			return -EFAULT;
	}
	return (long)(ktime_ns() / (NSEC_PER_SEC / USER_HZ));
}
