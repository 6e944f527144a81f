/*
 * The kernel command line: space-separated words, each "key=value" or a bare "key"; double quotes
 * keep spaces inside a word and are dropped (key="a b" is key with the value a b), as on Linux.
 * GRUB passes whatever follows the kernel's path on the multiboot2 line (see boot/grub.cfg).
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>

void cmdline_init(const char *line);
/* The value of key, "" for a bare key, NULL when absent. */
const char *cmdline_get(const char *key);
bool cmdline_has(const char *key);
/* The whole line as given. */
const char *cmdline_raw(void);

#endif
