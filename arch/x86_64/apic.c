/*
 * Local APIC access in both modes. Register offsets are the xAPIC MMIO offsets (SDM vol. 3,
 * table 11-1); in x2APIC mode register offset r is MSR 0x800 + r / 16, and the interrupt command
 * register is one 64-bit MSR (0x830) instead of two 32-bit halves.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"

#define APIC_ID	     0x020
#define APIC_TPR     0x080
#define APIC_EOI     0x0b0
#define APIC_SVR     0x0f0
#define APIC_ICR_LO  0x300
#define APIC_ICR_HI  0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR	0x390
#define APIC_TIMER_DIV	0x3e0

#define SVR_ENABLE	   (1u << 8)
#define ICR_PENDING	   (1u << 12)
#define ICR_LEVEL_ASSERT   (1u << 14)
#define ICR_DM_NMI	   (4u << 8)
#define ICR_DM_INIT	   (5u << 8)
#define ICR_DM_STARTUP	   (6u << 8)
#define LVT_MASKED	   (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define TIMER_DIV_16	   0x3

#define MSR_APIC_BASE	   0x1b
#define APIC_BASE_ENABLE   (1u << 11)
#define APIC_BASE_X2APIC   (1u << 10)
#define CPUID_1_ECX_X2APIC (1u << 21)

static volatile uint32_t *xapic;
static bool x2apic;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return xapic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		xapic[reg / 4] = v;
}

void lapic_setup(uint64_t lapic_phys)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	x2apic = c & CPUID_1_ECX_X2APIC;
	xapic = phys_to_virt(lapic_phys);
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

uint32_t lapic_id(void)
{
	return x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void send_icr(uint32_t apic_id, uint32_t low)
{
	if (x2apic) {
		wrmsr(0x800 + APIC_ICR_LO / 16, ((uint64_t)apic_id << 32) | low);
		return;
	}
	while (apic_read(APIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, low); /* the write of the low half sends it */
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, vector);
}

void lapic_send_nmi(uint32_t apic_id)
{
	send_icr(apic_id, ICR_DM_NMI);
}

void lapic_start_ap(uint32_t apic_id, uint32_t trampoline_phys)
{
	uint32_t page = trampoline_phys >> 12;

	send_icr(apic_id, ICR_DM_INIT | ICR_LEVEL_ASSERT);
	udelay(10000); /* the MP specification's 10 ms after INIT */
	for (int i = 0; i < 2; i++) {
		send_icr(apic_id, ICR_DM_STARTUP | page);
		udelay(200);
	}
}

void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	apic_write(APIC_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return apic_read(APIC_TIMER_CUR);
}

uint32_t lapic_timer_calibrate(void)
{
	const uint32_t start = 0xffffffff;
	uint32_t left;

	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TIMER_INIT, start);
	udelay(10000);
	left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	return (start - left) / 10;
}
