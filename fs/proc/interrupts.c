/*
 * /proc/interrupts, in the layout of Linux's show_interrupts (kernel/irq/proc.c) and
 * arch_show_interrupts (arch/x86/kernel/irq.c): a header of the online CPUs, a line per device
 * interrupt with its count on each CPU, then the per-CPU system lines:
 *
 *	LOC  local APIC timer interrupts (the tick)		cpu->ticks
 *	RES  rescheduling IPIs					cpu->irq_resched_count
 *	CAL  function-call IPIs (TLB shootdowns included)	cpu->irq_call_count
 *	TLB  TLB flush requests received from another CPU	tlb_received() (mm/tlb.c)
 *
 * TLB counts what Linux's irq_tlb_count counts: on each CPU, the flushes another CPU asked of
 * it by IPI, counted as the request is handled, whether or not the CPU still ran the mm.
 * Device interrupts all go to the boot CPU (kernel/irq.c, kernel/msi.c): their counts stand
 * in the CPU0 column.
 */
#include "fs/proc/internal.h"
#include "kernel/irq.h"
#include "kernel/msi.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "mm/tlb.h"
#include "arch/x86_64/ioapic.h"

#define PREC 3 /* the width of the first column, Linux's for fewer than 1000 IRQs */

/* The count on each online CPU: total on the boot CPU, 0 on the others. */
static void boot_cpu_counts(struct seq_buf *s, uint64_t total)
{
	unsigned int cpu;

	for_each_cpu(cpu, &cpu_online_mask)
		seq_buf_printf(s, "%10llu ", (unsigned long long)(cpu == 0 ? total : 0));
}

static void device_lines(struct seq_buf *s)
{
	struct msi_irq_info m;
	const char *name;

	for (unsigned int irq = 0; irq < ISA_IRQS; irq++) {
		if (!(name = irq_name(irq)))
			continue;
		seq_buf_printf(s, "%*u: ", PREC, irq);
		boot_cpu_counts(s, irq_count(irq));
		seq_buf_printf(s, " %8s %*u-%-8s  %s", "IO-APIC", PREC, irq,
			       irq_is_shared(irq) ? "fasteoi" : "edge", name);
		for (unsigned int i = 1; irq_is_shared(irq) && (name = irq_shared_name(irq, i));
		     i++)
			seq_buf_printf(s, ", %s", name);
		seq_buf_putc(s, '\n');
	}
	for (unsigned int i = 0; msi_irq_get(i, &m); i++) {
		seq_buf_printf(s, "%*u: ", PREC, m.vector);
		boot_cpu_counts(s, m.count);
		seq_buf_printf(s, " %8s %*u-%-8s  %s\n", "PCI-MSI", PREC, i, "edge", m.name);
	}
}

/* One system line: its name, the count of each online CPU, what it counts. */
static void system_line(struct seq_buf *s, const char *name, uint64_t (*count)(unsigned int cpu),
			const char *what)
{
	unsigned int cpu;

	seq_buf_printf(s, "%*s: ", PREC, name);
	for_each_cpu(cpu, &cpu_online_mask)
		seq_buf_printf(s, "%10llu ", (unsigned long long)count(cpu));
	seq_buf_printf(s, "  %s\n", what);
}

static uint64_t loc_count(unsigned int cpu)
{
	return READ_ONCE(per_cpu(cpu_info, cpu).ticks);
}

static uint64_t res_count(unsigned int cpu)
{
	return READ_ONCE(per_cpu(cpu_info, cpu).irq_resched_count);
}

static uint64_t cal_count(unsigned int cpu)
{
	return READ_ONCE(per_cpu(cpu_info, cpu).irq_call_count);
}

int proc_interrupts_show(struct seq_buf *s, int pid)
{
	unsigned int cpu;

	(void)pid;
	seq_buf_printf(s, "%*s", PREC + 8, "");
	for_each_cpu(cpu, &cpu_online_mask)
		seq_buf_printf(s, "CPU%-8u", cpu);
	seq_buf_putc(s, '\n');
	device_lines(s);
	system_line(s, "LOC", loc_count, "Local timer interrupts");
	system_line(s, "RES", res_count, "Rescheduling interrupts");
	system_line(s, "CAL", cal_count, "Function call interrupts");
	system_line(s, "TLB", tlb_received, "TLB shootdowns");
	return 0;
}
