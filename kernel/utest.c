/* The user test programs' runner (kernel/utest.h). */
#include "kernel/utest.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "lib/errno.h"
#include "lib/string.h"

#define UTEST_ENTRY_MAX 192
#define UTEST_ARGS_MAX	16

static const char *const utest_envp[] = {"PATH=/bin", "HOME=/", "TEACHOS_UTEST=1", NULL};

/*
 * Splits an entry in place at its spaces into argv (NULL-terminated); returns argc, or -E2BIG
 * for more than UTEST_ARGS_MAX - 1 words.
 */
static int split_args(char *entry, const char *argv[UTEST_ARGS_MAX])
{
	int argc = 0;

	for (char *p = entry; *p;) {
		if (*p == ' ') {
			*p++ = '\0';
			continue;
		}
		if (argc == UTEST_ARGS_MAX - 1)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * Runs one entry ("PATH ARG ...") to its end, framed by its begin and end lines: its wait
 * status, or a negative errno if it did not start.
 */
static int run_one(const char *entry)
{
	char words[UTEST_ENTRY_MAX];
	const char *argv[UTEST_ARGS_MAX];
	int pid, argc, status;

	kprintf("utest: begin %s\n", entry);
	strlcpy(words, entry, sizeof(words));
	argc = split_args(words, argv);
	pid = argc < 0 ? argc : argc == 0 ? -ENOENT : process_spawn(argv[0], argv, utest_envp);
	if (pid < 0) {
		kprintf("utest: end %s error %s\n", entry, errno_name(pid));
		return pid;
	}
	status = kernel_wait(pid, NULL);
	kprintf("utest: end %s status %d\n", entry, status);
	return status;
}

unsigned int utest_run(const char *list)
{
	unsigned int n = 0, bad = 0;

	while (*list) {
		char entry[UTEST_ENTRY_MAX];
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);

		if (len >= sizeof(entry)) {
			kprintf("utest: entry %.*s... longer than %d bytes, not run\n", 40, list,
				UTEST_ENTRY_MAX - 1);
			n++, bad++;
		} else if (len) {
			memcpy(entry, list, len);
			entry[len] = '\0';
			n++;
			bad += run_one(entry) != 0;
		}
		list += len + (comma ? 1 : 0);
	}
	kprintf("utest: %u programs, %u exited 0, %u did not\n", n, n - bad, bad);
	return bad;
}
