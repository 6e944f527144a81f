/* The `delay` shell command: list the delay points, turn one on or every one off
   (kernel/delay_point.h). */
#include "kernel/delay_point.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MAX_US 100000 /* 100 ms: a longer wait inside a lock would trip the stall warnings */

static void list_points(void)
{
	kprintf("%-18s %7s %6s %12s %12s  where\n", "point", "us", "every", "passes", "hits");
	for (struct delay_point *dp = delay_point_next(NULL); dp; dp = delay_point_next(dp))
		kprintf("%-18s %7u %6u %12lld %12lld  %s%s\n", dp->name, READ_ONCE(dp->us),
			READ_ONCE(dp->every), (long long)atomic64_read(&dp->passes),
			(long long)atomic64_read(&dp->hits), dp->where,
			dp->sleeps ? " (sleeps)" : "");
}

static int cmd_delay(int argc, char **argv)
{
	unsigned long long us, every = 1;

	if (argc == 1) {
		list_points();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "off")) {
		delay_points_off();
		return 0;
	}
	if (argc < 3 || argc > 4 || parse_u64(argv[2], &us, 10, 0) || us > MAX_US ||
	    (argc == 4 && (parse_u64(argv[3], &every, 10, 0) || every == 0 || every > 1000000)))
		return shell_usage(argv[0]);
	if (delay_point_set(argv[1], (unsigned int)us, (unsigned int)every)) {
		kprintf("delay: no delay point named %s\n", argv[1]);
		list_points();
		return -ENOENT;
	}
	return 0;
}
SHELL_COMMAND("delay", "[NAME US [EVERY] | off]",
	      "delay points that widen race windows: list, turn one on (wait US us on one pass "
	      "in EVERY; 0 turns it off), or all off",
	      cmd_delay);
