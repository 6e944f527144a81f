/* The user test programs' runner (kernel/utest.h). */
#include "kernel/utest.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "lib/errno.h"
#include "lib/string.h"

#define UTEST_PATH_MAX 128

static const char *const utest_envp[] = {"PATH=/bin", "HOME=/", "TEACHOS_UTEST=1", NULL};

/* Runs one program to its end: its wait status, or a negative errno if it did not start. */
static int run_one(const char *path)
{
	const char *argv[] = {path, NULL};
	int pid;

	kprintf("utest: begin %s\n", path);
	pid = process_spawn(path, argv, utest_envp);
	if (pid < 0) {
		kprintf("utest: end %s error %s\n", path, errno_name(pid));
		return pid;
	}
	return kernel_wait(pid, NULL);
}

unsigned int utest_run(const char *list)
{
	unsigned int n = 0, bad = 0;

	while (*list) {
		char path[UTEST_PATH_MAX];
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		int status;

		if (len && len < sizeof(path)) {
			memcpy(path, list, len);
			path[len] = '\0';
			status = run_one(path);
			if (status >= 0)
				kprintf("utest: end %s status %d\n", path, status);
			n++;
			bad += status != 0;
		}
		list += len + (comma ? 1 : 0);
	}
	kprintf("utest: %u programs, %u exited 0, %u did not\n", n, n - bad, bad);
	return bad;
}
