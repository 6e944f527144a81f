/*
 * The IDT and the per-vector handler table. The IDT itself is shared by all CPUs and written
 * only at boot; the handler table is written when a subsystem registers a handler (at init,
 * before the vector can fire) and read on every trap.
 */
#include "arch/x86_64/idt.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

/*
 * A 64-bit gate descriptor, 16 bytes. The handler's address is split in three parts. The
 * type/attributes byte is P (present), DPL (the highest ring allowed to raise the vector with
 * an INT instruction), 0, and the gate type: 1110 = interrupt gate (clears IF on entry), 1111 =
 * trap gate (leaves IF alone). ist selects one of the TSS's seven IST stacks (0: stay on the
 * current stack when the CPU is already in ring 0).
 */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

#define GATE_INTERRUPT 0x8e /* P = 1, DPL = 0, interrupt gate */

BUILD_BUG_ON(sizeof(struct idt_gate) != 16);

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static trap_handler_t handlers[IDT_VECTORS];
static trap_handler_t fallback;
static void (*irq_exit)(void);
static void (*user_exit)(struct trap_frame *f);

/* trap_entry.asm: the entry stub of each vector. */
extern const uint64_t trap_stubs[IDT_VECTORS];

static void set_gate(unsigned vector, uint64_t addr, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed p = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ __volatile__("lidt %0" ::"m"(p));
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++)
		set_gate(v, trap_stubs[v], 0);
	/* These two must work when the current stack is broken: give them stacks of their own. */
	set_gate(X86_TRAP_DF, trap_stubs[X86_TRAP_DF], IST_DOUBLE_FAULT);
	set_gate(X86_TRAP_NMI, trap_stubs[X86_TRAP_NMI], IST_NMI);
	idt_load();
}

int idt_set_handler(unsigned vector, trap_handler_t fn)
{
	if (vector >= IDT_VECTORS)
		return -EINVAL;
	WRITE_ONCE(handlers[vector], fn);
	return 0;
}

void idt_set_fallback(trap_handler_t fn)
{
	WRITE_ONCE(fallback, fn);
}

void idt_set_irq_exit(void (*fn)(void))
{
	WRITE_ONCE(irq_exit, fn);
}

void idt_set_user_exit(void (*fn)(struct trap_frame *f))
{
	WRITE_ONCE(user_exit, fn);
}

void trap_dispatch(struct trap_frame *f)
{
	trap_handler_t fn = READ_ONCE(handlers[f->vector]);

	if (!fn)
		fn = READ_ONCE(fallback);
	/* Nobody registered anything yet: there is no way to report it, so stop here. */
	if (!fn)
		halt_forever();
	fn(f);
	/* An exception is not a point to switch threads at: the faulting code may hold anything. */
	if (f->vector >= FIRST_IRQ_VECTOR && READ_ONCE(irq_exit))
		irq_exit();
	if (trap_from_user(f) && READ_ONCE(user_exit))
		user_exit(f);
}
