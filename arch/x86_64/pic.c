/*
 * The two 8259 PICs come up from the BIOS delivering IRQs 0-7 on vectors 8-15, which are CPU
 * exception vectors in protected mode. Even masked, a PIC can raise a spurious IRQ 7 or 15, so
 * first move them to vectors 0x20-0x2f (the ICW sequence), then mask every line.
 */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/cpu.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);	/* ICW1: initialise, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);	/* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);	/* ICW3: the slave hangs on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);	/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);	/* mask all */
	outb(PIC2_DATA, 0xff);
}
