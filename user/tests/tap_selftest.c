/*
 * A user test program that only passes: what the kernel hands a new program (argc, argv, envp,
 * the auxiliary vector) and what libc needs from it (getpid, malloc), checked and reported as
 * TAP through user/tap.h. A failure here, once programs run on teachos, points at execve's
 * stack layout or at a system call.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "user/tap.h"

/* Counts envp's entries; -1 if there are implausibly many (envp not NULL-terminated). */
static int count_env(char **envp)
{
	int n = 0;

	while (envp[n])
		if (++n > 100000)
			return -1;
	return n;
}

/* malloc and free a few sizes, writing every byte; true when each came back aligned. */
static int malloc_works(void)
{
	static const size_t sizes[] = {1, 16, 4096, 1 << 20};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = malloc(sizes[i]);

		if (!p || (unsigned long)p % 16)
			return 0;
		memset(p, 0xa5, sizes[i]);
		if (p[sizes[i] - 1] != 0xa5)
			return 0;
		free(p);
	}
	return 1;
}

int main(int argc, char **argv, char **envp)
{
	tap_plan(7);
	tap_ok(argc >= 1, "argc is at least 1 (%d)", argc);
	tap_ok(argv[argc] == NULL, "argv ends with NULL");
	tap_ok(argv[0] && argv[0][0], "argv[0] is a non-empty string");
	tap_ok(count_env(envp) >= 0, "envp ends with NULL (%d entries)", count_env(envp));
	tap_ok(getauxval(AT_PAGESZ) == 4096, "getauxval(AT_PAGESZ) is 4096");
	tap_diag("pid %ld", (long)getpid());
	tap_ok(getpid() > 0, "getpid is positive");
	tap_ok(malloc_works(), "malloc gives aligned, writable memory up to 1 MiB");
	return tap_done();
}
