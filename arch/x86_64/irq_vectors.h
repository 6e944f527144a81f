/*
 * Who uses which interrupt vector. 0-31 are CPU exceptions. The 8259 PICs are moved to 0x20-0x2f
 * and masked (arch/x86_64/pic.c); a spurious IRQ 7/15 from them lands on 0x27/0x2f. The higher
 * the vector, the higher its priority class in the local APIC, so IPIs sit above device IRQs.
 */
#ifndef ARCH_X86_64_IRQ_VECTORS_H
#define ARCH_X86_64_IRQ_VECTORS_H

#define PIC_SPURIOUS_VECTOR1   0x27
#define PIC_SPURIOUS_VECTOR2   0x2f
#define IRQ_BASE_VECTOR	       0x30 /* ISA IRQ n arrives on 0x30 + n (kernel/irq.c) */
#define MSI_BASE_VECTOR	       0x40 /* message-signalled interrupts (kernel/msi.c) */
#define MSI_NR_VECTORS	       32   /* 0x40-0x5f */
#define TIMER_VECTOR	       0xd0 /* the local APIC timer: the scheduler tick */
#define CALL_FUNCTION_VECTOR   0xe0 /* smp_call_function */
#define RESCHEDULE_VECTOR      0xe1
#define STOP_VECTOR	       0xe2 /* panic: stop the other CPUs */
/* 0xff: APIC_SPURIOUS_VECTOR (arch/x86_64/apic.h) */

#endif
