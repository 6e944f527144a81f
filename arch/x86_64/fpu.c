/* SSE for user threads (arch/x86_64/fpu.h). */
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

BUILD_BUG_ON(sizeof(struct fpu) != 512);

void fpu_init_cpu(void)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ __volatile__("fninit");
}

void fpu_init_state(struct fpu *f)
{
	memset(f, 0, sizeof(*f));
	f->fcw = 0x37f;	   /* 64-bit precision, round to nearest, every exception masked */
	f->mxcsr = 0x1f80; /* every SSE exception masked, round to nearest */
}
