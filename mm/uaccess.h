/*
 * Copying to and from the user half of the current address space (the mm the running kernel
 * thread is inside, kthread_use_mm). The copy is one `rep movsb` listed in the exception table:
 * a page fault in it is first offered to the address space (demand paging, copy-on-write), and
 * when that cannot resolve it (no VMA, the protection forbids it) the copy stops there and
 * these return -EFAULT instead of the kernel panicking. A range that is not wholly in the user
 * half is refused before any byte moves.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include <stdint.h>
#include <stddef.h>

/* 0, or -EFAULT (the bytes before the bad one may have been copied). */
int copy_to_user(uint64_t to, const void *from, size_t n);
int copy_from_user(void *to, uint64_t from, size_t n);
/* One word with one access: 0 when the whole word was stored (read), else -EFAULT and
   nothing of it was. */
int put_user_u64(uint64_t to, uint64_t v);
int get_user_u64(uint64_t *v, uint64_t from);

/* Copies that stopped at a fault, since boot. */
uint64_t uaccess_faults(void);

#endif
