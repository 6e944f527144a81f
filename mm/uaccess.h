/*
 * Copying to and from the user half of the current address space: the running user program's,
 * or the mm a kernel thread is inside (kthread_use_mm). The kernel never follows a user pointer
 * (`char __user *`, lib/compiler.h) except through these. Each copy is one instruction listed
 * in the exception table: a page fault in it is first offered to the address space (demand
 * paging, copy-on-write), and when that cannot resolve it (no VMA, the protection forbids it)
 * the copy stops there and these return -EFAULT instead of the kernel panicking. A range that
 * is not wholly in the user half is refused before any byte moves. Under SMAP each copy is
 * bracketed by STAC and CLAC (arch/x86_64/smap.h).
 *
 * Linux's copy_to_user returns the bytes left uncopied; ours return 0 or -EFAULT. The usual
 * call `if (copy_to_user(...)) return -EFAULT;` reads the same with both.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/compiler.h"

/* True when the n bytes at p lie wholly in the user half (they may still be unmapped). */
bool access_ok(const void __user *p, size_t n);

/* 0, or -EFAULT (the bytes before the bad one may have been copied). */
int copy_to_user(void __user *to, const void *from, size_t n);
int copy_from_user(void *to, const void __user *from, size_t n);
/* Zeroes n user bytes: 0 or -EFAULT. */
int clear_user(void __user *to, size_t n);
/*
 * Copies a NUL-terminated string of at most n - 1 characters and its NUL into dst (n bytes).
 * Returns its length (without the NUL), -EFAULT, or -ENAMETOOLONG when no NUL came within n
 * bytes (Linux's strncpy_from_user returns n there; every caller of ours wants the error).
 */
long strncpy_from_user(char *dst, const char __user *src, size_t n);

/* One word with one access: 0 when the whole word was stored (read), else -EFAULT and
   nothing of it was. Kernel threads inside an mm use these with plain addresses. */
int put_user_u64(uint64_t to, uint64_t v);
int get_user_u64(uint64_t *v, uint64_t from);
int put_user_u32(uint64_t to, uint32_t v);
int get_user_u32(uint32_t *v, uint64_t from);

/*
 * The address a __user pointer holds, as the number the word helpers above take. Leaving the
 * __user address space is the point here (__force): the number goes only to those helpers,
 * which check it and touch the memory with a fault fixup, never to a plain dereference.
 */
static inline uint64_t user_addr(const volatile void __user *p)
{
	return (__force uint64_t)p;
}

/*
 * put_user(x, ptr), get_user(x, ptr): Linux's typed forms of the word helpers: one 4- or 8-byte
 * integer (or, for get_user, pointer) at the __user pointer ptr, with ptr's type choosing the
 * size. 0, or -EFAULT with nothing stored (get_user leaves x alone then).
 */
#define put_user(x, ptr)                                                                           \
	({                                                                                         \
		BUILD_BUG_ON(sizeof(*(ptr)) != 4 && sizeof(*(ptr)) != 8);                          \
		sizeof(*(ptr)) == 8 ? put_user_u64(user_addr(ptr), (uint64_t)(x))                  \
				    : put_user_u32(user_addr(ptr), (uint32_t)(x));                 \
	})
/* The value goes through a uint64_t, so a 4-byte branch never casts a narrow integer to a
   pointer. */
#define get_user(x, ptr)                                                                           \
	({                                                                                         \
		uint64_t gu_v = 0;                                                                 \
		uint32_t gu_w = 0;                                                                 \
		int gu_err;                                                                        \
		BUILD_BUG_ON(sizeof(*(ptr)) != 4 && sizeof(*(ptr)) != 8);                          \
		if (sizeof(*(ptr)) == 8) {                                                         \
			gu_err = get_user_u64(&gu_v, user_addr(ptr));                              \
		} else {                                                                           \
			gu_err = get_user_u32(&gu_w, user_addr(ptr));                              \
			gu_v = gu_w;                                                               \
		}                                                                                  \
		if (!gu_err)                                                                       \
			(x) = (__typeof__(x))gu_v;                                                 \
		gu_err;                                                                            \
	})

/* Copies that stopped at a fault, since boot. */
uint64_t uaccess_faults(void);

#endif
