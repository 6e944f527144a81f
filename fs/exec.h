/*
 * execve (fs/exec.c): replacing a process's program with a static ELF executable.
 */
#ifndef FS_EXEC_H
#define FS_EXEC_H

#include <stdint.h>

/*
 * Loads the program at filename into the current thread's process with the given argument
 * and environment vectors (kernel strings, NULL-terminated): the process's other threads end,
 * its address space is replaced, and the thread's user registers (the frame at the top of its
 * kernel stack) start the program when it next returns to ring 3. 0, or ENOENT, EACCES
 * (not a regular file), ENOEXEC (not a static ELF64 x86_64 program, or malformed), E2BIG,
 * ENOMEM, EINTR, with the process as it was. The current thread must be a process's thread.
 */
int kernel_execve(const char *filename, const char *const argv[], const char *const envp[]);

struct exec_stats {
	uint64_t execs;	      /* programs started */
	uint64_t enoexec;     /* files refused as not runnable */
	uint64_t failed_late; /* past the point of no return (out of memory): process killed */
};
struct exec_stats exec_stats(void);

#endif
