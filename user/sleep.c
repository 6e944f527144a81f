/* sleep: waits SECONDS (default 1) in nanosleep, as coreutils' sleep. For trying Ctrl-C, `ps`
   from gdb, and kill: /bin/sleep 100. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts = { .tv_sec = argc > 1 ? atol(argv[1]) : 1 };

	if (argc > 2 || ts.tv_sec < 0) {
		fprintf(stderr, "usage: sleep [SECONDS]\n");
		return 2;
	}
	return nanosleep(&ts, NULL) ? 1 : 0;
}
