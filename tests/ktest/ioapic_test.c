/*
 * KTAP suite "ioapic": the I/O APIC was found and masked, redirection entries read back as
 * programmed (with the MADT's overrides applied), bad arguments are refused without touching the
 * hardware, and the serial port's receive interrupt reaches the console ring.
 *
 * The routing cases program ISA IRQs that nothing uses (no handler, entry masked, no device
 * behind them in QEMU's PC) and leave them masked. Nothing else programs the I/O APIC while
 * tests run: request_irq() is only called at init.
 *
 * The receive case puts the UART in loopback (MCR bit 4): a byte written comes back as a
 * received byte with the receive interrupt, so no terminal is needed. QEMU's UART raises the
 * interrupt in loopback too; on real PCs the OUT2 gate opens only outside loopback, so this
 * case is meant for QEMU.
 */
#include "kernel/ktest.h"
#include "kernel/console_input.h"
#include "kernel/irq.h"
#include "kernel/multiboot2.h"
#include "kernel/percpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define WAIT_NS 1000000000ULL /* for looped-back bytes: they take microseconds */

static unsigned vector_of(uint64_t e)
{
	return (unsigned)(e & IOAPIC_VECTOR_MASK);
}

static uint32_t dest_of(uint64_t e)
{
	return (uint32_t)(e >> IOAPIC_DEST_SHIFT);
}

/* An ISA IRQ nobody uses: no handler, masked, no override, not another IRQ's pin. -1: none. */
static int spare_isa_irq(void)
{
	/* COM2 first: QEMU's PC has no second UART, so nothing ever drives IRQ 3. */
	static const unsigned candidates[] = {3, 7, 5, 6, 10, 11};
	uint64_t e;

	for (unsigned i = 0; i < ARRAY_SIZE(candidates); i++) {
		unsigned irq = candidates[i];
		if (!irq_name(irq) && ioapic_isa_irq_to_gsi(irq) == (int)irq &&
		    ioapic_read_isa_irq(irq, &e) == 0 && (e & IOAPIC_MASKED))
			return (int)irq;
	}
	return -1;
}

/* Counts interrupts on the spare IRQ's vector, should one arrive while it is unmasked. */
static unsigned stray;

static void stray_interrupt(struct trap_frame *f)
{
	(void)f;
	stray++;
	lapic_eoi();
}

static void test_ioapic_found(struct ktest *t)
{
	const struct ioapic *a = ioapic_get(0);
	uint32_t cpu0 = per_cpu(cpu_info, 0).apic_id;

	ASSERT_NOT_NULL(t, a);
	for (unsigned i = 0; (a = ioapic_get(i)); i++) {
		ktest_log(t, "I/O APIC id %u at %#x: version %#x, %u inputs from GSI %u", a->id,
			  a->phys, a->version, a->nentries, a->gsi_base);
		EXPECT_NE(t, a->version, 0);
		EXPECT_GE(t, a->nentries, 1u);
		EXPECT_LE(t, a->nentries, 240u);
	}
	/* Every ISA input is masked, except those request_irq() routed to CPU 0. */
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		uint64_t e;
		if (ioapic_read_isa_irq(irq, &e) != 0)
			continue;
		if (!irq_name(irq)) {
			EXPECT_TRUE(t, e & IOAPIC_MASKED);
			continue;
		}
		EXPECT_FALSE(t, e & IOAPIC_MASKED);
		EXPECT_EQ(t, vector_of(e), IRQ_BASE_VECTOR + irq);
		EXPECT_EQ(t, dest_of(e), cpu0);
	}
	if (console_input_irq_driven())
		EXPECT_NOT_NULL(t, irq_name(COM1_IRQ));
}

