/*
 * The serial console as a terminal: /dev/console (drivers/tty/console.c) and the canonical
 * line editing of its reads (drivers/tty/n_tty.c).
 */
#ifndef DRIVERS_TTY_TTY_H
#define DRIVERS_TTY_TTY_H

#include <stddef.h>
#include "fs/fs.h"

#define TTY_LINE_MAX 256 /* bytes of one typed line, with its '\n' */

/* Makes /dev and the /dev/console device in the root tmpfs. After vfs_init; panics on failure. */
void console_dev_init(void);

/* One line of the console's input, edited as a canonical terminal does (n_tty.c). */
ssize_t n_tty_read(char *buf, size_t n);

#endif
