/*
 * The kernel starting user programs (Linux's kernel/umh.c, "user-mode helper"): the shell
 * runs `/bin/hello` through process_spawn, and kernel_wait (kernel/exit.c) collects it.
 *
 * The new process's thread does the exec itself, in its own context (a process thread with no
 * address space yet), and tells the spawner how it went before it goes to ring 3: the spawner
 * learns ENOENT or ENOEXEC from process_spawn rather than as an exit status.
 *
 * This file sits above the layers it calls into (docs/layers.md, exception 5).
 */
#include "kernel/process.h"
#include "kernel/sched/completion.h"
#include "fs/exec.h"
#include "fs/syscalls.h"
#include "lib/errno.h"
#include "lib/string.h"

struct spawn_request {
	const char *path;
	const char *const *argv;
	const char *const *envp;
	int err;
	struct completion loaded;
};

/* In the new process's thread: standard input, output and error, then the program. */
static int spawn_main(void *arg)
{
	struct spawn_request *req = arg;
	int err = console_install_stdio();

	if (!err)
		err = kernel_execve(req->path, req->argv, req->envp);
	req->err = err;
	complete(&req->loaded); /* req lives on the spawner's stack: not touched after this */
	return err;
}

int process_spawn(const char *path, const char *const argv[], const char *const envp[])
{
	struct spawn_request req = {.path = path, .argv = argv, .envp = envp};
	const char *name = strrchr(path, '/');
	int pid;

	init_completion(&req.loaded);
	pid = user_mode_thread(spawn_main, &req, name ? name + 1 : path);
	if (pid < 0)
		return pid;
	wait_for_completion(&req.loaded);
	if (req.err) {
		kernel_wait(pid, NULL);
		return req.err;
	}
	return pid;
}
