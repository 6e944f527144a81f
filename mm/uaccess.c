/* Copies to and from the user half (mm/uaccess.h). */
#include "mm/uaccess.h"
#include "mm/mm.h"
#include "kernel/extable.h"
#include "arch/x86_64/smap.h"
#include "lib/atomic.h"
#include "lib/errno.h"

static atomic64_t faults;

/* Returns the bytes it did not copy: 0, or how many were left when an access faulted. The
   fixup is the instruction after the copy; rcx then holds what rep movsb had left. */
static size_t raw_copy(void *to, const void *from, size_t n)
{
	stac();
	__asm__ __volatile__("1:	rep movsb\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : "+D"(to), "+S"(from), "+c"(n)
			     :
			     : "memory");
	clac();
	return n;
}

static bool user_range(uint64_t addr, size_t n)
{
	/* A thread outside any mm has no user half, though its CPU may keep another's tables
	   loaded (lazy TLB, mm/tlb.h): it must not reach that mm's pages. */
	return current_mm() && addr < USER_TOP && n <= USER_TOP - addr;
}

/* True when [p, p + n) lies wholly in the user half (Linux's access_ok): no byte is touched. */
bool access_ok(const void __user *p, size_t n)
{
	return user_range(user_addr(p), n);
}

static int finish(size_t left)
{
	if (!left)
		return 0;
	atomic64_add_return(1, &faults);
	return -EFAULT;
}

int copy_to_user(void __user *to, const void *from, size_t n)
{
	if (!user_range(user_addr(to), n))
		return -EFAULT;
	return finish(raw_copy((void __force *)to, from, n));
}

int copy_from_user(void *to, const void __user *from, size_t n)
{
	if (!user_range(user_addr(from), n))
		return -EFAULT;
	return finish(raw_copy(to, (const void __force *)from, n));
}

int clear_user(void __user *to, size_t n)
{
	uint64_t p = user_addr(to);

	if (!user_range(p, n))
		return -EFAULT;
	stac();
	__asm__ __volatile__("1:	rep stosb\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : "+D"(p), "+c"(n)
			     : "a"(0)
			     : "memory");
	clac();
	return finish(n);
}

/* One byte, for strncpy_from_user: 0 or -EFAULT. */
static int get_user_u8(uint8_t *v, uint64_t from)
{
	uint8_t x = 0;
	int err = -EFAULT;

	stac();
	__asm__ __volatile__("1:	movb (%[from]), %[x]\n\t"
			     "	xorl %[err], %[err]\n"
			     "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : [err] "+r"(err), [x] "+q"(x)
			     : [from] "r"(from)
			     : "memory");
	clac();
	*v = x;
	return err;
}

long strncpy_from_user(char *dst, const char __user *src, size_t n)
{
	uint64_t p = user_addr(src);

	for (size_t i = 0; i < n; i++) {
		uint8_t c;

		if (!user_range(p + i, 1) || get_user_u8(&c, p + i))
			return finish(1);
		dst[i] = (char)c;
		if (!c)
			return (long)i;
	}
	if (n)
		dst[n - 1] = '\0';
	return -ENAMETOOLONG;
}

/*
 * One aligned mov, not a copy: an aligned word reaches memory whole or not at all, as a user
 * program's own store does. (rep movsb may take an interrupt between bytes; after a TLB
 * shootdown it would fault half way, and leave half a value behind an -EFAULT.) err starts as
 * -EFAULT; the instruction after the access clears it, and a fault skips that instruction.
 */
#define DEFINE_PUT_USER(bits, type, suffix)                                                        \
	int put_user_u##bits(uint64_t to, type v)                                                  \
	{                                                                                          \
		int err = -EFAULT;                                                                 \
		if (!user_range(to, sizeof(v)))                                                    \
			return -EFAULT;                                                            \
		stac();                                                                            \
		__asm__ __volatile__("1:	mov" suffix " %[v], (%[to])\n\t"                   \
				     "	xorl %[err], %[err]\n"                                      \
				     "2:\n\t" EXTABLE_ENTRY(1b, 2b)                                \
				     : [err] "+r"(err)                                             \
				     : [v] "r"(v), [to] "r"(to)                                    \
				     : "memory");                                                  \
		clac();                                                                            \
		return finish(err ? 1 : 0);                                                        \
	}

#define DEFINE_GET_USER(bits, type, suffix)                                                        \
	int get_user_u##bits(type *v, uint64_t from)                                               \
	{                                                                                          \
		type x = 0;                                                                        \
		int err = -EFAULT;                                                                 \
		if (!user_range(from, sizeof(x)))                                                  \
			return -EFAULT;                                                            \
		stac();                                                                            \
		__asm__ __volatile__("1:	mov" suffix " (%[from]), %[x]\n\t"                 \
				     "	xorl %[err], %[err]\n"                                      \
				     "2:\n\t" EXTABLE_ENTRY(1b, 2b)                                \
				     : [err] "+r"(err), [x] "+r"(x)                                \
				     : [from] "r"(from)                                            \
				     : "memory");                                                  \
		clac();                                                                            \
		if (!err)                                                                          \
			*v = x;                                                                    \
		return finish(err ? 1 : 0);                                                        \
	}

DEFINE_PUT_USER(64, uint64_t, "q")
DEFINE_GET_USER(64, uint64_t, "q")
DEFINE_PUT_USER(32, uint32_t, "l")
DEFINE_GET_USER(32, uint32_t, "l")

uint64_t uaccess_faults(void)
{
	return (uint64_t)atomic64_read(&faults);
}
