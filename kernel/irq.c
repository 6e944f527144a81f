#include "kernel/irq.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"
#include "lib/atomic.h"

static atomic64_t spurious;

static void spurious_interrupt(struct trap_frame *f)
{
	(void)f;
	atomic64_inc(&spurious);
}

void irq_init(void)
{
	idt_set_handler(APIC_SPURIOUS_VECTOR, spurious_interrupt);
	idt_set_handler(PIC_SPURIOUS_VECTOR1, spurious_interrupt);
	idt_set_handler(PIC_SPURIOUS_VECTOR2, spurious_interrupt);
}

uint64_t irq_spurious_count(void)
{
	return (uint64_t)atomic64_read(&spurious);
}
