/*
 * fault_catch() on top of arch's catch_call(): arming is a pointer to the caller's state; the
 * exception handler asks fault_catch_handle() before it panics. One catch for the machine: with
 * SMP this state becomes per CPU (a fault is always handled on the CPU that raised it, so no
 * lock is needed then either).
 */
#include "kernel/fault_catch.h"
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

static struct fault_catcher *armed;

int fault_catch(void (*fn)(void *), void *arg, struct fault_info *info)
{
	struct fault_catcher c = { .info = info };
	int ret;

	if (READ_ONCE(armed))
		return -EBUSY;
	*info = (struct fault_info){ .vector = -1 };
	WRITE_ONCE(armed, &c);
	barrier();
	ret = catch_call(fn, arg, &c.regs);
	barrier();
	WRITE_ONCE(armed, NULL);
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
	struct fault_catcher *c = READ_ONCE(armed);

	/* Only a fault in kernel mode, on the stack below the catch point, belongs to fn. */
	if (!c || !catchable(f->vector) || (f->cs & 3) || f->rsp > c->regs.rsp)
		return false;
	c->info->vector = (int)f->vector;
	c->info->error_code = f->error_code;
	c->info->cr2 = f->vector == X86_TRAP_PF ? cr2 : 0;
	c->info->rip = f->rip;
	WRITE_ONCE(armed, NULL);
	catch_regs_resume(f, &c->regs);
	return true;
}
