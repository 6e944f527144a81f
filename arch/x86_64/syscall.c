/* The MSRs of `syscall` (arch/x86_64/syscall.h). */
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "lib/compiler.h"

long (*syscall_handler)(struct trap_frame *f);
extern char entry_SYSCALL_64[];

void syscall_set_handler(long (*fn)(struct trap_frame *f))
{
	WRITE_ONCE(syscall_handler, fn);
}

void syscall_init_cpu(void)
{
	/* SYSRET's base: user SS = 0x10 + 8 = GDT_USER_DS, user CS = 0x10 + 16 = GDT_USER_CS. */
	uint64_t sysret_base = GDT_USER_DS - 8;

	BUILD_BUG_ON(GDT_USER_CS != GDT_USER_DS + 8);
	wrmsr(MSR_STAR, (sysret_base << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK,
	      RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
