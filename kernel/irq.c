/*
 * Device interrupts through the I/O APIC, and spurious interrupts (see kernel/irq.h).
 *
 * irq_lock serializes request_irq(), and with it the I/O APIC's select-then-access register
 * pairs, which must not interleave with another CPU's (irq_init runs before the other CPUs are
 * up). irq_dispatch takes no lock: a handler is stored before its input is unmasked and never
 * changes afterwards. shared_dispatch walks a shared line's actions without it: an action's
 * data is stored before its handler (WRITE_ONCE), and free_shared_irq clears only the handler,
 * after the device has stopped interrupting.
 */
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"
#include "mm/ioremap.h"
#include "lib/atomic.h"
#include "lib/errno.h"

struct irq_action {
	bool (*handler)(void *data);
	void *data;
	const char *name;
};

struct irq_desc {
	void (*handler)(struct trap_frame *);
	const char *name;
	atomic64_t count;
	/* A shared level-triggered line (request_shared_irq). */
	bool shared;
	uint32_t gsi;
	struct irq_action actions[IRQ_MAX_SHARED];
	atomic64_t unhandled;
	unsigned int unhandled_in_row; /* only touched by the dispatch, interrupts off */
};

/* A level-triggered line nobody claims fires again right after every EOI: masked after this
   many in a row, so a device without a driver cannot hold the boot CPU forever. */
#define IRQ_STORM_LIMIT 100000

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

/*
 * A shared level-triggered line: every handler asks its device whether the interrupt was its
 * own and, if so, makes it deassert the line (virtio: reading the ISR status). Only then the
 * EOI: the local APIC passes it on to the I/O APIC, which clears the entry's remote IRR bit
 * and, should the line still be asserted (another device on it, or ours again), sends the
 * vector once more. An EOI before the device deasserted would bring the same interrupt back at
 * once.
 */
static void shared_dispatch(struct trap_frame *f)
{
	struct irq_desc *d = &irq_desc[f->vector - IRQ_BASE_VECTOR];
	bool handled = false;

	atomic64_inc(&d->count);
	this_cpu()->irqs++;
	for (unsigned i = 0; i < IRQ_MAX_SHARED; i++) {
		bool (*handler)(void *) = READ_ONCE(d->actions[i].handler);

		if (handler && handler(d->actions[i].data))
			handled = true;
	}
	if (handled) {
		d->unhandled_in_row = 0;
	} else {
		atomic64_inc(&d->unhandled);
		if (++d->unhandled_in_row == IRQ_STORM_LIMIT) {
			/* irq_lock for the register pair: whoever holds it has interrupts off,
			   so it is never this CPU. */
			spin_lock(&irq_lock);
			ioapic_mask_gsi(d->gsi);
			spin_unlock(&irq_lock);
			pr_warn("irq: IRQ %u: %u interrupts in a row nobody claimed; masked\n",
				(unsigned)(f->vector - IRQ_BASE_VECTOR), IRQ_STORM_LIMIT);
		}
	}
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
	if (d->handler || d->shared) {
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

int request_shared_irq(unsigned isa_irq, bool (*handler)(void *data), void *data, const char *name)
{
	unsigned vector = IRQ_BASE_VECTOR + isa_irq;
	bool level = true, active_low = true;
	struct irq_desc *d;
	unsigned long flags;
	int gsi, err = -EBUSY;

	if (isa_irq >= ISA_IRQS || !handler)
		return -EINVAL;
	d = &irq_desc[isa_irq];
	spin_lock_irqsave(&irq_lock, flags);
	if (d->handler)
		goto out; /* an ISA device's edge-triggered IRQ */
	for (unsigned i = 0; i < IRQ_MAX_SHARED; i++) {
		struct irq_action *a = &d->actions[i];

		if (a->handler)
			continue;
		if (!d->shared) {
			/* The first handler: route the line. PCI INTx is level triggered and
			   active low, unless the MADT says otherwise (QEMU: active high). */
			gsi = ioapic_isa_irq_to_gsi(isa_irq);
			err = gsi;
			if (gsi < 0)
				goto out;
			if (!ioapic_isa_override(isa_irq, &level, &active_low) || !level)
				level = true, active_low = true;
			err = ioapic_route_gsi((uint32_t)gsi, vector, per_cpu(cpu_info, 0).apic_id,
					       true, active_low);
			if (err)
				goto out;
			d->gsi = (uint32_t)gsi;
			d->name = name;
			d->unhandled_in_row = 0;
			d->shared = true;
			idt_set_handler(vector, shared_dispatch);
		}
		a->data = data;
		a->name = name;
		WRITE_ONCE(a->handler, handler);
		ioapic_unmask_gsi(d->gsi);
		err = 0;
		break;
	}
out:
	spin_unlock_irqrestore(&irq_lock, flags);
	return err;
}

void free_shared_irq(unsigned isa_irq, void *data)
{
	struct irq_desc *d;
	unsigned long flags;
	bool any = false;

	if (isa_irq >= ISA_IRQS)
		return;
	d = &irq_desc[isa_irq];
	spin_lock_irqsave(&irq_lock, flags);
	for (unsigned i = 0; i < IRQ_MAX_SHARED && d->shared; i++) {
		struct irq_action *a = &d->actions[i];

		if (a->handler && a->data == data)
			WRITE_ONCE(a->handler, NULL);
		else if (a->handler)
			any = true;
	}
	/* The last one: mask the line. The vector stays its own; it may be requested again. */
	if (d->shared && !any)
		ioapic_mask_gsi(d->gsi);
	spin_unlock_irqrestore(&irq_lock, flags);
}

bool irq_is_shared(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS && READ_ONCE(irq_desc[isa_irq].shared);
}

uint64_t irq_unhandled_count(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? (uint64_t)atomic64_read(&irq_desc[isa_irq].unhandled) : 0;
}

const char *irq_shared_name(unsigned isa_irq, unsigned i)
{
	struct irq_desc *d;

	if (!irq_is_shared(isa_irq))
		return NULL;
	d = &irq_desc[isa_irq];
	for (unsigned j = 0; j < IRQ_MAX_SHARED; j++) {
		if (!READ_ONCE(d->actions[j].handler) || i-- > 0)
			continue;
		return d->actions[j].name;
	}
	return NULL;
}

uint64_t irq_count(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? (uint64_t)atomic64_read(&irq_desc[isa_irq].count) : 0;
}

const char *irq_name(unsigned isa_irq)
{
	if (isa_irq >= ISA_IRQS)
		return NULL;
	if (irq_is_shared(isa_irq))
		return irq_shared_name(isa_irq, 0);
	if (!READ_ONCE(irq_desc[isa_irq].handler))
		return NULL;
	return irq_desc[isa_irq].name;
}
