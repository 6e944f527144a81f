/*
 * Exception table lookup and the probe that uses it. The table is small (one entry per
 * instruction that may fault), so a linear search is enough; Linux sorts it at boot and
 * searches it by bisection.
 */
#include "kernel/extable.h"
#include "lib/compiler.h"
#include "lib/errno.h"

extern const struct extable_entry __extable_start[], __extable_end[];

const struct extable_entry *extable_search(uint64_t rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

bool extable_fixup(struct trap_frame *f)
{
	const struct extable_entry *e = extable_search(f->rip);

	if (!e)
		return false;
	f->rip = e->fixup;
	return true;
}

int probe_read_u64(const void *addr, uint64_t *out)
{
	uint64_t val = 0;
	int err = 0;

	__asm__ __volatile__("1:	movq (%[addr]), %[val]\n"
			     "2:\n"
			     ".pushsection .text.fixup, \"ax\"\n"
			     "3:	movl %[efault], %[err]\n"
			     "	jmp 2b\n"
			     ".popsection\n\t" EXTABLE_ENTRY(1b, 3b)
			     : [val] "+r"(val), [err] "+r"(err)
			     : [addr] "r"(addr), [efault] "i"(-EFAULT)
			     : "memory");
	if (!err)
		*out = val;
	return err;
}
