/*
 * `mmdemo`: a guided tour of an address space (docs/vm.md). It makes an mm, faults its pages in
 * (zero page, then copy-on-write), puts a thread inside it on every other CPU, and unmaps the
 * pages twice, batched (the mmu_gather of Linux 2.6.39) and then one flush per page, printing what each
 * step cost in flushes and IPIs. Counters are global, so another user of the machine shows up
 * in them too.
 *
 * The threads write into a page of their own, outside the range that is unmapped: a thread
 * that touched the unmapped range would fault, wait for mmap_lock (munmap holds it) and so
 * sleep, and its CPU, switching to its idle thread, would leave the mm's cpu_mask: the
 * shootdowns that follow would rightly skip it.
 */
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/fault.h"
#include "mm/tlb.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/uaccess.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

#define DEMO_PAGES 64
#define BUSY_PAGE  (MMAP_BASE + (1 << 20)) /* the threads' own page, never unmapped */

struct demo_writer {
	struct mm *mm;
	uint64_t addr;
	volatile uint64_t rounds;
	volatile bool stop;
};

/* Writes into its page until told to stop: inside the mm, and running, all the while. */
static int demo_writer_fn(void *arg)
{
	struct demo_writer *w = arg;

	kthread_use_mm(w->mm);
	while (!READ_ONCE(w->stop)) {
		put_user_u64(w->addr, w->rounds);
		WRITE_ONCE(w->rounds, w->rounds + 1);
	}
	kthread_unuse_mm(w->mm);
	return 0;
}

static int touch_all(uint64_t addr, bool write)
{
	uint64_t v;

	for (unsigned int i = 0; i < DEMO_PAGES; i++)
		if (write ? put_user_u64(addr + i * PAGE_SIZE, i) : get_user_u64(&v, addr + i * PAGE_SIZE))
			return -EFAULT;
	return 0;
}

/* Threads inside mm on every other CPU, each having written at least once. Returns how many. */
static unsigned int start_writers(struct mm *mm, uint64_t addr, struct demo_writer *w,
				  struct thread **th)
{
	unsigned int cpu, n = 0, me = smp_processor_id();

	for_each_cpu(cpu, &cpu_online_mask) {
		th[cpu] = NULL;
		if (cpu == me)
			continue;
		w[cpu] = (struct demo_writer){ .mm = mm, .addr = addr };
		th[cpu] = kthread_create(demo_writer_fn, &w[cpu], "mmdemo/%u", cpu);
		if (!th[cpu])
			continue;
		kthread_bind(th[cpu], cpu);
		wake_up_new_thread(th[cpu]);
		while (!READ_ONCE(w[cpu].rounds))
			cpu_relax();
		n++;
	}
	return n;
}

/* One munmap of the demo pages in the given mode, with writers on the other CPUs. */
static int unmap_step(struct mm *mm, uint64_t addr, enum tlb_mode mode, const char *what)
{
	struct demo_writer w[NR_CPUS];
	struct thread *th[NR_CPUS];
	struct mmu_gather_stats g0, g1;
	struct tlb_stats t0, t1;
	enum tlb_mode old = tlb_mode;
	unsigned int n, cpu;
	int err;

	if (touch_all(addr, true))
		return -EFAULT;
	n = start_writers(mm, BUSY_PAGE, w, th);
	kprintf("mmdemo:   %u threads run inside the mm on the other CPUs: mm->cpu_mask holds %u "
		"CPUs\n",
		n, cpumask_weight(&mm->cpu_mask));
	g0 = mmu_gather_stats();
	t0 = tlb_stats();
	WRITE_ONCE(tlb_mode, mode);
	err = vm_munmap(mm, addr, DEMO_PAGES * PAGE_SIZE);
	WRITE_ONCE(tlb_mode, old);
	t1 = tlb_stats();
	g1 = mmu_gather_stats();
	for_each_cpu(cpu, &cpu_online_mask)
		if (th[cpu]) {
			WRITE_ONCE(w[cpu].stop, true);
			kthread_join(th[cpu]);
		}
	kprintf("mmdemo:   munmap %s: %llu TLB flushes, %llu IPIs, %llu pages freed after "
		"them\n",
		what, (unsigned long long)(t1.flushes - t0.flushes),
		(unsigned long long)(t1.ipis - t0.ipis),
		(unsigned long long)(g1.pages_freed - g0.pages_freed));
	return err;
}

static int64_t map_demo(struct mm *mm)
{
	return vm_mmap(mm, MMAP_BASE, DEMO_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
}

static int fault_steps(uint64_t addr)
{
	struct fault_stats f0 = fault_stats(), f1, f2;

	if (touch_all(addr, false))
		return -EFAULT;
	f1 = fault_stats();
	kprintf("mmdemo: 2. read each page: %llu faults map the one zero page, read-only\n",
		(unsigned long long)(f1.zero_page - f0.zero_page));
	if (touch_all(addr, true))
		return -EFAULT;
	f2 = fault_stats();
	kprintf("mmdemo: 3. write each page: %llu copy-on-write faults give each its own page\n",
		(unsigned long long)(f2.cow - f1.cow));
	return 0;
}

static int demo(struct mm *mm)
{
	int64_t a = map_demo(mm);
	uint64_t v;
	int err;

	if (a < 0)
		return (int)a;
	if ((err = (int)vm_mmap(mm, BUSY_PAGE, PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0)) < 0)
		return err;
	kprintf("mmdemo: 1. mapped %d pages of private anonymous memory at %#llx: no page yet\n",
		DEMO_PAGES, (unsigned long long)a);
	if ((err = fault_steps(a)) != 0)
		return err;
	kprintf("mmdemo: 4. unmap them while threads of the mm run on the other CPUs:\n");
	if ((err = unmap_step(mm, a, TLB_BATCHED, "batched (the mmu_gather: one flush per batch)")))
		return err;
	if ((a = map_demo(mm)) < 0)
		return (int)a;
	if ((err = unmap_step(mm, a, TLB_UNBATCHED, "unbatched (one flush per page)")))
		return err;
	if ((a = map_demo(mm)) < 0 || (err = vm_mprotect(mm, a, PAGE_SIZE, PROT_READ)))
		return a < 0 ? (int)a : err;
	kprintf("mmdemo: 5. mprotect(PROT_READ), then a write: %s; a read: %s\n",
		put_user_u64(a, 1) == -EFAULT ? "-EFAULT" : "allowed (wrong!)",
		get_user_u64(&v, a) == 0 ? "allowed" : "-EFAULT (wrong!)");
	return 0;
}

static int cmd_mmdemo(int argc, char **argv)
{
	struct mm *mm;
	int err;

	if (argc != 1)
		return shell_usage(argv[0]);
	if (!(mm = mm_alloc("mmdemo")))
		return -ENOMEM;
	kthread_use_mm(mm);
	err = demo(mm);
	kthread_unuse_mm(mm);
	mmput(mm);
	kprintf("mmdemo: %s; `vm` shows the counters, docs/vm.md explains them\n",
		err ? "stopped by an error" : "done");
	return err;
}
SHELL_COMMAND("mmdemo", "", "a guided tour: faults, copy-on-write, munmap batched vs unbatched",
	      cmd_mmdemo);
