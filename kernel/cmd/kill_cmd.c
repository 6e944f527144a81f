/* The `kill` shell command: sends a signal to a process, as kill(2) does. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "lib/errno.h"
#include "lib/string.h"

/* A non-negative int: 0, or -1 for anything else. */
static int parse_int(const char *s, int *out)
{
	unsigned long long v;

	if (parse_u64(s, &v, 10, 0) || v > 0x7fffffff)
		return -1;
	*out = (int)v;
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	int pid, sig = SIGTERM, err;

	if (argc < 2 || argc > 3 || parse_int(argv[1], &pid) ||
	    (argc == 3 && parse_int(argv[2], &sig)))
		return shell_usage(argv[0]);
	err = kill_pid(pid, sig);
	if (err)
		kprintf("kill: %d: %s (%s)\n", pid, errno_text(err), errno_name(err));
	return 0;
}
SHELL_COMMAND("kill", "PID [SIGNAL]",
	      "send SIGNAL (a number, default 15 = SIGTERM) to process PID: the fatal ones end it",
	      cmd_kill);
