/*
 * /proc from a program, the way a test or a benchmark reads its counters on both kernels:
 * /proc/self/stat (52 fields; minflt, field 10, rises with the pages this process touches),
 * /proc/PID/stat and /proc/self/status, /proc/mounts (Linux's six fields, the same text as
 * /proc/self/mounts), /proc/vmstat (pgfault rises too), /proc/interrupts (a column per online
 * CPU, the LOC and TLB lines), /proc/sys/fs/aio-max-nr (written back unchanged; a bad write is
 * EINVAL and changes nothing), and readdir of /proc. Runs on Linux (as root, for the write) and
 * on teachos; every expectation is what Linux does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user/tap.h"

#define TEXT_MAX  65536
#define NR_PAGES  64
#define PAGE_SZ	  4096
#define FIELD_MAX 64

static char text[TEXT_MAX], text2[TEXT_MAX];

/* The whole file at path into buf (NUL-terminated), read in small pieces so the offsets must
   join up; its length, or -1 with errno. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len,
			 size - 1 - (size_t)len < 100 ? size - 1 - (size_t)len : 100)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -1 : len;
}

/* Splits line (up to its newline) at spaces into fields[]; how many. */
static int split(char *line, char *fields[], int max)
{
	int n = 0;
	char *save, *tok;
	char *nl = strchr(line, '\n');

	if (nl)
		*nl = '\0';
	for (tok = strtok_r(line, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		fields[n++] = tok;
	return n;
}

/* Field n (from 1) of /proc/self/stat as a number; -1 when unreadable. */
static long long self_stat(int n)
{
	char buf[1024], *f[FIELD_MAX];

	if (slurp("/proc/self/stat", buf, sizeof(buf)) <= 0 || split(buf, f, FIELD_MAX) < n)
		return -1;
	return atoll(f[n - 1]);
}

/* The value of line "name value" in /proc/vmstat; -1 when missing. */
static long long vmstat(const char *name)
{
	size_t len = strlen(name);

	if (slurp("/proc/vmstat", text, sizeof(text)) <= 0)
		return -1;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return atoll(p + len + 1);
	return -1;
}

/* Maps NR_PAGES fresh pages and writes each: NR_PAGES page faults. */
static int touch_pages(void)
{
	char *p = mmap(NULL, NR_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	for (int i = 0; i < NR_PAGES; i++)
		p[i * PAGE_SZ] = (char)i;
	return munmap(p, NR_PAGES * PAGE_SZ);
}

static void test_self_stat(void)
{
	char buf[1024], want[64], *f[FIELD_MAX];
	int n = slurp("/proc/self/stat", buf, sizeof(buf)) > 0 ? split(buf, f, FIELD_MAX) : 0;
	long long minflt = self_stat(10), pgfault = vmstat("pgfault");

	tap_ok(n == 52, "/proc/self/stat has 52 fields (%d)", n);
	tap_ok(n >= 3 && atoi(f[0]) == getpid(), "field 1 is getpid()");
	snprintf(want, sizeof(want), "(%.15s)", "procfs_test");
	tap_ok(n >= 3 && !strcmp(f[1], want), "field 2 is the name in parentheses (%s)",
	       n >= 2 ? f[1] : "");
	tap_ok(n >= 3 && !strcmp(f[2], "R"), "field 3: the reader is running");
	tap_ok(n >= 20 && atoi(f[19]) == 1, "field 20: num_threads is 1");
	tap_ok(touch_pages() == 0, "mapped and wrote %d pages", NR_PAGES);
	tap_ok(minflt >= 0 && self_stat(10) >= minflt + NR_PAGES,
	       "minflt (field 10) rose by %d or more", NR_PAGES);
	tap_ok(pgfault >= 0 && vmstat("pgfault") >= pgfault + NR_PAGES,
	       "vmstat's pgfault rose too");
	tap_ok(self_stat(12) >= 0, "majflt (field 12) is a number");
}

static void test_pid_files(void)
{
	char path[64], mine[1024], want[64];
	char *f[FIELD_MAX];

	snprintf(path, sizeof(path), "/proc/%d/stat", getpid());
	tap_ok(slurp(path, mine, sizeof(mine)) > 0 && split(mine, f, FIELD_MAX) == 52 &&
		       atoi(f[0]) == getpid(),
	       "/proc/PID/stat is this process's");
	tap_ok(slurp("/proc/self/status", text, sizeof(text)) > 0 && !strncmp(text, "Name:\t", 6),
	       "/proc/self/status starts with Name:");
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	tap_ok(strstr(text, want) != NULL, "status: Pid");
	snprintf(want, sizeof(want), "\nPPid:\t%d\n", getppid());
	tap_ok(strstr(text, want) != NULL, "status: PPid is getppid()");
	tap_ok(strstr(text, "\nThreads:\t1\n") != NULL, "status: Threads 1");
	errno = 0;
	tap_ok(open("/proc/999999999/stat", O_RDONLY) < 0 && errno == ENOENT,
	       "a pid with no process: ENOENT");
}

static void test_mounts(void)
{
	ssize_t n = slurp("/proc/mounts", text, sizeof(text));
	int lines = 0, good = 0, proc = 0;
	char copy[1024], *f[8];

	tap_ok(n > 0, "/proc/mounts reads (%zd bytes)", n);
	for (char *p = text; n > 0 && *p; p = strchr(p, '\n') + 1) {
		size_t len = (size_t)(strchr(p, '\n') - p);
		int k;

		if (len >= sizeof(copy))
			len = sizeof(copy) - 1;
		memcpy(copy, p, len);
		copy[len] = '\0';
		k = split(copy, f, 8);
		lines++;
		good += k == 6 && (!strncmp(f[3], "rw", 2) || !strncmp(f[3], "ro", 2)) &&
			(f[3][2] == '\0' || f[3][2] == ',') && !strcmp(f[4], "0") &&
			!strcmp(f[5], "0");
		proc += k == 6 && !strcmp(f[1], "/proc") && !strcmp(f[2], "proc");
	}
	tap_ok(lines > 0 && good == lines, "every line is SOURCE DIR TYPE rw|ro,... 0 0 (%d of %d)",
	       good, lines);
	tap_ok(proc >= 1, "proc is mounted on /proc");
	tap_ok(slurp("/proc/self/mounts", text2, sizeof(text2)) == n && !strcmp(text, text2),
	       "/proc/self/mounts is the same text");
}

static void test_vmstat(void)
{
	const char *names[] = {"nr_free_pages", "nr_file_pages", "nr_dirty",
			       "nr_writeback",	"pgfault",	 "pgmajfault"};
	int found = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		long long v = vmstat(names[i]);

		found += v >= 0;
		if (v < 0)
			tap_diag("no %s in /proc/vmstat", names[i]);
	}
	tap_ok(found == 6, "/proc/vmstat has nr_free_pages ... pgmajfault");
	tap_ok(vmstat("nr_free_pages") > 0, "some pages are free");
}

/* The numbers of the line starting with key in /proc/interrupts; how many. */
static int irq_counts(const char *key)
{
	char *p = strstr(text, key), *end;
	int n = 0;

	if (!p)
		return -1;
	for (p += strlen(key);; n++) {
		strtoull(p, &end, 10);
		if (end == p)
			return n;
		p = end;
	}
}

static void test_interrupts(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char head[512];
	int len = snprintf(head, sizeof(head), "%11s", "");

	for (long c = 0; c < cpus && len < 400; c++)
		len += snprintf(head + len, sizeof(head) - (size_t)len, "CPU%-8ld", c);
	tap_ok(slurp("/proc/interrupts", text, sizeof(text)) > 0 &&
		       !strncmp(text, head, (size_t)len),
	       "/proc/interrupts: a header of CPU0..CPU%ld", cpus - 1);
	tap_ok(irq_counts("\nLOC:") == cpus, "LOC: a count per CPU");
	tap_ok(irq_counts("\nTLB:") == cpus, "TLB: a count per CPU");
	tap_ok(strstr(text, "  TLB shootdowns\n") != NULL, "TLB: named TLB shootdowns");
}

/* Writes str to path through a new descriptor (a sysctl write counts from offset 0): what
   write returned, or -1 with errno. */
static ssize_t write_at_start(const char *path, const char *str)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, str, strlen(str));
	close(fd);
	return n;
}

