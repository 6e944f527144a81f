/*
 * Building and loading the GDT and the TSS (see gdt.h for what each part means to the CPU).
 * The boot code's GDT lives in the low, identity-mapped .boot section, which goes away when the
 * kernel's final page tables are loaded; this one lives in the kernel image.
 */
#include "arch/x86_64/gdt.h"
#include "lib/string.h"

#define ACC_PRESENT  0x80
#define ACC_DPL3     0x60
#define ACC_CODEDATA 0x10 /* S = 1: a code or data segment, not a system one */
#define ACC_CODE     0x0a /* type 1010: execute/read */
#define ACC_DATA     0x02 /* type 0010: read/write */
#define ACC_TSS64    0x09 /* system type 1001: available 64-bit TSS */
#define FLAG_LONG    0x20 /* L: 64-bit code segment */

BUILD_BUG_ON(sizeof(struct seg_desc) != 8);
BUILD_BUG_ON(sizeof(struct tss_desc) != 16);
BUILD_BUG_ON(sizeof(struct tss) != 104);
BUILD_BUG_ON(offsetof(struct gdt, kernel_code) != GDT_KERNEL_CS);
BUILD_BUG_ON(offsetof(struct gdt, kernel_data) != GDT_KERNEL_DS);
BUILD_BUG_ON(offsetof(struct gdt, user_data) != GDT_USER_DS);
BUILD_BUG_ON(offsetof(struct gdt, user_code) != GDT_USER_CS);
BUILD_BUG_ON(offsetof(struct gdt, tss) != GDT_TSS);

/* The IST stacks of the boot CPU. They have no guard page: their handlers only print and stop. */
char double_fault_stack[DOUBLE_FAULT_STACK_SIZE] __aligned(4096);
char nmi_stack[NMI_STACK_SIZE] __aligned(4096);

static struct cpu_tables boot_cpu_tables;

/* Base and limit are ignored in 64-bit mode for code and data: only access and flags count. */
static struct seg_desc segment(uint8_t access, uint8_t flags)
{
	return (struct seg_desc){ .access = access, .limit_hi_flags = flags };
}

static struct tss_desc tss_descriptor(const struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint32_t limit = sizeof(*tss) - 1;

	return (struct tss_desc){
		.low = { .limit_lo = limit & 0xffff,
			 .base_lo = base & 0xffff,
			 .base_mid = (base >> 16) & 0xff,
			 .access = ACC_PRESENT | ACC_TSS64,
			 .limit_hi_flags = (limit >> 16) & 0x0f,
			 .base_hi = (base >> 24) & 0xff },
		.base_upper = base >> 32,
	};
}

/* LGDT takes a 10-byte operand: the table's size minus one, then its linear address. */
struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

static void load_gdt(const struct gdt *gdt)
{
	struct gdt_ptr p = { sizeof(*gdt) - 1, (uint64_t)gdt };

	__asm__ __volatile__("lgdt %0" ::"m"(p));
	/*
	 * CS cannot be written with MOV: a far return pops RIP and then CS, reloading the code
	 * segment from the new table. SS is reloaded directly. DS, ES, FS and GS stay null (their
	 * bases do not matter in 64-bit mode; GS base is an MSR).
	 */
	__asm__ __volatile__("pushq %[cs]\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movw %w[ds], %%ax\n\t"
			     "movw %%ax, %%ss"
			     :
			     : [cs] "i"(GDT_KERNEL_CS), [ds] "r"(GDT_KERNEL_DS)
			     : "rax", "memory");
}

void gdt_load_cpu(struct cpu_tables *t, uint64_t double_fault_stack_top, uint64_t nmi_stack_top)
{
	memset(t, 0, sizeof(*t));
	t->tss.ist[IST_DOUBLE_FAULT - 1] = double_fault_stack_top;
	t->tss.ist[IST_NMI - 1] = nmi_stack_top;
	t->tss.iomap_base = sizeof(t->tss);

	t->gdt.kernel_code = segment(ACC_PRESENT | ACC_CODEDATA | ACC_CODE, FLAG_LONG);
	t->gdt.kernel_data = segment(ACC_PRESENT | ACC_CODEDATA | ACC_DATA, 0);
	t->gdt.user_data = segment(ACC_PRESENT | ACC_DPL3 | ACC_CODEDATA | ACC_DATA, 0);
	t->gdt.user_code = segment(ACC_PRESENT | ACC_DPL3 | ACC_CODEDATA | ACC_CODE, FLAG_LONG);
	t->gdt.tss = tss_descriptor(&t->tss);

	load_gdt(&t->gdt);
	/* LTR loads the task register from the descriptor and marks that descriptor busy. */
	__asm__ __volatile__("ltr %w0" ::"r"((uint16_t)GDT_TSS) : "memory");
}

void gdt_init(void)
{
	/* Stacks grow down: an IST entry holds the top. */
	gdt_load_cpu(&boot_cpu_tables, (uint64_t)double_fault_stack + sizeof(double_fault_stack),
		     (uint64_t)nmi_stack + sizeof(nmi_stack));
}

struct tss *gdt_boot_tss(void)
{
	return &boot_cpu_tables.tss;
}
