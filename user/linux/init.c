/*
 * Our init for Debian's Linux kernel (docs/linux.md): the first program of the initramfs that
 * `make linux` builds, so the user programs teachos runs can run on Linux in the same QEMU.
 *
 * It does, as pid 1, what teachos does before its shell:
 *   1. mounts proc on /proc, sysfs on /sys, devtmpfs on /dev, and opens /dev/console as
 *      standard input, output and error (Linux starts init with them closed when the
 *      initramfs has no /dev/console);
 *   2. loads the modules listed in /lib/modules/load (virtio, virtio_blk, ext4 and what they
 *      depend on, in order), with finit_module(2), and waits for /dev/vda to appear;
 *   3. runs the list given by utest= on the kernel command line, which Linux hands to init as
 *      an environment variable: entries separated by commas, each a path and its arguments
 *      separated by spaces, framed exactly as teachos's kernel/utest.c frames them
 *
 *	utest: begin /bin/tests/proc_test
 *	...the program's output...
 *	utest: end /bin/tests/proc_test status 0
 *
 *      so that tests/utap.py judges both kernels' logs the same way;
 *   4. syncs and powers the machine off (QEMU exits 0).
 *
 * Plain C against libc, built static with musl; it runs on Linux only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ENTRY_MAX 192
#define ARGS_MAX  16
#define DISK	  "/dev/vda"

static char *const child_envp[] = {"PATH=/bin", "HOME=/", "TEACHOS_UTEST=1", NULL};

/* A line of init's own on the console, prefixed "init: ". */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("init: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static void mount_or_say(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) < 0)
		say("mount %s: %s", dir, strerror(errno));
}

/* Step 1: the file systems every program expects, and the console as fds 0, 1 and 2. */
static void early_mounts(void)
{
	int fd;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	mount_or_say("proc", "/proc", "proc");
	mount_or_say("sysfs", "/sys", "sysfs");
	mkdir("/tmp", 01777);
	mkdir("/mnt", 0755);
}

/* Step 2: one module, by finit_module(2) (no module tools in this initramfs). */
static void load_module(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/lib/modules/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("%s: %s", path, strerror(errno));
		return;
	}
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		say("loading %s: %s", name, strerror(errno));
	close(fd);
}

static void load_modules(void)
{
	char name[64];
	FILE *f = fopen("/lib/modules/load", "r");

	if (!f) {
		say("/lib/modules/load: %s", strerror(errno));
		return;
	}
	while (fscanf(f, "%63s", name) == 1)
		load_module(name);
	fclose(f);
}

/* The disk's node appears when devtmpfs hears of virtio_blk's probe: wait up to 5 s. */
static void wait_for_disk(void)
{
	struct timespec tick = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 500; i++) {
		if (access(DISK, F_OK) == 0)
			return;
		nanosleep(&tick, NULL);
	}
	say("%s did not appear (no disk attached?)", DISK);
}

/* Splits an entry in place at its spaces into argv; returns argc, or -1 for too many words. */
static int split_args(char *entry, char *argv[ARGS_MAX])
{
	int argc = 0;

	for (char *p = strtok(entry, " "); p; p = strtok(NULL, " ")) {
		if (argc == ARGS_MAX - 1)
			return -1;
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	return argc;
}

/* Waits for pid, reaping any orphan that pid 1 inherits on the way: its wait status. */
static int wait_for(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = wait(&status);
	while (got != pid && (got >= 0 || errno == EINTR));
	return got == pid ? status : -1;
}

/* Step 3, one entry: 0 when the program exited 0. */
static int run_one(const char *entry)
{
	char words[ENTRY_MAX];
	char *argv[ARGS_MAX];
	int argc, status;
	pid_t pid;

	printf("utest: begin %s\n", entry);
	fflush(stdout);
	snprintf(words, sizeof(words), "%s", entry);
	argc = split_args(words, argv);
	if (argc <= 0) {
		printf("utest: end %s error %s\n", entry, argc ? "E2BIG" : "ENOENT");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, child_envp);
		/* teachos reports a program that cannot start as an error, not as a status. */
		_exit(127);
	}
	status = pid < 0 ? -1 : wait_for(pid);
	if (status == 127 << 8 && access(argv[0], X_OK) < 0)
		printf("utest: end %s error %s\n", entry, errno == ENOENT ? "ENOENT" : "EACCES");
	else
		printf("utest: end %s status %d\n", entry, status);
	fflush(stdout);
	return status != 0;
}

static void run_list(const char *list)
{
	unsigned int n = 0, bad = 0;

	while (*list) {
		char entry[ENTRY_MAX];
		size_t len = strcspn(list, ",");

		if (len >= sizeof(entry)) {
			printf("utest: entry %.40s... longer than %d bytes, not run\n", list,
			       ENTRY_MAX - 1);
			n++, bad++;
		} else if (len) {
			memcpy(entry, list, len);
			entry[len] = '\0';
			n++;
			bad += run_one(entry);
		}
		list += len + (list[len] == ',');
	}
	printf("utest: %u programs, %u exited 0, %u did not\n", n, n - bad, bad);
	fflush(stdout);
}

int main(void)
{
	const char *list = getenv("utest");

	early_mounts();
	load_modules();
	wait_for_disk();
	if (list)
		run_list(list);
	else
		say("no utest= on the command line: nothing to run");
	sync();
	reboot(RB_POWER_OFF);
	say("reboot: %s", strerror(errno));
	return 1;
}
