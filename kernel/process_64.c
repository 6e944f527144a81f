/*
 * arch_prctl: a thread's FS and GS bases (Linux's arch/x86/kernel/process_64.c). A program's
 * C library keeps its thread pointer (TLS) in FS: `mov %fs:0, %rax` reads the thread's own
 * block. The base is the MSR_FS_BASE of the CPU the thread runs on; the scheduler loads it at
 * every switch to a user thread (kernel/sched/core.c), so here it is stored in the thread and
 * loaded at once.
 */
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "mm/uaccess.h"
#include "lib/errno.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM; /* as Linux: a base outside the user half */
		preempt_disable();     /* the store and the MSR must be on the same CPU */
		current->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		preempt_enable();
		return 0;
	case ARCH_GET_FS:
		return put_user_u64(addr, current->fs_base);
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EINVAL; /* GS is the kernel's per-CPU base here; programs use FS */
	default:
		return -EINVAL;
	}
}
