/* What every torture kind's run does alike (kernel/torture/torture.h). */
#include "kernel/torture/torture.h"
#include "kernel/console_input.h"
#include "kernel/printk.h"
#include "kernel/sleep.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

bool torture_watch(unsigned int seconds, void (*report)(const char *when))
{
	for (unsigned int s = 1; s <= seconds; s++) {
		char when[24];

		for (int i = 0; i < 10; i++) {
			msleep(100);
			if (console_interrupted())
				return true;
		}
		snprintf(when, sizeof(when), "%us: ", s);
		report(when);
	}
	return false;
}

int torture_parse_seconds_only(int argc, char **argv, unsigned int *seconds)
{
	*seconds = 5;
	for (int i = 1; i < argc; i += 2)
		if (torture_parse_seconds(argv[i], i + 1 < argc ? argv[i + 1] : NULL, seconds))
			return -EINVAL;
	return 0;
}

int torture_parse_seconds_and_dev(int argc, char **argv, unsigned int *seconds, const char **dev)
{
	*seconds = 5;
	*dev = "vda";
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return -EINVAL;
		if (!strcmp(argv[i], "--dev"))
			*dev = argv[i + 1];
		else if (torture_parse_seconds(argv[i], argv[i + 1], seconds))
			return -EINVAL;
	}
	return 0;
}

void torture_verdict(const char *name, bool stopped, long long errors)
{
	if (stopped)
		kprintf("torture %s: stopped\n", name);
	else
		kprintf("torture %s: %s\n", name, errors ? "FAILED" : "passed");
}
