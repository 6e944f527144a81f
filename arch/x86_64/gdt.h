/*
 * The GDT and the TSS. In 64-bit mode segmentation is mostly gone: the CPU ignores the base and
 * limit of code and data segments. What is left matters a great deal, though:
 *
 *   - the code segment's DPL is the privilege level (ring 0 kernel, ring 3 user), and its L bit
 *     says "64-bit code";
 *   - the TSS no longer switches tasks, it only holds stack pointers: RSP0 (the stack the CPU
 *     switches to when an interrupt arrives in ring 3) and seven IST ("interrupt stack table")
 *     stacks that an IDT gate can ask for regardless of the ring. A double fault or an NMI gets
 *     its own IST stack, so it can be handled even when the current stack is unusable (a
 *     kernel stack overflow is exactly that case).
 *
 * Selectors (an index into the GDT times 8, plus the requested privilege level in bits 0-1):
 */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

#include <stdint.h>
#include "lib/compiler.h"

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
/*
 * User data comes before user code because SYSRET loads SS from STAR[63:48] + 8 and CS from
 * STAR[63:48] + 16: with STAR[63:48] = 0x10 that gives 0x18 and 0x20 (with RPL 3: 0x1b, 0x23).
 */
#define GDT_USER_DS   0x18
#define GDT_USER_CS   0x20
#define GDT_TSS	      0x28 /* 16 bytes: a TSS descriptor takes two slots in 64-bit mode */

/* IST slots (1-based, as written in an IDT gate; 0 means "no stack switch"). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI		 2

/*
 * A code or data segment descriptor, 8 bytes. The access byte is
 *   bit 7 P (present), bits 6-5 DPL, bit 4 S (1 = code/data, 0 = system), bits 3-0 type
 *   (for code: 1010 = execute/read; for data: 0010 = read/write).
 * The flags nibble is G (granularity), D/B, L (64-bit code; D must then be 0), AVL.
 */
struct seg_desc {
	uint16_t limit_lo;
	uint16_t base_lo;
	uint8_t base_mid;
	uint8_t access;
	uint8_t limit_hi_flags; /* bits 3-0: limit 19:16, bits 7-4: G D/B L AVL */
	uint8_t base_hi;
} __packed;

/*
 * A system descriptor for the 64-bit TSS: the classic 8 bytes (type 1001 = "available 64-bit
 * TSS"; LTR changes it to 1011 = busy) followed by the upper 32 bits of the base.
 */
struct tss_desc {
	struct seg_desc low;
	uint32_t base_upper;
	uint32_t reserved;
} __packed;

/*
 * The 64-bit TSS (104 bytes). rsp[0] is used on entry from ring 3. ist[n - 1] is IST n. The
 * I/O map base points past the end of the segment: no I/O permission bitmap, so ring 3 may
 * not use in/out at all.
 */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/* The table itself, in selector order. */
struct gdt {
	struct seg_desc null;
	struct seg_desc kernel_code;
	struct seg_desc kernel_data;
	struct seg_desc user_data;
	struct seg_desc user_code;
	struct tss_desc tss;
} __packed;

/*
 * One CPU's descriptor tables. Every CPU needs its own: LTR marks the TSS descriptor busy (a
 * second CPU could not load it), and each CPU needs its own IST stacks.
 */
struct cpu_tables {
	struct gdt gdt __aligned(16);
	struct tss tss __aligned(16);
};

/*
 * Fills t with the kernel's segments and a TSS whose IST1 and IST2 are the given stack tops,
 * then loads them on this CPU: LGDT, reload CS and SS, LTR.
 */
void gdt_load_cpu(struct cpu_tables *t, uint64_t double_fault_stack_top, uint64_t nmi_stack_top);
/* The boot CPU's tables, with static IST stacks. */
void gdt_init(void);
/* The boot CPU's TSS (each AP's is in the cpu_tables smp_boot.c gave it). */
struct tss *gdt_boot_tss(void);
/* The boot CPU's IST stacks, for the panic screen ("which stack was this?"). */
extern char double_fault_stack[], nmi_stack[];
#define DOUBLE_FAULT_STACK_SIZE (16 * 1024)
#define NMI_STACK_SIZE		(8 * 1024)

#endif
