/*
 * The first user program: prints a greeting and its arguments, one per line, and exits 0. Built
 * static with musl (bin/hello, and bin/hello-pie as a static PIE) and with glibc
 * (bin/glibc/hello); the same binary runs on Linux and on teachos.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from ring 3\n");
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
