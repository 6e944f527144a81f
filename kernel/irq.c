/*
 * Device interrupts through the I/O APIC, and spurious interrupts (see kernel/irq.h).
 *
 * irq_lock serializes request_irq(), and with it the I/O APIC's select-then-access register
 * pairs, which must not interleave with another CPU's (irq_init runs before the other CPUs are
 * up). irq_dispatch takes no lock: a handler is stored before its input is unmasked and never
 * changes afterwards.
 */
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"
#include "mm/ioremap.h"
#include "lib/atomic.h"
#include "lib/errno.h"

struct irq_desc {
	void (*handler)(struct trap_frame *);
	const char *name;
	atomic64_t count;
};

static struct irq_desc irq_desc[ISA_IRQS];
static DEFINE_SPINLOCK(irq_lock);
static atomic64_t spurious;

static void spurious_interrupt(struct trap_frame *f)
{
	(void)f;
	atomic64_inc(&spurious);
}

/* Every requested IRQ's vector enters here; the vector says which IRQ it is. */
static void irq_dispatch(struct trap_frame *f)
{
	struct irq_desc *d = &irq_desc[f->vector - IRQ_BASE_VECTOR];

	atomic64_inc(&d->count);
	this_cpu()->irqs++;
	READ_ONCE(d->handler)(f);
	/* After the handler: an edge that arrives meanwhile waits in the local APIC's IRR and is
	   delivered once this EOI lets a vector of its priority in again. */
	lapic_eoi();
}

/* Maps each I/O APIC's registers (they sit outside RAM, so the direct map may not cover them). */
static const struct acpi_madt_info *map_ioapics(const struct acpi_madt_info *madt)
{
	if (!madt)
		return NULL;
	for (unsigned i = 0; i < madt->nioapics; i++) {
		if (!ioremap(madt->ioapics[i].phys_addr, PAGE_SIZE)) {
			pr_warn("irq: cannot map the I/O APIC at %#x; device interrupts "
				"unavailable\n",
				madt->ioapics[i].phys_addr);
			return NULL;
		}
	}
	return madt;
}

void irq_init(const struct acpi_madt_info *madt)
{
	const struct ioapic *a;

	idt_set_handler(APIC_SPURIOUS_VECTOR, spurious_interrupt);
	idt_set_handler(PIC_SPURIOUS_VECTOR1, spurious_interrupt);
	idt_set_handler(PIC_SPURIOUS_VECTOR2, spurious_interrupt);
	if (ioapic_init(map_ioapics(madt)) == 0) {
		pr_warn("irq: no I/O APIC; device interrupts unavailable\n");
		return;
	}
	for (unsigned i = 0; (a = ioapic_get(i)); i++)
		pr_info("irq: I/O APIC id %u at %#x, version %#x, GSIs %u-%u, all masked\n", a->id,
			a->phys, a->version, a->gsi_base, a->gsi_base + a->nentries - 1);
}

uint64_t irq_spurious_count(void)
{
	return (uint64_t)atomic64_read(&spurious);
}

int request_irq(unsigned isa_irq, void (*handler)(struct trap_frame *), const char *name)
{
	unsigned vector = IRQ_BASE_VECTOR + isa_irq;
	struct irq_desc *d;
	unsigned long flags;
	int err;

	if (isa_irq >= ISA_IRQS || !handler)
		return -EINVAL;
	d = &irq_desc[isa_irq];
	spin_lock_irqsave(&irq_lock, flags);
	if (d->handler) {
		spin_unlock_irqrestore(&irq_lock, flags);
		return -EBUSY;
	}
	/* CPU 0's APIC id: the boot CPU takes every device interrupt for now. */
	err = ioapic_route_isa_irq(isa_irq, vector, per_cpu(cpu_info, 0).apic_id);
	if (!err) {
		d->name = name;
		WRITE_ONCE(d->handler, handler);
		idt_set_handler(vector, irq_dispatch);
		ioapic_unmask_isa_irq(isa_irq); /* cannot fail: the routing found the input */
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return err;
}

uint64_t irq_count(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? (uint64_t)atomic64_read(&irq_desc[isa_irq].count) : 0;
}

const char *irq_name(unsigned isa_irq)
{
	if (isa_irq >= ISA_IRQS || !READ_ONCE(irq_desc[isa_irq].handler))
		return NULL;
	return irq_desc[isa_irq].name;
}
