/*
 * Message-signalled interrupts (MSI, MSI-X): a PCI device interrupts by writing a 32-bit value
 * to a special address instead of raising a wire. On x86 the address range 0xfee00000-0xfeefffff
 * goes to the local APICs: bits 19-12 of the address name the destination APIC id, and the
 * low byte of the data is the vector that CPU takes (delivery mode fixed, edge triggered).
 * No I/O APIC is involved and no line is shared, so each vector belongs to one handler.
 *
 *	struct msi_msg m;
 *	int vec = request_msi_irq(vq_interrupt, vq, "virtio0-req", &m);
 *	... program m.address_lo/hi and m.data into the device's MSI-X table entry ...
 *	free_msi_irq(vec);
 *
 * Vectors MSI_BASE_VECTOR .. + MSI_NR_VECTORS - 1 (arch/x86_64/irq_vectors.h) are handed out;
 * the messages target the boot CPU, like the I/O APIC's routes (kernel/irq.h).
 */
#ifndef KERNEL_MSI_H
#define KERNEL_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct msi_msg {
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
};

/*
 * Allocates a vector whose interrupts call handler(data) with interrupts off (the EOI follows
 * the handler), and fills *msg with what the device must write to raise it. name is shown by
 * `irqs` and must stay valid. Returns the vector, -EINVAL (no handler) or -ENOSPC (none left).
 */
int request_msi_irq(void (*handler)(void *data), void *data, const char *name, struct msi_msg *msg);
/* Gives a vector back. The device must no longer send it. */
void free_msi_irq(int vector);

/* For `irqs`: the i-th vector in use (0, 1, ...): false past the last. */
struct msi_irq_info {
	unsigned int vector;
	uint64_t count;
	const char *name;
};
bool msi_irq_get(unsigned int i, struct msi_irq_info *info);

#endif
