/*
 * The command table: every SHELL_COMMAND lands in the .shell_cmds linker section, between
 * __shell_cmds_start and __shell_cmds_end (see linker.ld), in link order. These functions are
 * the only readers of that section.
 */
#ifndef KERNEL_SHELL_CMDTAB_H
#define KERNEL_SHELL_CMDTAB_H

#include "kernel/shell.h"

/* The command with this exact name, or NULL. */
const struct shell_cmd *shell_find_cmd(const char *name);
/*
 * Walks the commands in name order: NULL gives the first, a command gives the one after it,
 * NULL follows the last. Quadratic, which is nothing for a few dozen commands, and needs no array.
 */
const struct shell_cmd *shell_cmd_next(const struct shell_cmd *prev);
/* Warns about a registration the shell cannot use: an empty name, or a name taken twice. */
void shell_check_cmds(void);

#endif
