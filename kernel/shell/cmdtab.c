/* Lookups in the command table (see cmdtab.h). */
#include "kernel/shell/cmdtab.h"
#include "kernel/printk.h"
#include "lib/string.h"

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

const struct shell_cmd *shell_find_cmd(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The smallest name greater than prev's. A duplicate name is seen once (the check warns). */
const struct shell_cmd *shell_cmd_next(const struct shell_cmd *prev)
{
	const struct shell_cmd *best = NULL;

	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++) {
		if (prev && strcmp(c->name, prev->name) <= 0)
			continue;
		if (!best || strcmp(c->name, best->name) < 0)
			best = c;
	}
	return best;
}

void shell_check_cmds(void)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++) {
		if (!c->name[0] || strchr(c->name, ' '))
			pr_warn("shell: bad command name '%s' (help: %s)\n", c->name, c->help);
		else if (shell_find_cmd(c->name) != c)
			pr_warn("shell: two commands named '%s'; only one runs\n", c->name);
	}
}
