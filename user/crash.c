/*
 * crash: a program that faults on purpose, to watch the kernel end it (and not itself).
 *
 *	/bin/crash null		write through a NULL pointer: SIGSEGV
 *	/bin/crash ud		an invalid instruction: SIGILL
 *	/bin/crash div		divide by zero: SIGFPE
 *	/bin/crash kernel	read a kernel address: SIGSEGV
 *	/bin/crash exit N	no fault: exit with status N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "null";

	printf("crash: %s\n", what);
	fflush(stdout);
	if (!strcmp(what, "null")) {
		*(volatile int *)0 = 1;
	} else if (!strcmp(what, "ud")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(what, "div")) {
		int q = 7, zero = 0;
		/* idiv itself: a C division by a known zero is something the compiler may rewrite */
		__asm__ volatile("cltd; idivl %1" : "+a"(q) : "r"(zero) : "edx");
		printf("%d\n", q);
	} else if (!strcmp(what, "kernel")) {
		printf("%d\n", *(volatile int *)0xffffffff80100000UL);
	} else if (!strcmp(what, "exit")) {
		return argc > 2 ? atoi(argv[2]) : 0;
	} else {
		fprintf(stderr, "usage: crash [null|ud|div|kernel|exit N]\n");
		return 2;
	}
	return 0;
}
