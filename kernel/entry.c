/* The way back to ring 3 (kernel/entry.h). */
#include "kernel/entry.h"
#include "kernel/process.h"
#include "kernel/sched/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"

/*
 * Interrupts are off on entry and on return. Work found with them off is done with them on,
 * then looked for again: a tick may set need_resched, or a killer mark the process, while we
 * do it.
 */
void exit_to_user_mode(struct trap_frame *f)
{
	(void)f;
	for (;;) {
		local_irq_disable();
		if (fatal_signal_pending()) {
			local_irq_enable();
			do_exit_killed();
		}
		if (!need_resched())
			return;
		local_irq_enable();
		schedule();
	}
}

void entry_init(void)
{
	idt_set_user_exit(exit_to_user_mode);
}
