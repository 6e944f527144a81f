/*
 * bench unmap_latency ("mm: mmu_gather rework", Linux 2.6.39): what the rework was for. The patch
 * made the mmu_gather preemptible; this measures, for a large unmap (64 MiB of written pages)
 * in each mode of mm/mmu_gather_variants.h, how long the unmapping CPU could not switch:
 *
 *   preempt_off_us  the longest stretch with preemption off on that CPU during the munmap
 *                   (kernel/preemptoff.h traces it);
 *   ptl_hold_us     the longest hold of page_table_lock by the unmap;
 *   wakeup_us       the wake-up latency of a thread on the same CPU woken during the munmap:
 *                   from the wake (on another CPU, once a quarter of the pages are unmapped) to
 *                   the moment the thread runs. The thread asks for the CPU at once
 *                   (sched_set_wake_preempt, as a woken real-time thread in Linux), so the wait
 *                   is the preempt-off stretch that was under way, not a time slice;
 *   munmap_ms       the munmap's time.
 * Each key is the median over the run's rounds (of the first MAX_ROUNDS) of that round's
 * figure: under TCG a vCPU that the host does not run for a while stretches whatever is under
 * way, and a maximum over rounds would show the host, not the kernel. `wakeups` counts the
 * rounds whose wake came while the munmap ran (the others are left out of wakeup_us).
 *
 * Thread 0 maps and writes the pages, then unmaps them, with a sleeper bound to its CPU;
 * thread 1 runs inside the same mm on its CPU (so every flush must reach it), watches the
 * unmap's progress (mm->nr_pages) and wakes the sleeper; the other threads, if any, run inside
 * the mm too.
 */
#include "kernel/bench/bench.h"
#include "kernel/kthread.h"
#include "kernel/preemptoff.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/completion.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/mmu_gather_variants.h"
#include "mm/uaccess.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define AREA	   MMAP_BASE
#define PAGES	   (64ULL << 20 >> PAGE_SHIFT)
#define BUSY_AREA  (MMAP_BASE + (1ULL << 32)) /* a page per thread, never unmapped */
#define MAX_ROUNDS 64

static struct unmap_latency_bench {
	struct mm *mm;
	struct thread *sleeper;
	struct completion go, ran;
	volatile bool armed, done, stop;
	uint64_t wake_tsc, run_tsc; /* the wake, and when the sleeper ran */
	bool wake_in_unmap;	    /* the wake came before the munmap returned */
	uint64_t rounds, wakeups;
	/* Each round's figures, in ns */
	uint64_t munmap_ns[MAX_ROUNDS], preempt_off_ns[MAX_ROUNDS], ptl_hold_ns[MAX_ROUNDS],
		wakeup_ns[MAX_ROUNDS];
	int err;
} bench;

static int sleeper_fn(void *arg)
{
	(void)arg;
	for (;;) {
		wait_for_completion(&bench.go);
		if (READ_ONCE(bench.stop))
			return 0;
		bench.run_tsc = rdtsc();
		complete(&bench.ran);
	}
}