static void test_route_reads_back(struct ktest *t)
{
	int irq = spare_isa_irq();
	unsigned vector;
	uint64_t e;

	if (irq < 0)
		KTEST_SKIP(t, "no spare ISA IRQ");
	vector = IRQ_BASE_VECTOR + (unsigned)irq;
	ktest_log(t, "ISA IRQ %d, vector %#x", irq, vector);
	idt_set_handler(vector, stray_interrupt);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		uint32_t dest = per_cpu(cpu_info, cpu).apic_id;

		ASSERT_EQ(t, ioapic_route_isa_irq((unsigned)irq, vector, dest), 0);
		ASSERT_EQ(t, ioapic_read_isa_irq((unsigned)irq, &e), 0);
		EXPECT_EQ(t, vector_of(e), vector);
		EXPECT_EQ(t, dest_of(e), dest);
		EXPECT_TRUE(t, e & IOAPIC_MASKED); /* routing does not start delivery */
		EXPECT_FALSE(t, e & IOAPIC_LEVEL); /* ISA default: edge, active high */
		EXPECT_FALSE(t, e & IOAPIC_ACTIVE_LOW);
		EXPECT_EQ(t, e & 0xf00, 0ULL); /* fixed delivery, physical destination */

		EXPECT_EQ(t, ioapic_unmask_isa_irq((unsigned)irq), 0);
		EXPECT_EQ(t, ioapic_read_isa_irq((unsigned)irq, &e), 0);
		EXPECT_FALSE(t, e & IOAPIC_MASKED);
		EXPECT_EQ(t, vector_of(e), vector);
		EXPECT_EQ(t, dest_of(e), dest);
		EXPECT_EQ(t, ioapic_mask_isa_irq((unsigned)irq), 0);
		EXPECT_EQ(t, ioapic_read_isa_irq((unsigned)irq, &e), 0);
		EXPECT_TRUE(t, e & IOAPIC_MASKED);
		EXPECT_EQ(t, vector_of(e), vector);
	}
	idt_set_handler(vector, NULL);
	EXPECT_EQ(t, stray, 0u);
}

/* The MADT's overrides, read here again, are what routing applies. */
static void test_overrides_applied(struct ktest *t)
{
	static struct acpi_madt_info madt;
	const void *rsdp =
		boot_info.acpi_rsdp_new ? boot_info.acpi_rsdp_new : boot_info.acpi_rsdp_old;
	const char *why = NULL;
	unsigned checked = 0;

	ASSERT_EQ(t, acpi_read_madt(rsdp, &madt, &why), 0);
	for (unsigned i = 0; i < madt.noverrides; i++) {
		const struct acpi_override *o = &madt.overrides[i];
		uint64_t e;

		if (o->source >= ISA_IRQS || ioapic_isa_irq_to_gsi(o->source) == -ENODEV)
			continue;
		ktest_log(t, "override: IRQ %u -> GSI %u%s%s", o->source, o->gsi,
			  o->level ? ", level" : "", o->active_low ? ", active low" : "");
		EXPECT_EQ(t, ioapic_isa_irq_to_gsi(o->source), (int)o->gsi);
		/* The ISA IRQ whose pin the override took has none left (IRQ 2 after 0 -> 2). */
		if (o->gsi != o->source && o->gsi < ISA_IRQS) {
			bool moved = false;
			for (unsigned j = 0; j < madt.noverrides; j++)
				moved |= madt.overrides[j].source == o->gsi;
			if (!moved)
				EXPECT_EQ(t, ioapic_isa_irq_to_gsi(o->gsi), -EINVAL);
		}
		/* Program it only when unused, and leave it masked. */
		if (irq_name(o->source) || ioapic_read_isa_irq(o->source, &e) != 0 ||
		    !(e & IOAPIC_MASKED))
			continue;
		ASSERT_EQ(t,
			  ioapic_route_isa_irq(o->source, IRQ_BASE_VECTOR + o->source,
					       per_cpu(cpu_info, 0).apic_id),
			  0);
		ASSERT_EQ(t, ioapic_read_isa_irq(o->source, &e), 0);
		EXPECT_TRUE(t, e & IOAPIC_MASKED);
		EXPECT_EQ(t, vector_of(e), IRQ_BASE_VECTOR + (unsigned)o->source);
		EXPECT_EQ(t, !!(e & IOAPIC_LEVEL), o->level);
		EXPECT_EQ(t, !!(e & IOAPIC_ACTIVE_LOW), o->active_low);
		checked++;
	}
	if (checked == 0)
		KTEST_SKIP(t, "the MADT overrides no unused ISA IRQ");
}

static void dummy_handler(struct trap_frame *f)
{
	(void)f;
}

