/*
 * syscall_fuzz: random system calls with random arguments, wild pointers among them, from
 * several threads, for a bounded time. The kernel must survive it and give back everything the
 * fuzzed processes took (the `syscalls` torture checks that: fs/torture/syscall_torture.c).
 *
 *	syscall_fuzz [SECONDS [THREADS [SEED]]]		defaults: 10 s, 4 threads, seed from time
 *
 * The work is done in batches: a child process runs THREADS threads making calls for about a
 * second, then ends; a child that a call killed (a SIGSEGV after munmap of its own code, say)
 * is simply replaced. A child that does not end (a call that sleeps for ever) is killed with
 * SIGKILL after a grace period: that too is counted. Counters live in a shared mapping that
 * the children write and the parent prints at the end.
 *
 * Left out, so that a batch keeps fuzzing: exit, exit_group, execve, fork, vfork, clone and
 * clone3 (a new process or thread per call would only measure fork), and calls that change
 * the machine for the tests that follow in the same boot (mount, umount2, reboot). Standard
 * input, output and error are closed in the children: their writes never reach the console.
 * On Linux it is as dangerous as any fuzzer (kill(-1), unlink of a random path, setuid...):
 * it refuses to start unless SYSCALL_FUZZ=yes is in its environment, which the torture sets.
 * Run it on Linux only inside a throw-away virtual machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16
#define MAX_NR	    451
#define BATCH_NS    1000000000ULL
#define GRACE_NS    500000000ULL
#define MAX_ERRNO   134
#define COUNTS_ADDR 0x3a5c12340000ULL

struct counts {
	uint64_t calls;
	uint64_t ok;
	uint64_t err[MAX_ERRNO + 1];
	uint64_t per_nr[MAX_NR];
};

static struct counts *shared;
static uint64_t seed;
static pid_t parent;		       /* the fuzzer's own process: no call may signal it */
static unsigned char enosys[MAX_NR]; /* numbers that said ENOSYS: tried again 1 time in 16 */
static char *scratch; /* a writable page for the pointer arguments that are valid */
static char *arena;   /* ARENA_PAGES pages the memory calls may unmap, protect, remap */

#define ARENA_PAGES 64

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int skipped(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_execve:
	case SYS_execveat:
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
	case SYS_mount:
	case SYS_umount2:
	case SYS_reboot:
	case SYS_rt_sigreturn:
		return 1;
	default:
		return 0;
	}
}

/* An argument: small numbers, -1, flags-like bits, valid pointers, and wild pointers. */
static uint64_t arg(uint64_t *s)
{
	static const uint64_t wild[] = {
		0,
		1,
		4096,
		0x10000,
		0x7ffffffff000ULL,
		0x7fffffffffffULL,
		0x800000000000ULL,   /* first non-canonical */
		0xffff800000000000ULL, /* the kernel's direct map */
		0xffffffff80100000ULL, /* the kernel image */
		0xfffffffffffff000ULL,
	};
	uint64_t r = next(s);

	switch (r % 8) {
	case 0:
		return r >> 60; /* 0..15: fds, small counts */
	case 1:
		return (uint64_t)-1;
	case 2:
		return wild[(r >> 8) % (sizeof(wild) / sizeof(wild[0]))];
	case 3:
		return (uint64_t)(uintptr_t)(scratch + ((r >> 8) % 4096));
	case 4:
		return 1ULL << ((r >> 8) % 64);
	case 5:
		return (r >> 8) & 0xffff;
	default:
		return r;
	}
}

/*
 * The memory calls aim at the arena, the only place they may change: a random munmap or
 * mprotect anywhere would mostly take the fuzzer's own code, stack or counters away, and the
 * child would die before it fuzzed anything. arch_prctl may read the TLS base but not move it.
 */
static void aim(long nr, uint64_t *a, uint64_t *s)
{
	uint64_t off = (next(s) % ARENA_PAGES) * 4096, len = (next(s) % (ARENA_PAGES + 1)) * 4096;

	if (len > ARENA_PAGES * 4096 - off)
		len = ARENA_PAGES * 4096 - off;
	switch (nr) {
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_madvise:
	case SYS_msync:
	case SYS_mremap:
	case SYS_mlock:
	case SYS_munlock:
	case SYS_mincore:
		a[0] = (uint64_t)(uintptr_t)arena + off;
		a[1] = len;
		break;
	case SYS_mmap:
		if (a[3] & MAP_FIXED) { /* MAP_FIXED replaces what is there: only in the arena */
			a[0] = (uint64_t)(uintptr_t)arena + off;
			a[1] = len;
		}
		break;
	case SYS_arch_prctl:
		a[0] = 0x1003; /* ARCH_GET_FS */
		break;
	case SYS_brk:
		a[0] = 0; /* asks the break: shrinking it would free malloc's memory under us */
		break;
	case SYS_kill:
	case SYS_tkill:
		if ((pid_t)a[0] == parent) /* the batch may end itself, not the fuzzer */
			a[0] = (uint64_t)getpid();
		break;
	case SYS_tgkill:
		if ((pid_t)a[0] == parent || (pid_t)a[1] == parent)
			a[0] = a[1] = (uint64_t)getpid();
		break;
	default:
		break;
	}
}

