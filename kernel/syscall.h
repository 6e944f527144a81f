/*
 * System calls: Linux's x86_64 numbers (arch/x86_64/unistd_64.h), their handlers, and the counts
 * the `syscalls` command prints.
 *
 * A handler is defined where its mechanism lives, with Linux's macro shape:
 *
 *	SYSCALL_DEFINE3(write, unsigned int, fd, const char __user *, buf, size_t, count)
 *	{
 *		...return a result >= 0 or a negative errno...
 *	}
 *
 * which defines __do_sys_write(fd, buf, count) (break there in gdb), a wrapper that takes the
 * arguments from the registers the ABI puts them in (rdi, rsi, rdx, r10, r8, r9) and casts
 * each to its declared type, and an entry in the .syscalls linker section. At boot
 * syscall_init() turns the section into the table indexed by number; a number with no entry
 * returns -ENOSYS and is counted. Any layer may define a call: the table is built from the
 * section, so no lower layer names a higher one's function.
 *
 * The user program sees the result in rax: a value in [-4095, -1] is an error, which libc turns
 * into errno.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "arch/x86_64/trap.h"
#include "arch/x86_64/unistd_64.h"
#include "lib/compiler.h"

struct syscall_entry {
	unsigned int nr;
	const char *name;
	long (*fn)(const struct trap_frame *regs);
};

/* __aligned(8): the entries must lie back to back, as the table is walked; without it gcc
   aligns each 24-byte entry to 16, and a file defining two calls gets a hole between them. */
#define __SYSCALL_ENTRY(name)                                                                      \
	static const struct syscall_entry __syscall_entry_##name __used __aligned(8)               \
		__section(".syscalls") = {__NR_##name, #name, __se_sys_##name};

/* The six argument registers of the x86_64 system-call ABI, in order. */
#define __SC_A1(r) (r)->rdi
#define __SC_A2(r) (r)->rsi
#define __SC_A3(r) (r)->rdx
#define __SC_A4(r) (r)->r10
#define __SC_A5(r) (r)->r8
#define __SC_A6(r) (r)->r9

#define __SYSCALL_DEFINE(name, decl, args)                                                         \
	static long __do_sys_##name decl;                                                          \
	static long __se_sys_##name(const struct trap_frame *r)                                    \
	{                                                                                          \
		(void)r;                                                                           \
		return __do_sys_##name args;                                                       \
	}                                                                                          \
	__SYSCALL_ENTRY(name)                                                                      \
	static long __do_sys_##name decl

#define SYSCALL_DEFINE0(name)	      __SYSCALL_DEFINE(name, (void), ())
#define SYSCALL_DEFINE1(name, t1, a1) __SYSCALL_DEFINE(name, (t1 a1), ((t1)__SC_A1(r)))
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                                                      \
	__SYSCALL_DEFINE(name, (t1 a1, t2 a2), ((t1)__SC_A1(r), (t2)__SC_A2(r)))
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                                              \
	__SYSCALL_DEFINE(name, (t1 a1, t2 a2, t3 a3),                                              \
			 ((t1)__SC_A1(r), (t2)__SC_A2(r), (t3)__SC_A3(r)))
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                                      \
	__SYSCALL_DEFINE(name, (t1 a1, t2 a2, t3 a3, t4 a4),                                       \
			 ((t1)__SC_A1(r), (t2)__SC_A2(r), (t3)__SC_A3(r), (t4)__SC_A4(r)))
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                              \
	__SYSCALL_DEFINE(                                                                          \
		name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5),                                         \
		((t1)__SC_A1(r), (t2)__SC_A2(r), (t3)__SC_A3(r), (t4)__SC_A4(r), (t5)__SC_A5(r)))
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)                      \
	__SYSCALL_DEFINE(name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6),                         \
			 ((t1)__SC_A1(r), (t2)__SC_A2(r), (t3)__SC_A3(r), (t4)__SC_A4(r),          \
			  (t5)__SC_A5(r), (t6)__SC_A6(r)))

/* Builds the table from the .syscalls section and registers the entry; boot, once. */
void syscall_init(void);

/*
 * Runs system call nr with the given arguments as if the current thread had made it from ring
 * 3 (the same table, the same counting), and returns its result. For the in-kernel tests: a
 * kernel thread inside an mm (kthread_use_mm) passes user-half addresses as the pointers.
 */
long syscall_invoke(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5, uint64_t a6);

/* For the `syscalls` command and the tests. */
const char *syscall_name(unsigned int nr); /* NULL for a number Linux does not have */
bool syscall_implemented(unsigned int nr);
uint64_t syscall_count(unsigned int nr); /* calls of nr since boot, all CPUs */
uint64_t syscall_enosys_total(void);	 /* calls of numbers with no handler */

#endif