static void test_bad_arguments(struct ktest *t)
{
	int irq = spare_isa_irq();
	uint64_t before, after;

	EXPECT_EQ(t, ioapic_route_isa_irq(ISA_IRQS, IRQ_BASE_VECTOR, 0), -EINVAL);
	EXPECT_EQ(t, ioapic_mask_isa_irq(ISA_IRQS), -EINVAL);
	EXPECT_EQ(t, ioapic_unmask_isa_irq(ISA_IRQS), -EINVAL);
	EXPECT_EQ(t, ioapic_read_isa_irq(ISA_IRQS, &before), -EINVAL);
	EXPECT_EQ(t, ioapic_isa_irq_to_gsi(ISA_IRQS), -EINVAL);
	EXPECT_EQ(t, request_irq(ISA_IRQS, dummy_handler, "bad"), -EINVAL);
	if (console_input_irq_driven())
		EXPECT_EQ(t, request_irq(COM1_IRQ, dummy_handler, "again"), -EBUSY);
	if (irq < 0)
		KTEST_SKIP(t, "no spare ISA IRQ");
	EXPECT_EQ(t, request_irq((unsigned)irq, NULL, "no handler"), -EINVAL);
	EXPECT_NULL(t, irq_name((unsigned)irq));

	/* A refused route leaves the entry as it was. */
	ASSERT_EQ(t, ioapic_read_isa_irq((unsigned)irq, &before), 0);
	EXPECT_EQ(t, ioapic_route_isa_irq((unsigned)irq, FIRST_IRQ_VECTOR - 1, 0), -EINVAL);
	EXPECT_EQ(t, ioapic_route_isa_irq((unsigned)irq, APIC_SPURIOUS_VECTOR, 0), -EINVAL);
	EXPECT_EQ(t, ioapic_route_isa_irq((unsigned)irq, IRQ_BASE_VECTOR, 256), -EINVAL);
	ASSERT_EQ(t, ioapic_read_isa_irq((unsigned)irq, &after), 0);
	EXPECT_EQ(t, after, before);
}

/* Writes s into the UART in loopback; the bytes wait in its receive FIFO (16 bytes) after. */
static void send_looped(const char *s, size_t n)
{
	serial_set_loopback(true);
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
	serial_set_loopback(false); /* after the last byte came back */
}

/* Takes up to n bytes from the console ring, waiting up to WAIT_NS. Returns how many. */
static size_t collect(char *got, size_t n)
{
	uint64_t end = ktime_ns() + WAIT_NS;
	size_t k = 0;

	while (k < n && ktime_ns() < end) {
		int c = console_getc_nonblock();
		if (c >= 0)
			got[k++] = (char)c;
		else
			cpu_relax();
	}
	return k;
}

static void test_serial_rx_interrupt(struct ktest *t)
{
	static const char burst[] = "0123456789abcdef"; /* 16: past the FIFO's 14-byte trigger */
	uint64_t irqs = irq_count(COM1_IRQ), cpu0_irqs = per_cpu(cpu_info, 0).irqs;
	uint64_t end = ktime_ns() + WAIT_NS;
	char got[16];
	bool seen = false;

	if (!console_input_irq_driven())
		KTEST_SKIP(t, "console input is polled (no I/O APIC)");
	ASSERT_TRUE(t, read_rflags() & RFLAGS_IF);
	while (console_getc_nonblock() >= 0)
		; /* whatever was typed before */
	(void)console_interrupted();

	/* A Ctrl-C sets the pending flag at once, and still reaches the ring after the bytes
	   before it. */
	send_looped("ab\x03", 3);
	while (!seen && ktime_ns() < end)
		seen = console_interrupted();
	EXPECT_TRUE(t, seen);
	EXPECT_FALSE(t, console_interrupted()); /* reported once */
	ASSERT_EQ(t, collect(got, 3), (size_t)3);
	EXPECT_EQ(t, memcmp(got, "ab\x03", 3), 0);

	/* A Ctrl-C that a reader takes from the ring is no longer pending. */
	send_looped("\x03", 1);
	ASSERT_EQ(t, collect(got, 1), (size_t)1);
	EXPECT_EQ(t, got[0], 0x03);
	EXPECT_FALSE(t, console_interrupted());

	/* A full FIFO's worth, in order. */
	send_looped(burst, 16);
	ASSERT_EQ(t, collect(got, 16), (size_t)16);
	EXPECT_EQ(t, memcmp(got, burst, 16), 0);
	EXPECT_EQ(t, console_getc_nonblock(), -1);

	EXPECT_GT(t, irq_count(COM1_IRQ), irqs);
	EXPECT_GT(t, per_cpu(cpu_info, 0).irqs, cpu0_irqs);
	ktest_log(t, "%llu serial interrupts for 20 bytes",
		  (unsigned long long)(irq_count(COM1_IRQ) - irqs));
}

KTEST_SUITE(ioapic, KTEST_CASE(test_ioapic_found), KTEST_CASE(test_route_reads_back),
	    KTEST_CASE(test_overrides_applied), KTEST_CASE(test_bad_arguments),
	    KTEST_CASE(test_serial_rx_interrupt));
