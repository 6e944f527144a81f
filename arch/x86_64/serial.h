/* The 16550 UART on COM1 (I/O port 0x3f8): the console of this kernel. */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H

#include <stdbool.h>

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, unsigned long n);
/* Returns a received byte, or -1 when none is waiting. Never blocks. */
int serial_getc_nonblock(void);

#endif
