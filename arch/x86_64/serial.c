/*
 * 16550 UART driver. Output is polled; input is polled too until serial_enable_rx_irq() makes
 * the UART interrupt when a byte arrives (kernel/console_input.c takes it from there). The UART
 * has eight registers at COM1's base port; DLAB (bit 7 of the line control register) switches
 * registers 0 and 1 to the baud-rate divisor. 115200 baud is divisor 1 of the 1.8432 MHz clock
 * / 16.
 */
#include "arch/x86_64/serial.h"
#include "arch/x86_64/cpu.h"

#define COM1 0x3f8
#define REG_DATA 0 /* receive / transmit buffer (DLAB=0) */
#define REG_IER	 1 /* interrupt enable (DLAB=0) */
#define REG_DLL	 0 /* divisor low (DLAB=1) */
#define REG_DLM	 1 /* divisor high (DLAB=1) */
#define REG_FCR	 2 /* FIFO control */
#define REG_LCR	 3 /* line control */
#define REG_MCR	 4 /* modem control */
#define REG_LSR	 5 /* line status */
#define IER_RX_AVAILABLE 0x01 /* interrupt: received data (or a FIFO timeout) */
#define MCR_OUT2	 0x08 /* on PCs, gates the UART's interrupt output onto the IRQ line */
#define MCR_LOOP	 0x10 /* loopback: the transmitter feeds the receiver, nothing leaves */
#define LSR_DATA_READY	 0x01
#define LSR_THR_EMPTY	 0x20
#define LSR_TX_IDLE	 0x40 /* transmit holding and shift registers both empty */

void serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);	/* no interrupts: we poll */
	outb(COM1 + REG_LCR, 0x80);	/* DLAB on */
	outb(COM1 + REG_DLL, 1);	/* 115200 baud */
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, 0x03);	/* 8 data bits, no parity, 1 stop bit; DLAB off */
	outb(COM1 + REG_FCR, 0xc7);	/* FIFOs on and cleared, 14-byte trigger */
	outb(COM1 + REG_MCR, 0x0b);	/* DTR, RTS, OUT2 */
}

void serial_putc(char c)
{
	while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_getc_nonblock(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}

void serial_enable_rx_irq(void)
{
	outb(COM1 + REG_MCR, inb(COM1 + REG_MCR) | MCR_OUT2);
	outb(COM1 + REG_IER, IER_RX_AVAILABLE);
}

void serial_set_loopback(bool on)
{
	uint8_t mcr = inb(COM1 + REG_MCR);

	/* Let the last byte leave first, or it would come back instead of reaching the terminal. */
	while (!(inb(COM1 + REG_LSR) & LSR_TX_IDLE))
		cpu_relax();
	outb(COM1 + REG_MCR, on ? mcr | MCR_LOOP : mcr & ~MCR_LOOP);
}
