/*
 * Message-signalled interrupt vectors (see kernel/msi.h).
 *
 * msi_lock serializes request_msi_irq() and free_msi_irq(). msi_dispatch takes no lock: a
 * vector's handler is stored before its message is given to a device and cleared only after
 * the device stopped sending it.
 */
#include "kernel/msi.h"
#include "kernel/percpu.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"
#include "lib/atomic.h"
#include "lib/errno.h"

#define MSI_ADDRESS_BASE 0xfee00000u /* the local APICs' window */
#define MSI_DEST_SHIFT	 12	     /* destination APIC id: address bits 19-12 */

struct msi_desc {
	void (*handler)(void *data);
	void *data;
	const char *name;
	atomic64_t count;
};

static struct msi_desc msi_desc[MSI_NR_VECTORS];
static DEFINE_SPINLOCK(msi_lock);

static void msi_dispatch(struct trap_frame *f)
{
	struct msi_desc *d = &msi_desc[f->vector - MSI_BASE_VECTOR];
	void (*handler)(void *) = READ_ONCE(d->handler);

	atomic64_inc(&d->count);
	this_cpu()->irqs++;
	if (handler)
		handler(d->data);
	/* MSIs are edge triggered: a message that arrives meanwhile waits in the IRR. */
	lapic_eoi();
}

int request_msi_irq(void (*handler)(void *data), void *data, const char *name, struct msi_msg *msg)
{
	unsigned long flags;
	int vector = -ENOSPC;

	if (!handler || !msg)
		return -EINVAL;
	spin_lock_irqsave(&msi_lock, flags);
	for (unsigned int i = 0; i < MSI_NR_VECTORS; i++) {
		struct msi_desc *d = &msi_desc[i];

		if (d->handler)
			continue;
		d->data = data;
		d->name = name;
		atomic64_set(&d->count, 0);
		WRITE_ONCE(d->handler, handler);
		vector = MSI_BASE_VECTOR + i;
		idt_set_handler(vector, msi_dispatch);
		break;
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	if (vector < 0)
		return vector;
	/* The boot CPU takes it, in physical destination mode, with fixed delivery. */
	msg->address_lo = MSI_ADDRESS_BASE | per_cpu(cpu_info, 0).apic_id << MSI_DEST_SHIFT;
	msg->address_hi = 0;
	msg->data = (uint32_t)vector;
	return vector;
}

void free_msi_irq(int vector)
{
	unsigned long flags;

	if (vector < MSI_BASE_VECTOR || vector >= MSI_BASE_VECTOR + MSI_NR_VECTORS)
		return;
	spin_lock_irqsave(&msi_lock, flags);
	WRITE_ONCE(msi_desc[vector - MSI_BASE_VECTOR].handler, NULL);
	spin_unlock_irqrestore(&msi_lock, flags);
}

bool msi_irq_get(unsigned int i, struct msi_irq_info *info)
{
	for (unsigned int v = 0; v < MSI_NR_VECTORS; v++) {
		struct msi_desc *d = &msi_desc[v];

		if (!READ_ONCE(d->handler) || i-- > 0)
			continue;
		info->vector = MSI_BASE_VECTOR + v;
		info->count = (uint64_t)atomic64_read(&d->count);
		info->name = d->name;
		return true;
	}
	return false;
}
