/*
 * Per-CPU areas. CPU 0 uses the linked .bss.percpu copy (offset 0), so per-CPU data works from
 * the first instruction of kmain, before the allocator exists; each other CPU gets a zeroed
 * area, and __per_cpu_offset[cpu] is the distance from the linked copy to its area.
 */
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "arch/x86_64/cpu.h"
#include "mm/page_alloc.h"
#include "lib/errno.h"
#include "lib/string.h"

extern char __percpu_start[], __percpu_end[];

/* arch/x86_64/entry_64.asm reads these two at %gs:16 and %gs:24. */
BUILD_BUG_ON(offsetof(struct cpu, top_of_stack) != 16);
BUILD_BUG_ON(offsetof(struct cpu, user_rsp) != 24);

DEFINE_PER_CPU(struct cpu, cpu_info);
uint64_t __per_cpu_offset[NR_CPUS];
unsigned int nr_cpu_ids = 1;

size_t percpu_size(void)
{
	return (size_t)(__percpu_end - __percpu_start);
}

static void init_cpu_struct(unsigned int cpu, uint32_t apic_id)
{
	struct cpu *c = per_cpu_ptr(&cpu_info, cpu);
	c->self = c;
	c->percpu_offset = __per_cpu_offset[cpu];
	c->preempt_count = PREEMPT_NO_RESCHED; /* 0, and no switch pending */
	c->id = cpu;
	c->apic_id = apic_id;
}

void percpu_load(unsigned int cpu)
{
	wrmsr(MSR_GS_BASE, (uint64_t)per_cpu_ptr(&cpu_info, cpu));
}

void percpu_init_boot_cpu(void)
{
	__per_cpu_offset[0] = 0;
	init_cpu_struct(0, 0);
	percpu_load(0);
}

int percpu_alloc_cpu(unsigned int cpu, uint32_t apic_id)
{
	size_t size = percpu_size();
	unsigned int order = 0;
	struct page *pages;
	char *area;

	if (cpu == 0 || cpu >= NR_CPUS)
		return -EINVAL;
	while ((PAGE_SIZE << order) < size)
		order++;
	pages = alloc_pages(order);
	if (!pages)
		return -ENOMEM;
	area = page_address(pages);
	memset(area, 0, PAGE_SIZE << order);
	__per_cpu_offset[cpu] = (uint64_t)(area - __percpu_start);
	init_cpu_struct(cpu, apic_id);
	return 0;
}
