/*
 * wpfaultbench: what tracking the dirty pages of a shared file mapping costs. A clean page of a
 * MAP_SHARED mapping is mapped read-only, so the first store to it takes a write-protect fault
 * that marks the page dirty; writeback (here msync(MS_SYNC)) cleans the page and write-protects
 * its entries again through the reverse map ("mm: tracking shared dirty pages", Linux 2.6.19;
 * mm/writeback.c and mm/rmap.c here, `bench wpfault` in the kernel). So every cycle
 *
 *	store to every page, store to every page again, msync(MS_SYNC)
 *
 * costs exactly one fault per page (both kernels), counted with getrusage's ru_minflt. Beside
 * it, the first store to each page of fresh anonymous memory (a demand-zero fault), timed the
 * same way: their ns per fault compare a write-protect fault with the cheapest fault there is.
 *
 *   wp     P pages of a file on the ext2 disk; ops_per_sec: faulting stores per second
 *   anon   P pages of anonymous memory (mmap, store to each, munmap outside the timing)
 *
 * It mounts the disk (--dev, default /dev/vda; teachos before /dev took "vda", which is tried
 * next) at --mnt (default /mnt), or uses what is mounted there already, and removes its file
 * (and the mount it made) at the end. Needs root to mount.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "user/bench.h"

#define PAGE	  4096
#define MAX_PAGES 4096

static const char *dev = "/dev/vda", *mnt = "/mnt";
static char path[256];
static int pages = 64, mounted, made_dir;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wpfaultbench [--dev DEV] [--mnt DIR] [--pages P] [--seconds S] [--rounds "
		"R]\n"
		"  write-protect faults on a MAP_SHARED ext2 file after msync(MS_SYNC), against\n"
		"  demand-zero faults on anonymous memory\n"
		"  --dev DEV     the ext2 device (default /dev/vda; teachos also takes vda)\n"
		"  --mnt DIR     where to mount it, or where it is mounted (default /mnt)\n"
		"  --pages P     pages of the file and of the anonymous mapping (default 64, "
		"1-%d)\n" BENCH_COMMON_USAGE,
		MAX_PAGES);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Stores to every page of p; the faults it took (*faults) and the ns it took. */
static uint64_t store_pages(volatile char *p, char v, long *faults)
{
	long f0 = minflt();
	uint64_t t0 = bench_now_ns(), t1;

	for (int i = 0; i < pages; i++)
		p[(size_t)i * PAGE + (size_t)i % PAGE] = v;
	t1 = bench_now_ns();
	*faults = minflt() - f0;
	return t1 - t0;
}

struct wp_result {
	double faults_per_sec, ns_per_fault, faults_per_cycle, cycles_per_sec;
};

/* The wp case for about seconds on the mapping map. 0, or -1 when msync fails. */
static int wp_case(volatile char *map, double seconds, struct wp_result *res)
{
	uint64_t t0 = bench_now_ns(), end = t0 + (uint64_t)(seconds * 1e9), ns = 0;
	long cycles = 0, faults = 0, f1, f2;

	do {
		ns += store_pages(map, (char)('a' + cycles % 26), &f1);
		store_pages(map, (char)('A' + cycles % 26), &f2);
		if (msync((void *)map, (size_t)pages * PAGE, MS_SYNC))
			return -1;
		faults += f1 + f2;
		cycles++;
	} while (bench_now_ns() < end);
	res->cycles_per_sec = (double)cycles / ((double)(bench_now_ns() - t0) / 1e9);
	res->faults_per_cycle = (double)faults / (double)cycles;
	res->ns_per_fault = faults ? (double)ns / (double)faults : 0;
	res->faults_per_sec = ns ? (double)faults / ((double)ns / 1e9) : 0;
	return 0;
}

/* The anon case: fresh anonymous pages stored to, for about seconds. 0, or -1. */
static int anon_case(double seconds, struct wp_result *res)
{
	uint64_t end = bench_now_ns() + (uint64_t)(seconds * 1e9), ns = 0;
	long faults = 0, f, maps = 0;

	do {
		char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		ns += store_pages(p, 1, &f);
		faults += f;
		maps++;
		munmap(p, (size_t)pages * PAGE);
	} while (bench_now_ns() < end);
	res->faults_per_cycle = (double)faults / (double)maps;
	res->ns_per_fault = faults ? (double)ns / (double)faults : 0;
	res->faults_per_sec = ns ? (double)faults / ((double)ns / 1e9) : 0;
	res->cycles_per_sec = 0;
	return 0;
}

/* True when something is mounted at mnt, by /proc/mounts; -1 when that file is missing. */
static int mounted_at(const char *dir)
{
	char line[512], a[256], b[256];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%255s %255s", a, b) == 2 && !strcmp(b, dir);
	fclose(f);
	return found;
}

