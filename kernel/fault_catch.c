/*
 * fault_catch() on top of arch's catch_call(): arming is a pointer to the caller's state in
 * this CPU's per-CPU data; the exception handler asks fault_catch_handle() before it panics.
 * A fault is always handled on the CPU that raised it, so each CPU needs only its own catch
 * and no lock: CPUs catch faults at the same time without seeing each other's.
 *
 * Interrupts stay off while a catch is armed. That keeps the catch and its CPU together: the
 * thread cannot be preempted and moved (its fault would then go to another CPU's handler, which
 * has nothing armed), no other thread on this CPU can find the catch taken, and no interrupt
 * handler runs whose own fault would be taken for fn's. It also makes fault_catch usable from
 * an interrupt handler, such as a function another CPU runs here by IPI.
 */
#include "kernel/fault_catch.h"
#include "kernel/percpu.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/catch_call.h"
#include "arch/x86_64/idt.h"
#include "lib/compiler.h"
#include "lib/errno.h"

/* catch_call.asm stores the registers at these offsets. */
BUILD_BUG_ON(offsetof(struct catch_regs, rsp) != 48);
BUILD_BUG_ON(offsetof(struct catch_regs, rip) != 56);

struct fault_catcher {
	struct catch_regs regs;
	struct fault_info *info;
};

static DEFINE_PER_CPU(struct fault_catcher *, armed);

int fault_catch(void (*fn)(void *), void *arg, struct fault_info *info)
{
	struct fault_catcher c = {.info = info};
	unsigned long flags = local_irq_save();
	int ret = -EBUSY;

	if (!this_cpu_read(armed)) {
		*info = (struct fault_info){.vector = -1};
		this_cpu_write(armed, &c);
		barrier();
		ret = catch_call(fn, arg, &c.regs);
		barrier();
		this_cpu_write(armed, NULL);
	}
	local_irq_restore(flags);
	return ret;
}

/* Exceptions that fn's own instructions cannot have caused, or after which the CPU is suspect. */
static bool catchable(uint64_t vector)
{
	return vector < FIRST_IRQ_VECTOR && vector != X86_TRAP_NMI && vector != X86_TRAP_DF &&
	       vector != X86_TRAP_MC;
}

bool fault_catch_handle(struct trap_frame *f, uint64_t cr2)
{
	struct fault_catcher *c = this_cpu_read(armed);

	/* Only a fault in kernel mode, on the stack below the catch point, belongs to fn. */
	if (!c || !catchable(f->vector) || (f->cs & 3) || f->rsp > c->regs.rsp)
		return false;
	c->info->vector = (int)f->vector;
	c->info->error_code = f->error_code;
	c->info->cr2 = f->vector == X86_TRAP_PF ? cr2 : 0;
	c->info->rip = f->rip;
	this_cpu_write(armed, NULL);
	catch_regs_resume(f, &c->regs);
	return true;
}
