/* Copies to and from the user half (mm/uaccess.h). */
#include "mm/uaccess.h"
#include "mm/mm.h"
#include "kernel/extable.h"
#include "lib/atomic.h"
#include "lib/errno.h"

static atomic64_t faults;

/* Returns the bytes it did not copy: 0, or how many were left when an access faulted. The
   fixup is the instruction after the copy; rcx then holds what rep movsb had left. */
static size_t raw_copy(void *to, const void *from, size_t n)
{
	__asm__ __volatile__("1:	rep movsb\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : "+D"(to), "+S"(from), "+c"(n)
			     :
			     : "memory");
	return n;
}

static bool user_range(uint64_t addr, size_t n)
{
	return addr < USER_TOP && n <= USER_TOP - addr;
}

static int finish(size_t left)
{
	if (!left)
		return 0;
	atomic64_add_return(1, &faults);
	return -EFAULT;
}

int copy_to_user(uint64_t to, const void *from, size_t n)
{
	if (!user_range(to, n))
		return -EFAULT;
	return finish(raw_copy((void *)to, from, n));
}

int copy_from_user(void *to, uint64_t from, size_t n)
{
	if (!user_range(from, n))
		return -EFAULT;
	return finish(raw_copy(to, (const void *)from, n));
}

/*
 * One 8-byte mov, not a copy: an aligned word reaches memory whole or not at all, as a user
 * program's own store does. (rep movsb may take an interrupt between bytes; after a TLB
 * shootdown it would fault half way, and leave half a value behind an -EFAULT.) err starts as
 * -EFAULT; the instruction after the access clears it, and a fault skips that instruction.
 */
int put_user_u64(uint64_t to, uint64_t v)
{
	int err = -EFAULT;

	if (!user_range(to, sizeof(v)))
		return -EFAULT;
	__asm__ __volatile__("1:	movq %[v], (%[to])\n\t"
			     "	xorl %[err], %[err]\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : [err] "+r"(err)
			     : [v] "r"(v), [to] "r"(to)
			     : "memory");
	return finish(err ? 1 : 0);
}

int get_user_u64(uint64_t *v, uint64_t from)
{
	uint64_t x = 0;
	int err = -EFAULT;

	if (!user_range(from, sizeof(x)))
		return -EFAULT;
	__asm__ __volatile__("1:	movq (%[from]), %[x]\n\t"
			     "	xorl %[err], %[err]\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : [err] "+r"(err), [x] "+r"(x)
			     : [from] "r"(from)
			     : "memory");
	if (!err)
		*v = x;
	return finish(err ? 1 : 0);
}

uint64_t uaccess_faults(void)
{
	return (uint64_t)atomic64_read(&faults);
}
