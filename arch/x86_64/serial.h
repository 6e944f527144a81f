/* The 16550 UART on COM1 (I/O port 0x3f8): the console of this kernel. */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H

#include <stdbool.h>

#define COM1_IRQ 4 /* the ISA IRQ line of COM1 on PCs */

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, unsigned long n);
/* Returns a received byte, or -1 when none is waiting. Never blocks. */
int serial_getc_nonblock(void);
/*
 * Makes the UART raise its IRQ (4 on COM1) while a received byte waits: IER bit 0, and OUT2 in
 * the modem control register, which on PC hardware connects the UART's interrupt pin to the line.
 */
void serial_enable_rx_irq(void);
/*
 * Loopback mode (MCR bit 4): bytes written come back as received bytes, with the receive
 * interrupt, and nothing reaches the terminal. For tests of the input path.
 */
void serial_set_loopback(bool on);

#endif