static int unmap_latency_setup(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	bench = (struct unmap_latency_bench){.mm = mm_alloc("bench-unmap-latency")};
	if (!bench.mm)
		return -ENOMEM;
	init_completion(&bench.go);
	init_completion(&bench.ran);
	if (vm_mmap(bench.mm, BUSY_AREA, NR_CPUS * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0) {
		mmput(bench.mm);
		return -ENOMEM;
	}
	return 0;
}

/* The median of the first n (at most MAX_ROUNDS) of v, in us; v is sorted. */
static uint64_t median_us(uint64_t *v, uint64_t n)
{
	if (n > MAX_ROUNDS)
		n = MAX_ROUNDS;
	if (!n)
		return 0;
	for (uint64_t i = 1; i < n; i++)
		for (uint64_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return (v[n / 2] + 500) / 1000;
}

static void unmap_latency_teardown(void *data, char *extra, size_t size)
{
	(void)data;
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
	mmput(bench.mm);
	snprintf(extra, size,
		 " pages=%llu munmap_ms=%llu preempt_off_us=%llu ptl_hold_us=%llu wakeup_us=%llu "
		 "wakeups=%llu%s",
		 (unsigned long long)PAGES,
		 (unsigned long long)((median_us(bench.munmap_ns, bench.rounds) + 500) / 1000),
		 (unsigned long long)median_us(bench.preempt_off_ns, bench.rounds),
		 (unsigned long long)median_us(bench.ptl_hold_ns, bench.rounds),
		 (unsigned long long)median_us(bench.wakeup_ns, bench.wakeups),
		 (unsigned long long)bench.wakeups, bench.err ? " error=1" : "");
}

/* Thread 0's round: map and write 64 MiB, then unmap it, traced, while thread 1 wakes the
   sleeper; then wait for the sleeper to have run. */
static int one_round(void)
{
	struct preemptoff_max m;
	uint64_t t0, t1, r = bench.rounds < MAX_ROUNDS ? bench.rounds : MAX_ROUNDS - 1;
	int err = 0;

	if (vm_mmap(bench.mm, AREA, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0)
		return -ENOMEM;
	for (uint64_t i = 0; i < PAGES; i++)
		if (put_user_u64(AREA + i * PAGE_SIZE, i))
			return -EFAULT;
	WRITE_ONCE(bench.done, false);
	WRITE_ONCE(bench.armed, true);
	preemptoff_trace_begin();
	t0 = rdtsc();
	if (vm_munmap(bench.mm, AREA, PAGES * PAGE_SIZE))
		err = -EINVAL;
	t1 = rdtsc();
	m = preemptoff_trace_end();
	WRITE_ONCE(bench.done, true);
	wait_for_completion(&bench.ran); /* thread 1 wakes it, in the munmap or after */
	bench.munmap_ns[r] = tsc_to_ns(t1 - t0);
	bench.preempt_off_ns[r] = m.preempt_off_ns;
	bench.ptl_hold_ns[r] = m.lock_hold_ns;
	if (bench.wake_in_unmap && bench.wakeups < MAX_ROUNDS)
		bench.wakeup_ns[bench.wakeups++] = tsc_to_ns(bench.run_tsc - bench.wake_tsc);
	bench.rounds++;
	return err;
}

/* Thread 1: once a quarter of the pages are unmapped, wake the sleeper. */
static void maybe_wake(void)
{
	if (!READ_ONCE(bench.armed) || READ_ONCE(bench.mm->nr_pages) > PAGES * 3 / 4)
		return;
	WRITE_ONCE(bench.armed, false);
	bench.wake_tsc = rdtsc();
	bench.wake_in_unmap = !READ_ONCE(bench.done);
	complete(&bench.go);
}

static uint64_t run_unmap_latency(struct bench_thread *b, enum tlb_mode mode)
{
	uint64_t ops = 0, busy = BUSY_AREA + b->index * PAGE_SIZE;

	kthread_use_mm(bench.mm);
	if (b->index == 0) {
		WRITE_ONCE(tlb_mode, mode);
		bench.sleeper = kthread_create(sleeper_fn, NULL, "unmap-lat-sleeper");
		if (!bench.sleeper) {
			bench.err = -ENOMEM;
		} else {
			kthread_bind(bench.sleeper, b->cpu);
			sched_set_wake_preempt(bench.sleeper, true);
			wake_up_new_thread(bench.sleeper);
		}
		while (!READ_ONCE(*b->stop) && !bench.err)
			if (!(bench.err = one_round()))
				ops++;
		WRITE_ONCE(bench.stop, true);
		if (bench.sleeper) {
			complete(&bench.go);
			kthread_join(bench.sleeper);
		}
	} else {
		/* Until thread 0 is done, not until the time is up: its last round waits
		   for the wake. */
		while (!READ_ONCE(bench.stop)) {
			if (b->index == 1)
				maybe_wake();
			put_user_u64(busy, ops++);
		}
	}
	kthread_unuse_mm(bench.mm);
	return b->index == 0 ? ops : 0;
}

#define UNMAP_LATENCY_RUN(mode)                                                                    \
	static uint64_t run_##mode(struct bench_thread *b)                                         \
	{                                                                                          \
		return run_unmap_latency(b, mode);                                                 \
	}
#define UNMAP_LATENCY_VARIANT(mode, name)                                                          \
	{                                                                                          \
		name, unmap_latency_setup, run_##mode, unmap_latency_teardown                      \
	}

UNMAP_LATENCY_RUN(TLB_LEGACY)
UNMAP_LATENCY_RUN(TLB_REWORK)
UNMAP_LATENCY_RUN(TLB_BATCHED)
UNMAP_LATENCY_RUN(TLB_UNBATCHED)
UNMAP_LATENCY_RUN(TLB_BROADCAST)

LATENCY_BENCHMARK(unmap_latency,
		  "munmap of 64 MiB: preempt-off and page_table_lock maxima, wake-up latency, "
		  "per mode (legacy = 2.6.38, rework = 2.6.39, batched = Linux today)",
		  2, UNMAP_LATENCY_VARIANT(TLB_LEGACY, "legacy"),
		  UNMAP_LATENCY_VARIANT(TLB_REWORK, "rework"),
		  UNMAP_LATENCY_VARIANT(TLB_BATCHED, "batched"),
		  UNMAP_LATENCY_VARIANT(TLB_UNBATCHED, "unbatched"),
		  UNMAP_LATENCY_VARIANT(TLB_BROADCAST, "broadcast"));
