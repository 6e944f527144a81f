/*
 * The user test programs' runner inside the kernel (docs/testing.md): runs each program given,
 * one after the other, the way the shell would, and frames its TAP output for the host's
 * runner (tests/utap.py):
 *
 *	utest: begin /bin/tests/proc_test
 *	...the program's own TAP on its standard output...
 *	utest: end /bin/tests/proc_test status 0
 *	utest: 1 programs, 1 exited 0, 0 did not
 *
 * The verdict on each test is the host's: it reads the plan and every ok / not ok line.
 */
#ifndef KERNEL_UTEST_H
#define KERNEL_UTEST_H

/*
 * Runs the comma-separated entries of list, each a program's path and its arguments separated
 * by spaces ("/bin/tests/proc_test,/bin/openbench --threads 2"); returns how many did not exit
 * 0. Linux runs the same list through our init (user/linux/init.c).
 */
unsigned int utest_run(const char *list);

#endif
