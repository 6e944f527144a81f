/* The `irqs` shell command: the I/O APICs, and each device IRQ (I/O APIC input or MSI vector)
   with its handler and count. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/irq.h"
#include "kernel/console_input.h"
#include "kernel/msi.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"

static int cmd_irqs(int argc, char **argv)
{
	const struct ioapic *a;
	struct msi_irq_info m;
	unsigned n = 0;

	if (argc != 1)
		return shell_usage(argv[0]);
	for (unsigned i = 0; (a = ioapic_get(i)); i++)
		kprintf("I/O APIC id %u at %#x, version %#x, GSIs %u-%u\n", a->id, a->phys,
			a->version, a->gsi_base, a->gsi_base + a->nentries - 1);
	kprintf("irq  gsi  vector       count  name\n");
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		const char *name = irq_name(irq);

		if (!name)
			continue;
		kprintf("%3u  %3d    %#4x  %10llu  %s", irq, ioapic_isa_irq_to_gsi(irq),
			IRQ_BASE_VECTOR + irq, (unsigned long long)irq_count(irq), name);
		if (irq_is_shared(irq)) {
			/* A PCI INTx line: its other handlers, and the interrupts none claimed. */
			for (unsigned i = 1; (name = irq_shared_name(irq, i)); i++)
				kprintf(", %s", name);
			kprintf(" (level, shared; %llu unclaimed)",
				(unsigned long long)irq_unhandled_count(irq));
		}
		kprintf("\n");
		n++;
	}
	for (unsigned i = 0; msi_irq_get(i, &m); i++, n++)
		kprintf("msi    -    %#4x  %10llu  %s\n", m.vector, (unsigned long long)m.count,
			m.name);
	if (n == 0)
		kprintf("(none requested)\n");
	kprintf("spurious interrupts %llu; console input %s, %llu bytes dropped (buffer full)\n",
		(unsigned long long)irq_spurious_count(),
		console_input_irq_driven() ? "by interrupt" : "polled",
		(unsigned long long)console_input_overruns());
	return 0;
}
SHELL_COMMAND("irqs", "", "device IRQs: I/O APIC input, vector, interrupts taken, handler",
	      cmd_irqs);