static void count(long nr, long ret)
{
	__atomic_fetch_add(&shared->calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shared->per_nr[nr], 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		__atomic_fetch_add(&shared->ok, 1, __ATOMIC_RELAXED);
	else if (-ret <= MAX_ERRNO)
		__atomic_fetch_add(&shared->err[-ret], 1, __ATOMIC_RELAXED);
}

static void *fuzz_thread(void *arg0)
{
	uint64_t s = (uint64_t)(uintptr_t)arg0, end = now_ns() + BATCH_NS;

	while (now_ns() < end) {
		long nr = (long)(next(&s) % MAX_NR), ret;
		uint64_t a[6];

		if (skipped(nr) || (enosys[nr] && next(&s) % 16))
			continue;
		for (int i = 0; i < 6; i++)
			a[i] = arg(&s);
		aim(nr, a, &s);
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (ret < 0 && errno == ENOSYS)
			enosys[nr] = 1;
		count(nr, ret < 0 ? -errno : ret);
	}
	return NULL;
}

static void child(int threads, uint64_t batch_seed)
{
	pthread_t th[MAX_THREADS];

	close(0);
	close(1);
	close(2);
	scratch = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, ARENA_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (scratch == MAP_FAILED || arena == MAP_FAILED)
		_exit(3);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, fuzz_thread,
				   (void *)(uintptr_t)(batch_seed * 31 + (uint64_t)i * 7 + 1)))
			threads = i;
	fuzz_thread((void *)(uintptr_t)(batch_seed | 1));
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* Every count no more than the calls, and the parts adding up to at most the whole. */
static int counts_sane(void)
{
	uint64_t sum = shared->ok;

	for (int e = 0; e <= MAX_ERRNO; e++) {
		if (shared->err[e] > shared->calls)
			return 0;
		sum += shared->err[e];
	}
	return shared->ok <= shared->calls && sum <= shared->calls;
}

/* Waits for the child up to the grace period, then kills it: 1 when it had to be killed. */
static int reap(pid_t pid, int *status, uint64_t deadline)
{
	while (now_ns() < deadline) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid)
			return 0;
		usleep(10 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 10;
	int threads = argc > 2 ? atoi(argv[2]) : 4;
	uint64_t end, batches = 0, signalled = 0, killed = 0, sig_count[65] = { 0 };

	if (!getenv("SYSCALL_FUZZ") || strcmp(getenv("SYSCALL_FUZZ"), "yes")) {
		fprintf(stderr, "syscall_fuzz: makes random system calls; set SYSCALL_FUZZ=yes to "
				"confirm (never on a machine you care about)\n");
		return 2;
	}
	seed = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)now_ns();
	if (!seed)
		seed = 1;
	if (threads < 1 || threads > MAX_THREADS || seconds == 0) {
		fprintf(stderr, "usage: syscall_fuzz [SECONDS [THREADS (1-%d) [SEED]]]\n",
			MAX_THREADS);
		return 2;
	}
	/* At an address no argument makes (the first mmap would land on 1 << 44, which the
	   power-of-two arguments hit): a call that writes through a pointer must miss it. */
	shared = mmap((void *)COUNTS_ADDR, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (shared == MAP_FAILED) {
		perror("syscall_fuzz: mmap");
		return 1;
	}
	memset(shared, 0, sizeof(*shared)); /* every page present before the first fork */
	parent = getpid();
	printf("syscall_fuzz: %u s, %d threads per batch, seed %#llx\n", seconds, threads,
	       (unsigned long long)seed);
	fflush(stdout);
	end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	while (now_ns() < end) {
		int status = 0;
		pid_t pid = fork();

		if (pid == 0)
			child(threads, next(&seed));
		if (pid < 0) {
			perror("syscall_fuzz: fork");
			return 1;
		}
		batches++;
		killed += reap(pid, &status, now_ns() + BATCH_NS + GRACE_NS);
		if (WIFSIGNALED(status)) {
			signalled++;
			sig_count[WTERMSIG(status) & 63]++;
		}
	}
	printf("syscall_fuzz: %llu batches; %llu children ended by a signal, %llu needed SIGKILL\n",
	       (unsigned long long)batches, (unsigned long long)signalled,
	       (unsigned long long)killed);
	for (int s = 1; s < 65; s++)
		if (sig_count[s])
			printf("syscall_fuzz: signal %d ended %llu children\n", s,
			       (unsigned long long)sig_count[s]);
	if (!counts_sane()) {
		/* They live in the fuzzer's own memory, where a fuzzed call may write (a read or
		   an aio request into a pointer it found there). */
		printf("syscall_fuzz: the counters were overwritten by a fuzzed call; not shown\n");
		return 0;
	}
	printf("syscall_fuzz: %llu calls, %llu succeeded\n", (unsigned long long)shared->calls,
	       (unsigned long long)shared->ok);
	for (int e = 1; e <= MAX_ERRNO; e++)
		if (shared->err[e])
			printf("syscall_fuzz: %-16s %llu\n", strerror(e),
			       (unsigned long long)shared->err[e]);
	return 0;
}
