/* The timer tick (see kernel/tick.h). */
#include "kernel/tick.h"
#include "kernel/percpu.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/rcu/rcu.h"
#include "kernel/printk.h"
#include "lib/atomic.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"

volatile uint64_t jiffies;
uint32_t lapic_ticks_per_ms;
static uint64_t jiffies_base_ns; /* ktime_ns() when jiffies was 0 */

/*
 * CPU 0's tick: jiffies follow the TSC clock that programs and ktime_ns() read, as Linux's
 * tick_do_update_jiffies64 follows its clocksource, rather than counting interrupts. The APIC
 * timer's rate is measured at boot, and under QEMU's TCG on a busy host that measure can be
 * several percent off: counted ticks would then end a timeout of n ticks before n - 1 tick
 * periods of the clock had passed. A late tick moves jiffies by more than one; an early one
 * not at all.
 */
static void jiffies_update(void)
{
	uint64_t now = jiffies_now();

	if (now > jiffies) {
		jiffies = now;
		sleep_tick();
	}
}

/* The tick count the clock says it is now: jiffies, or more when CPU 0's tick is late. */
uint64_t jiffies_now(void)
{
	uint64_t now = (ktime_ns() - jiffies_base_ns) / TICK_NSEC;

	return MAX(now, jiffies);
}

static void timer_interrupt(struct trap_frame *f)
{
	(void)f;
	if (smp_processor_id() == 0) {
		jiffies_update();
		/* jiffies before CPU 0's tick count: pairs with the smp_rmb() of a reader that
		   reads the count, then jiffies (smp/test_ticks_advance_everywhere). */
		smp_wmb();
	}
	this_cpu()->ticks++;
	sched_tick();
	/* A handler does not raise the preempt count: it is still the interrupted code's. */
	rcu_tick(preempt_count() == 0);
	lapic_eoi();
}

void tick_init(void)
{
	jiffies_base_ns = ktime_ns() - jiffies * TICK_NSEC;
	lapic_ticks_per_ms = lapic_timer_calibrate();
	if (lapic_ticks_per_ms == 0)
		lapic_ticks_per_ms = 1;
	idt_set_handler(TIMER_VECTOR, timer_interrupt);
	pr_info("tick: HZ=%d, local APIC timer %u ticks/ms (bus clock / 16)\n", HZ,
		lapic_ticks_per_ms);
}

void tick_start_this_cpu(void)
{
	lapic_timer_periodic(TIMER_VECTOR, lapic_ticks_per_ms * (1000 / HZ));
}
