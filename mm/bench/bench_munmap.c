/*
 * bench munmap ("mm: mmu_gather rework" (Linux 2.6.39)): what unmapping costs, and what the mmu_gather saves. One address
 * space; thread 0 maps N pages, writes each (so each has a page), and unmaps them, over and
 * over; the other threads run inside the same mm on their CPUs, each writing into a page of
 * its own, so every CPU of the run is in the mm's cpu_mask and a shootdown must reach it.
 *
 * Variants: the mode (mm/mmu_gather.c) and N, 1, 8, 64 or 512 pages:
 *   batched    the mmu_gather: one flush (one IPI per other CPU) per batch of up to ~500 pages;
 *   unbatched  a flush, and an IPI to every other CPU, for every page;
 *   broadcast  batched, but every flush interrupts every online CPU, in the mm or not.
 *
 * An op is one round of thread 0 (map, write, unmap); the keys say what the munmap alone cost:
 * munmap_ns per call, ns_per_page, the flushes and IPIs per call, and shootdown_ns, the part of
 * munmap_ns spent in flushes that sent IPIs (from the first IPI to the last acknowledgement,
 * this CPU's own flush included).
 */
#include "kernel/bench/bench.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define AREA	  MMAP_BASE
#define BUSY_AREA (MMAP_BASE + (1ULL << 32)) /* a page per thread, never unmapped */

static struct munmap_bench {
	struct mm *mm;
	unsigned int pages;
	uint64_t calls, tsc, flushes, ipis, shootdown_ns;
	int err;
} bench;

static int munmap_setup(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	bench = (struct munmap_bench){.mm = mm_alloc("bench-munmap")};
	if (!bench.mm)
		return -ENOMEM;
	if (vm_mmap(bench.mm, BUSY_AREA, NR_CPUS * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0) {
		mmput(bench.mm);
		return -ENOMEM;
	}
	return 0;
}

static void munmap_teardown(void *data, char *extra, size_t size)
{
	uint64_t n = bench.calls ? bench.calls : 1, ns = tsc_to_ns(bench.tsc);

	(void)data;
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
	mmput(bench.mm);
	snprintf(extra, size,
		 " pages=%u munmap_ns=%llu ns_per_page=%llu flushes_per_call=%llu.%02llu "
		 "ipis_per_call=%llu.%02llu shootdown_ns=%llu%s",
		 bench.pages, (unsigned long long)(ns / n),
		 (unsigned long long)(ns / n / bench.pages),
		 (unsigned long long)(bench.flushes / n),
		 (unsigned long long)(bench.flushes * 100 / n % 100),
		 (unsigned long long)(bench.ipis / n),
		 (unsigned long long)(bench.ipis * 100 / n % 100),
		 (unsigned long long)(bench.shootdown_ns / n), bench.err ? " error=1" : "");
}

/* Thread 0's round: map, write every page, unmap (timed). */
static int one_round(unsigned int pages)
{
	struct tlb_stats t0, t1;
	uint64_t start;

	if (vm_mmap(bench.mm, AREA, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < pages; i++)
		if (put_user_u64(AREA + i * PAGE_SIZE, i))
			return -EFAULT;
	t0 = tlb_stats();
	start = rdtsc();
	if (vm_munmap(bench.mm, AREA, pages * PAGE_SIZE))
		return -EINVAL;
	bench.tsc += rdtsc() - start;
	t1 = tlb_stats();
	bench.flushes += t1.flushes - t0.flushes;
	bench.ipis += t1.ipis - t0.ipis;
	bench.shootdown_ns += t1.shootdown_ns - t0.shootdown_ns;
	bench.calls++;
	return 0;
}

static uint64_t run_munmap(struct bench_thread *b, enum tlb_mode mode, unsigned int pages)
{
	uint64_t ops = 0, busy = BUSY_AREA + b->index * PAGE_SIZE;

	kthread_use_mm(bench.mm);
	if (b->index == 0) {
		bench.pages = pages;
		WRITE_ONCE(tlb_mode, mode);
		while (!READ_ONCE(*b->stop) && !bench.err)
			if (!(bench.err = one_round(pages)))
				ops++;
	} else {
		while (!READ_ONCE(*b->stop)) /* stay inside the mm, running */
			put_user_u64(busy, ops++);
	}
	kthread_unuse_mm(bench.mm);
	return b->index == 0 ? ops : 0;
}

#define MUNMAP_RUN(mode, pages)                                                                    \
	static uint64_t run_##mode##_##pages(struct bench_thread *b)                               \
	{                                                                                          \
		return run_munmap(b, mode, pages);                                                 \
	}
#define MUNMAP_VARIANT(mode, pages, name)                                                          \
	{                                                                                          \
		name, munmap_setup, run_##mode##_##pages, munmap_teardown                          \
	}

MUNMAP_RUN(TLB_BATCHED, 1)
MUNMAP_RUN(TLB_BATCHED, 8)
MUNMAP_RUN(TLB_BATCHED, 64)
MUNMAP_RUN(TLB_BATCHED, 512)
MUNMAP_RUN(TLB_UNBATCHED, 1)
MUNMAP_RUN(TLB_UNBATCHED, 8)
MUNMAP_RUN(TLB_UNBATCHED, 64)
MUNMAP_RUN(TLB_UNBATCHED, 512)
MUNMAP_RUN(TLB_BROADCAST, 1)
MUNMAP_RUN(TLB_BROADCAST, 8)
MUNMAP_RUN(TLB_BROADCAST, 64)
MUNMAP_RUN(TLB_BROADCAST, 512)

LATENCY_BENCHMARK(munmap, "munmap of 1-512 written pages: batched, unbatched, broadcast", 1,
		  MUNMAP_VARIANT(TLB_BATCHED, 1, "batched-1"),
		  MUNMAP_VARIANT(TLB_BATCHED, 8, "batched-8"),
		  MUNMAP_VARIANT(TLB_BATCHED, 64, "batched-64"),
		  MUNMAP_VARIANT(TLB_BATCHED, 512, "batched-512"),
		  MUNMAP_VARIANT(TLB_UNBATCHED, 1, "unbatched-1"),
		  MUNMAP_VARIANT(TLB_UNBATCHED, 8, "unbatched-8"),
		  MUNMAP_VARIANT(TLB_UNBATCHED, 64, "unbatched-64"),
		  MUNMAP_VARIANT(TLB_UNBATCHED, 512, "unbatched-512"),
		  MUNMAP_VARIANT(TLB_BROADCAST, 1, "broadcast-1"),
		  MUNMAP_VARIANT(TLB_BROADCAST, 8, "broadcast-8"),
		  MUNMAP_VARIANT(TLB_BROADCAST, 64, "broadcast-64"),
		  MUNMAP_VARIANT(TLB_BROADCAST, 512, "broadcast-512"));
