/*
 * munmapbench: what unmapping costs while the process runs on other CPUs. Before munmap may
 * free a page, every CPU that may hold a TLB entry for it must drop it: the CPUs running the
 * mm get a shootdown IPI and the unmapping CPU waits for them. Linux batches the pages and the
 * flush of one unmap in an mmu_gather ("mm: mmu_gather rework", 2.6.39), so one munmap of many
 * pages costs one shootdown per CPU, not one per page (mm/mmu_gather.c here).
 *
 * A helper thread is pinned (sched_setaffinity) to every CPU but CPU 0; each spins on a shared
 * flag and stores to a page of its own, so every CPU has the mm loaded. The main thread, pinned
 * to CPU 0, maps, touches and unmaps 1, 8, 64 and 512 pages in a loop: the cases p1, p8, p64,
 * p512. It reports munmaps/s, pages/s and the shootdown IPIs per munmap, from the sum of the
 * `TLB:` line of /proc/interrupts (Linux's: shootdowns received, per CPU) before and after.
 * With one CPU it runs without helpers (no IPI is needed) and says so.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include "user/bench.h"

#define PAGE 4096

static const int case_pages[] = {1, 8, 64, 512};
#define NCASES (int)(sizeof(case_pages) / sizeof(case_pages[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: munmapbench [--seconds S] [--rounds R]\n"
		   "  mmap+touch+munmap of 1, 8, 64, 512 pages on CPU 0 while a thread on every\n"
		   "  other CPU runs in the same mm; TLB shootdown IPIs from "
		   "/proc/interrupts\n" BENCH_COMMON_USAGE);
}

/* A helper: on its CPU, store to its own page until stopped. */
static void mb_helper(struct bench_worker *w)
{
	volatile char *page = (char *)w->arg + (size_t)w->id * PAGE;
	int err = bench_pin(w->id + 1);

	if (err)
		w->aux[1] = -err;
	bench_worker_start();
	while (!bench_stopped())
		page[w->ops++ % PAGE] = 1;
}

/* The sum of the TLB: line of /proc/interrupts, or -1 when there is none. */
static long tlb_ipis(void)
{
	static char buf[16384];
	int fd = open("/proc/interrupts", O_RDONLY);
	ssize_t n = 0, r;
	long sum = -1;
	char *p;

	if (fd < 0)
		return -1;
	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char *q = p;

		while (*q == ' ')
			q++;
		if (strncmp(q, "TLB:", 4))
			continue;
		for (q += 4, sum = 0;;) {
			char *end;
			long v = strtol(q, &end, 10);

			if (end == q)
				return sum;
			sum += v;
			q = end;
		}
	}
	return sum;
}

/* One case on the calling thread: for about seconds, map, touch, unmap pages pages. Returns
   munmaps per second; *ipis gets the shootdowns per munmap (-1 without /proc/interrupts). */
static double mb_case(int pages, double seconds, double *ipis)
{
	size_t len = (size_t)pages * PAGE;
	long ops = 0, i0 = tlb_ipis(), i1;
	uint64_t t0 = bench_now_ns(), end = t0 + (uint64_t)(seconds * 1e9), t1;

	while ((t1 = bench_now_ns()) < end) {
		char *p =
			mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		for (int i = 0; i < pages; i++)
			p[(size_t)i * PAGE] = 1;
		if (munmap(p, len))
			return -1;
		ops++;
	}
	i1 = tlb_ipis();
	*ipis = i0 >= 0 && i1 >= 0 && ops ? (double)(i1 - i0) / (double)ops : -1;
	return (double)ops / ((double)(t1 - t0) / 1e9);
}

static int mb_measure(const struct bench_opts *o, int helpers)
{
	double ops[NCASES][BENCH_MAX_ROUNDS], ipis[NCASES][BENCH_MAX_ROUNDS];

	for (int r = 0; r < o->rounds; r++)
		for (int c = 0; c < NCASES; c++)
			if ((ops[c][r] = mb_case(case_pages[c], o->seconds, &ipis[c][r])) < 0) {
				fprintf(stderr, "munmapbench: mmap/munmap: %s\n", strerror(errno));
				return -1;
			}
	for (int c = 0; c < NCASES; c++) {
		char name[16], extra[128];
		double ipi = bench_median(ipis[c], o->rounds), rate;

		rate = bench_median(ops[c], o->rounds);
		snprintf(name, sizeof(name), "p%d", case_pages[c]);
		snprintf(extra, sizeof(extra), " pages=%d pages_per_sec=%.0f helpers=%d",
			 case_pages[c], rate * case_pages[c], helpers);
		if (ipi >= 0)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				 " ipis_per_op=%.3f", ipi);
		bench_result(name, helpers + 1, ops[c], o->rounds, extra);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"seconds", 1, 0, 's'}, {"rounds", 1, 0, 'r'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	struct bench_opts o;
	int status, helpers, err;
	char *own_pages;

	bench_init("munmapbench", &o);
	if ((status = bench_parse_common(argc, argv, &o, "s:r:h", longopts, usage)) >= 0)
		return status;
	helpers = bench_cpus() - 1;
	if (helpers > BENCH_MAX_WORKERS)
		helpers = BENCH_MAX_WORKERS;
	if ((err = bench_pin(0)))
		fprintf(stderr, "munmapbench: cannot pin to CPU 0: %s\n", strerror(-err));
	printf("munmapbench: %d CPUs, %.2f s per case, %d rounds\n", bench_cpus(), o.seconds,
	       o.rounds);
	if (!helpers)
		printf("munmapbench: one CPU: no helper threads, no shootdown IPIs needed\n");
	if (tlb_ipis() < 0)
		printf("munmapbench: no TLB: line in /proc/interrupts: IPI counts unavailable\n");
	own_pages = mmap(NULL, (size_t)(helpers + 1) * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own_pages == MAP_FAILED || (helpers && !bench_start(helpers, 0, mb_helper, own_pages)))
		return 1;
	err = mb_measure(&o, helpers);
	bench_finish(helpers, NULL);
	for (int i = 0; i < helpers; i++)
		if (bench_sh->w[i].aux[1])
			fprintf(stderr, "munmapbench: helper could not pin to CPU %d: %s\n", i + 1,
				strerror((int)bench_sh->w[i].aux[1]));
	return err ? 1 : 0;
}
