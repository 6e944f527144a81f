/*
 * printk: formatted kernel messages with a level, a timestamp, a copy in the log ring (dmesg)
 * and, when the level is at most the console level, on the serial console. Levels are the
 * Linux ones, given as a prefix of the format string: printk(KERN_ERR "x failed\n").
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>
#include "lib/compiler.h"

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define LOGLEVEL_DEFAULT 6 /* a message without a level prefix */

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(...)  printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)    printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)   printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...)   printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...)  printk(KERN_DEBUG __VA_ARGS__)

/*
 * Console output without a timestamp or a log copy: for the shell and for KTAP, whose lines
 * must reach the host exactly as written.
 */
int kprintf(const char *fmt, ...) __printf(1, 2);
int vkprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
/* console_write() under console_lock: the bytes come out together (/dev/console's write). */
void console_write_locked(const char *s, size_t n);

/* Messages above this level go only to the log ring. Set by "loglevel=N" on the command line. */
extern int console_loglevel;

/* From now on printk takes no lock (panic only: see kernel/printk.c). */
void console_panic_mode(void);

/* Copies the log ring, oldest line first, to the console. */
void dmesg_print(void);
/* Bytes the ring has dropped since boot (oldest lines overwritten). */
size_t dmesg_dropped(void);

#endif
