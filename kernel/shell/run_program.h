/*
 * Running a user program from the shell: a command word with a '/' in it (`/bin/hello a b`).
 */
#ifndef KERNEL_SHELL_RUN_PROGRAM_H
#define KERNEL_SHELL_RUN_PROGRAM_H

/* Runs argv[0] with argv (argc words, argv[argc] NULL) in the foreground and waits for it;
   Ctrl-C ends it. Prints how it ended unless it exited with 0. Returns 0, or the error that
   kept it from starting (after printing it). */
int shell_run_program(int argc, char *argv[]);

#endif
