/* The timer tick (see kernel/tick.h). */
#include "kernel/tick.h"
#include "kernel/percpu.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/rcu/rcu.h"
#include "kernel/printk.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq_vectors.h"

volatile uint64_t jiffies;
uint32_t lapic_ticks_per_ms;

static void timer_interrupt(struct trap_frame *f)
{
	(void)f;
	this_cpu()->ticks++;
	if (smp_processor_id() == 0) {
		jiffies++;
		sleep_tick();
	}
	sched_tick();
	/* A handler does not raise the preempt count: it is still the interrupted code's. */
	rcu_tick(preempt_count() == 0);
	lapic_eoi();
}

void tick_init(void)
{
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
