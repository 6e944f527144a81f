/*
 * The printf core. format() walks a format string and hands each output character to a sink,
 * so the same code serves printk (to the serial port and the log ring) and snprintf (to a
 * buffer). Supported: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ' '#', width and
 * precision (also '*'), length modifiers hh h l ll z t.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include "lib/compiler.h"

typedef void (*format_sink_t)(void *ctx, char c);

/* Returns the number of characters produced. */
int format(format_sink_t sink, void *ctx, const char *fmt, va_list ap);

/* Like C's: always NUL-terminates when size > 0, returns the length it wanted to write. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
