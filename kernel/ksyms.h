/*
 * The kernel's own symbol table, so a backtrace can name functions. The build links the kernel
 * twice: the first link has an empty table; tools/gen-ksyms turns its text symbols into
 * build/ksyms.c, and the second link includes that. The table sits last in .rodata, after all
 * code, so its size moves no function between the two links.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

/*
 * The name of the function containing addr and addr's offset into it, or NULL when addr is not
 * in kernel text.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
/* The address of a function by name, or 0. */
uint64_t ksym_address(const char *name);
uint64_t ksym_count(void);

#endif
