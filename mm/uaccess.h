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

/* Copies that stopped at a fault, since boot. */
uint64_t uaccess_faults(void);

#endif