static void test_aio_max_nr(void)
{
	const char *path = "/proc/sys/fs/aio-max-nr";
	char before[64], after[64];
	ssize_t n = slurp(path, before, sizeof(before));
	int fd;

	tap_ok(n > 0 && atoll(before) > 0, "aio-max-nr reads (%lld)", atoll(before));
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		tap_skip("cannot open aio-max-nr for writing (not root?)",
			 "writing aio-max-nr back");
		tap_skip("cannot open aio-max-nr for writing", "a bad write is EINVAL");
		return;
	}
	close(fd);
	tap_ok(write_at_start(path, before) == n && slurp(path, after, sizeof(after)) > 0 &&
		       atoll(after) == atoll(before),
	       "aio-max-nr written back unchanged");
	errno = 0;
	tap_ok(write_at_start(path, "12x") < 0 && errno == EINVAL &&
		       slurp(path, after, sizeof(after)) > 0 && atoll(after) == atoll(before),
	       "a bad write is EINVAL and changes nothing");
}

static void test_readdir(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char pid[16];
	int self = 0, mounts = 0, mine = 0;

	snprintf(pid, sizeof(pid), "%d", getpid());
	while (d && (e = readdir(d))) {
		self += !strcmp(e->d_name, "self");
		mounts += !strcmp(e->d_name, "mounts");
		mine += !strcmp(e->d_name, pid);
	}
	if (d)
		closedir(d);
	tap_ok(d && self && mounts, "readdir of /proc lists self and mounts");
	tap_ok(mine == 1, "readdir of /proc lists this process's pid");
}

int main(void)
{
	tap_plan(30);
	test_self_stat();
	test_pid_files();
	test_mounts();
	test_vmstat();
	test_interrupts();
	test_aio_max_nr();
	test_readdir();
	return tap_done();
}