/* Mounts dev at mnt unless something is there already. 0, or -1 with a message. */
static int wp_mount(void)
{
	int there = mounted_at(mnt);

	if (there < 0)
		printf("wpfaultbench: no /proc/mounts: cannot see whether %s is mounted\n", mnt);
	if (there > 0) {
		printf("wpfaultbench: %s is mounted already: using it\n", mnt);
		return 0;
	}
	if (!mkdir(mnt, 0755))
		made_dir = 1;
	if (!mount(dev, mnt, "ext2", 0, NULL)) {
		mounted = 1;
		return 0;
	}
	int err = errno;

	if (!strcmp(dev, "/dev/vda") && !mount("vda", mnt, "ext2", 0, NULL)) {
		printf("wpfaultbench: mount /dev/vda: %s; mounted \"vda\" (teachos's name)\n",
		       strerror(err));
		mounted = 1;
		return 0;
	}
	errno = err;
	if (errno == EBUSY && there < 0) {
		printf("wpfaultbench: mount %s: busy, taking %s as mounted\n", dev, mnt);
		return 0;
	}
	fprintf(stderr, "wpfaultbench: mount %s at %s (ext2): %s\n", dev, mnt, strerror(errno));
	return -1;
}

/* Creates the file of pages pages and maps it shared; the mapping, or MAP_FAILED. */
static volatile char *wp_map(int *fdp)
{
	static char buf[PAGE];
	int fd;

	snprintf(path, sizeof(path), "%s/wpfaultbench.%d", mnt, (int)getpid());
	fd = *fdp = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return MAP_FAILED;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < pages; i++)
		if (write(fd, buf, PAGE) != PAGE)
			return MAP_FAILED;
	if (fsync(fd))
		return MAP_FAILED;
	return mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

static void print_case(const char *name, double *ops, double *npf, double *fpc, double *cps,
		       int rounds)
{
	char extra[160];
	double f = bench_median(fpc, rounds);
	int n;

	n = snprintf(extra, sizeof(extra),
		     " pages=%d faults_per_cycle=%.2f faults_per_page=%.3f "
		     "ns_per_fault=%.0f",
		     pages, f, f / pages, bench_median(npf, rounds));
	if (cps)
		snprintf(extra + n, sizeof(extra) - (size_t)n, " cycles_per_sec=%.1f",
			 bench_median(cps, rounds));
	bench_result(name, 1, ops, rounds, extra);
}

static int wp_measure(const struct bench_opts *o, volatile char *map)
{
	double ops[2][BENCH_MAX_ROUNDS], npf[2][BENCH_MAX_ROUNDS], fpc[2][BENCH_MAX_ROUNDS];
	double cps[BENCH_MAX_ROUNDS];

	store_pages(map, 0, &(long){0}); /* dirty every page once: each cycle starts alike */
	msync((void *)map, (size_t)pages * PAGE, MS_SYNC);
	for (int r = 0; r < o->rounds; r++) {
		struct wp_result w, a;

		if (wp_case(map, o->seconds, &w) || anon_case(o->seconds, &a)) {
			fprintf(stderr, "wpfaultbench: msync/mmap: %s\n", strerror(errno));
			return -1;
		}
		ops[0][r] = w.faults_per_sec, npf[0][r] = w.ns_per_fault;
		fpc[0][r] = w.faults_per_cycle, cps[r] = w.cycles_per_sec;
		ops[1][r] = a.faults_per_sec, npf[1][r] = a.ns_per_fault;
		fpc[1][r] = a.faults_per_cycle;
	}
	print_case("wp", ops[0], npf[0], fpc[0], cps, o->rounds);
	print_case("anon", ops[1], npf[1], fpc[1], NULL, o->rounds);
	return 0;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {{"dev", 1, 0, 'd'},	{"mnt", 1, 0, 'm'},
						 {"pages", 1, 0, 'P'},	{"seconds", 1, 0, 's'},
						 {"rounds", 1, 0, 'r'}, {"help", 0, 0, 'h'},
						 {0, 0, 0, 0}};
	int opt;

	while ((opt = getopt_long(argc, argv, "s:r:h", longopts, NULL)) != -1) {
		int r = bench_common_opt(o, opt, optarg);

		if (r > 0)
			continue;
		if (r == 0 && opt == 'd' && *optarg)
			dev = optarg;
		else if (r == 0 && opt == 'm' && *optarg == '/')
			mnt = optarg;
		else if (r == 0 && opt == 'P' && !bench_parse_int(optarg, 1, MAX_PAGES, &pages))
			continue;
		else if (r == 0 && opt == 'h')
			return 0;
		else
			return -1;
	}
	return optind < argc ? -1 : 1;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	volatile char *map;
	int fd = -1, err, r;

	bench_init("wpfaultbench", &o);
	r = parse_args(argc, argv, &o);
	if (r <= 0) {
		usage(r ? stderr : stdout);
		return r ? 2 : 0;
	}
	printf("wpfaultbench: %d pages, %.2f s per case, %d rounds, %s at %s\n", pages, o.seconds,
	       o.rounds, dev, mnt);
	if (wp_mount())
		return 1;
	map = wp_map(&fd);
	err = map == MAP_FAILED;
	if (err)
		fprintf(stderr, "wpfaultbench: file %s: %s\n", path, strerror(errno));
	else
		err = wp_measure(&o, map);
	if (map != MAP_FAILED)
		munmap((void *)map, (size_t)pages * PAGE);
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (mounted && umount2(mnt, 0))
		fprintf(stderr, "wpfaultbench: umount %s: %s\n", mnt, strerror(errno));
	if (made_dir)
		rmdir(mnt);
	return err ? 1 : 0;
}
