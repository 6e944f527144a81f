/*
 * Processes from user space: ids, fork and copy-on-write, wait4's statuses, vfork + execve,
 * execve's errors (among them ENOEXEC for a text file and for a truncated ELF), a fault that
 * ends a child and not its parent, kill, exit_group. Runs on Linux and on teachos; every
 * expectation is what Linux does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "user/tap.h"

static const char *self_dir(const char *argv0)
{
	/* The test programs live in /bin/tests (musl) or /bin/glibc/tests: crash is one up. */
	static char dir[256];
	const char *slash = strrchr(argv0, '/');
	size_t n = slash ? (size_t)(slash - argv0) : 0;

	if (n >= sizeof(dir))
		n = 0;
	memcpy(dir, argv0, n);
	dir[n] = '\0';
	return dir;
}

static int wait_status(pid_t pid, int *status)
{
	pid_t got;

	do
		got = waitpid(pid, status, 0);
	while (got < 0 && errno == EINTR);
	return got == pid;
}

static void test_ids(void)
{
	tap_ok(getpid() > 0, "getpid is positive (%d)", getpid());
	tap_ok(syscall(SYS_gettid) == getpid(), "a single-threaded process: gettid == getpid");
	tap_ok(getppid() >= 0, "getppid answers (%d)", getppid());
}

static void test_fork_cow(void)
{
	static volatile int shared_before = 41;
	int status = -1;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		shared_before = 99; /* a private copy now */
		_exit(shared_before == 99 && getppid() > 0 ? 7 : 1);
	}
	tap_ok(pid > 0, "fork returns the child's pid to the parent");
	int waited = wait_status(pid, &status);

	tap_ok(waited, "waitpid collects that child");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 7, "the child's exit status is 7 (0x%x)",
	       status);
	tap_ok(shared_before == 41, "the child's write did not reach the parent (copy-on-write)");
}

static void test_fault_ends_child(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		volatile int *bad = (volatile int *)(uintptr_t)atoi("16"); /* opaque to gcc */

		*bad = 1;
		_exit(0);
	}
	int waited = wait_status(pid, &status);

	tap_ok(waited && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	       "a child writing to address 16 dies of SIGSEGV, the parent goes on (0x%x)",
	       status);
}

static void test_kill(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	int waited;

	tap_ok(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) returns 0");
	waited = wait_status(pid, &status);
	tap_ok(waited && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	       "the child ended by SIGTERM (0x%x)", status);
	tap_ok(kill(pid, 0) < 0 && errno == ESRCH, "the reaped pid no longer exists: ESRCH");
	tap_ok(kill(getpid(), 0) == 0, "kill(self, 0) checks existence: 0");
}

static void test_wait_errors(void)
{
	int status;

	tap_ok(waitpid(-1, &status, 0) < 0 && errno == ECHILD, "waitpid with no children: ECHILD");
	tap_ok(waitpid(-1, &status, 0x12345678) < 0 && errno == EINVAL,
	       "waitpid with unknown options: EINVAL");
}

static void test_wnohang(void)
{
	int status = -1, fds_ok;
	pid_t pid = fork();

	if (pid == 0) {
		usleep(200 * 1000);
		_exit(3);
	}
	fds_ok = waitpid(pid, &status, WNOHANG) == 0;
	tap_ok(fds_ok, "WNOHANG on a child still running returns 0");
	tap_ok(wait_status(pid, &status) && WEXITSTATUS(status) == 3,
	       "then a blocking waitpid gets its status 3");
}

static void test_vfork_exec(const char *dir)
{
	char path[300];
	int status = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/../crash", dir);
	pid = vfork();
	if (pid == 0) {
		char *const argv[] = { "crash", "exit", "5", NULL };
		execve(path, argv, (char *const[]){ NULL });
		_exit(127);
	}
	int waited = pid > 0 && wait_status(pid, &status);

	tap_ok(waited && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	       "vfork + execve %s exit 5: status 5 (0x%x)", path, status);
}

static void test_exec_errors(void)
{
	char *const argv[] = { "x", NULL };

	tap_ok(execve("/no/such/program", argv, NULL) < 0 && errno == ENOENT,
	       "execve of a missing file: ENOENT");
	tap_ok(execve("/bin", argv, NULL) < 0 && errno == EACCES, "execve of a directory: EACCES");
	const char *bad = (const char *)(uintptr_t)atoi("8");

	tap_ok(execve(bad, argv, NULL) < 0 && errno == EFAULT,
	       "execve with a bad path pointer: EFAULT");
}

/* Writes len bytes of data to path, mode 0755 (executable: what execve checks first). */
static int write_program(const char *path, const void *data, size_t len)
{
	int fd, ok;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return 0;
	ok = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

/* An executable file that is not a program, and a program cut short: both ENOEXEC. (A
   dynamically linked program is ENOEXEC on teachos, which has no loader, and runs on Linux:
   no check here.) */
static void test_exec_noexec(const char *self)
{
	static const char text[] = "this is not a program\n";
	char *const argv[] = { "x", NULL };
	char head[200];
	int fd, made;
	ssize_t n;

	made = write_program("/tmp/proc_test_text", text, sizeof(text) - 1);
	tap_ok(made && execve("/tmp/proc_test_text", argv, NULL) < 0 && errno == ENOEXEC,
	       "execve of an executable text file: ENOEXEC");
	unlink("/tmp/proc_test_text");

	fd = open(self, O_RDONLY);
	n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;
	if (fd >= 0)
		close(fd);
	made = n == (ssize_t)sizeof(head) && !memcmp(head, "\177ELF", 4) &&
	       write_program("/tmp/proc_test_cut", head, sizeof(head));
	tap_ok(made && execve("/tmp/proc_test_cut", argv, NULL) < 0 && errno == ENOEXEC,
	       "execve of the first 200 bytes of %s: ENOEXEC", self);
	unlink("/tmp/proc_test_cut");
}

static void test_exit_group_status(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		syscall(SYS_exit_group, 42);
	int waited = wait_status(pid, &status);

	tap_ok(waited && WIFEXITED(status) && WEXITSTATUS(status) == 42,
	       "exit_group(42): status 42 (0x%x)", status);
}

int main(int argc, char **argv)
{
	(void)argc;
	tap_plan(23);
	test_ids();
	test_fork_cow();
	test_fault_ends_child();
	test_kill();
	test_wait_errors();
	test_wnohang();
	test_vfork_exec(self_dir(argv[0]));
	test_exec_errors();
	test_exec_noexec(argv[0]);
	test_exit_group_status();
	return tap_done();
}
