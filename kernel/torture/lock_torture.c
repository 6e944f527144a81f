/*
 * Lock torture (kernel/torture/lock_torture.h).
 *
 * Each run uses exactly one lock of the chosen type: nothing here nests locks.
 */
#include "kernel/torture/lock_torture.h"
#include "kernel/kthread.h"
#include "kernel/locking/spinlock.h"
#include "kernel/locking/rwlock.h"
#include "kernel/locking/mutex.h"
#include "kernel/locking/rwsem.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/console_input.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/string.h"
#include "lib/errno.h"

#define MAX_THREADS 32

/* The lock the self-check must catch: the test and the set are two steps, so two CPUs that
   test at the same time both take it. The pause between them widens the window the way an
   interrupt or a cache miss would on real hardware; without it, under QEMU's TCG a vCPU runs
   both steps in one translated block and the race is rare. */
struct broken_lock {
	volatile int locked;
};

static void broken_lock(struct broken_lock *l)
{
	preempt_disable();
	while (READ_ONCE(l->locked))
		cpu_relax();
	for (int i = 0; i < 100; i++)
		cpu_relax();
	WRITE_ONCE(l->locked, 1);
}

static void broken_unlock(struct broken_lock *l)
{
	WRITE_ONCE(l->locked, 0);
	preempt_enable();
}

/* The state every thread of a run shares. */
static struct lock_torture_state {
	enum lock_torture_type type;
	spinlock_t spin;
	rwlock_t rw;
	struct mutex mutex;
	struct rw_semaphore rwsem;
	struct broken_lock broken;

	volatile int owner; /* thread id + 1 inside the write side, else 0 */
	/* Write sections entered and left, each counted inside the lock: equal whenever no
	   writer is inside, and at the end the number of write acquisitions. */
	volatile uint64_t entered, left;
	atomic_t readers_inside;

	atomic64_t writes, reads, errors;
	volatile bool stop;
} lock_torture_shared;

static const char *const type_names[LOCK_TORTURE_NR_TYPES] = {
	/* clang-format off */
	[LOCK_TORTURE_SPINLOCK] = "spinlock",
	[LOCK_TORTURE_RWLOCK] = "rwlock",
	[LOCK_TORTURE_MUTEX] = "mutex",
	[LOCK_TORTURE_RWSEM] = "rwsem",
	[LOCK_TORTURE_BROKEN] = "broken",
	/* clang-format on */
};

const char *lock_torture_name(enum lock_torture_type type)
{
	return type < LOCK_TORTURE_NR_TYPES ? type_names[type] : "?";
}

int lock_torture_parse(const char *name)
{
	for (int i = 0; i < LOCK_TORTURE_NR_TYPES; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

static void write_lock_any(void)
{
	switch (lock_torture_shared.type) {
	case LOCK_TORTURE_SPINLOCK:
		spin_lock(&lock_torture_shared.spin);
		break;
	case LOCK_TORTURE_RWLOCK:
		write_lock(&lock_torture_shared.rw);
		break;
	case LOCK_TORTURE_MUTEX:
		mutex_lock(&lock_torture_shared.mutex);
		break;
	case LOCK_TORTURE_RWSEM:
		down_write(&lock_torture_shared.rwsem);
		break;
	default:
		broken_lock(&lock_torture_shared.broken);
	}
}

static void write_unlock_any(void)
{
	switch (lock_torture_shared.type) {
	case LOCK_TORTURE_SPINLOCK:
		spin_unlock(&lock_torture_shared.spin);
		break;
	case LOCK_TORTURE_RWLOCK:
		write_unlock(&lock_torture_shared.rw);
		break;
	case LOCK_TORTURE_MUTEX:
		mutex_unlock(&lock_torture_shared.mutex);
		break;
	case LOCK_TORTURE_RWSEM:
		up_write(&lock_torture_shared.rwsem);
		break;
	default:
		broken_unlock(&lock_torture_shared.broken);
	}
}

/* A pseudo-random number per thread (xorshift), for delays and choices. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void delay(uint32_t loops)
{
	for (uint32_t i = 0; i < loops; i++)
		cpu_relax();
}

static void error(void)
{
	atomic64_inc(&lock_torture_shared.errors);
}

static bool sleeping_lock(void)
{
	return lock_torture_shared.type == LOCK_TORTURE_MUTEX ||
	       lock_torture_shared.type == LOCK_TORTURE_RWSEM;
}

static void write_side(int id, uint32_t *rnd)
{
	write_lock_any();
	if (lock_torture_shared.owner != 0 || atomic_read(&lock_torture_shared.readers_inside) != 0)
		error();
	lock_torture_shared.owner = id + 1;
	lock_torture_shared.entered++;
	delay(next_random(rnd) % 64);
	/* A mutex or rwsem holder may sleep: do so now and then, so waiters really queue up. */
	if (sleeping_lock() && next_random(rnd) % 256 == 0)
		msleep(1);
	lock_torture_shared.left++;
	if (lock_torture_shared.owner != id + 1 ||
	    lock_torture_shared.entered != lock_torture_shared.left)
		error();
	lock_torture_shared.owner = 0;
	write_unlock_any();
	atomic64_inc(&lock_torture_shared.writes);
}

static void read_side(uint32_t *rnd)
{
	if (lock_torture_shared.type == LOCK_TORTURE_RWSEM)
		down_read(&lock_torture_shared.rwsem);
	else
		read_lock(&lock_torture_shared.rw);
	atomic_inc(&lock_torture_shared.readers_inside);
	if (lock_torture_shared.owner != 0 ||
	    lock_torture_shared.entered != lock_torture_shared.left)
		error();
	delay(next_random(rnd) % 32);
	if (lock_torture_shared.type == LOCK_TORTURE_RWSEM && next_random(rnd) % 512 == 0)
		msleep(1); /* a reader of an rwsem may sleep too */
	if (lock_torture_shared.owner != 0 ||
	    lock_torture_shared.entered != lock_torture_shared.left)
		error();
	atomic_dec(&lock_torture_shared.readers_inside);
	if (lock_torture_shared.type == LOCK_TORTURE_RWSEM)
		up_read(&lock_torture_shared.rwsem);
	else
		read_unlock(&lock_torture_shared.rw);
	atomic64_inc(&lock_torture_shared.reads);
}

static int torture_thread(void *arg)
{
	int id = (int)(uintptr_t)arg;
	uint32_t rnd = 0x9e3779b9u * (uint32_t)(id + 1);
	unsigned int n = 0;

	while (!READ_ONCE(lock_torture_shared.stop)) {
		/* rwlock, rwsem: three of four threads read. */
		if ((lock_torture_shared.type == LOCK_TORTURE_RWLOCK ||
		     lock_torture_shared.type == LOCK_TORTURE_RWSEM) &&
		    id % 4 != 0)
			read_side(&rnd);
		else
			write_side(id, &rnd);
		/* Outside the lock: let others in, sometimes by sleeping. */
		if (++n % 512 == 0)
			msleep(1);
		else
			delay(next_random(&rnd) % 128);
	}
	return 0;
}

static void reset(enum lock_torture_type type)
{
	memset(&lock_torture_shared, 0, sizeof(lock_torture_shared));
	lock_torture_shared.type = type;
	spin_lock_init(&lock_torture_shared.spin, "torture_spin");
	rwlock_init(&lock_torture_shared.rw, "torture_rw");
	mutex_init(&lock_torture_shared.mutex, "torture_mutex");
	init_rwsem(&lock_torture_shared.rwsem, "torture_rwsem");
}

/* Sleeps ms, a second at a time, printing progress; stops early on Ctrl-C. */
static bool watch(unsigned int ms, bool verbose, uint64_t *ran_ms)
{
	uint64_t t0 = ktime_ns();
	unsigned int slept = 0;

	while (slept < ms) {
		unsigned int step = ms - slept < 100 ? ms - slept : 100;

		msleep(step);
		slept += step;
		if (console_interrupted()) {
			*ran_ms = (ktime_ns() - t0) / 1000000;
			return true;
		}
		if (verbose && slept % 1000 == 0)
			kprintf("torture locks: %s %us: %lld writes, %lld reads, %lld errors\n",
				type_names[lock_torture_shared.type], slept / 1000,
				(long long)atomic64_read(&lock_torture_shared.writes),
				(long long)atomic64_read(&lock_torture_shared.reads),
				(long long)atomic64_read(&lock_torture_shared.errors));
	}
	*ran_ms = (ktime_ns() - t0) / 1000000;
	return false;
}

int lock_torture_run(enum lock_torture_type type, unsigned int threads, unsigned int ms,
		     bool verbose, struct lock_torture_result *res)
{
	struct thread *th[MAX_THREADS];
	unsigned int i;

	if (type >= LOCK_TORTURE_NR_TYPES)
		return -EINVAL;
	if (threads == 0)
		threads = 2 * num_online_cpus() < 4 ? 4 : 2 * num_online_cpus();
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	reset(type);
	for (i = 0; i < threads; i++) {
		th[i] = kthread_run(torture_thread, (void *)(uintptr_t)i, "torture/%u", i);
		if (!th[i])
			break;
	}
	if (i < threads) {
		WRITE_ONCE(lock_torture_shared.stop, true);
		while (i--)
			kthread_stop(th[i]);
		return -ENOMEM;
	}
	memset(res, 0, sizeof(*res));
	res->interrupted = watch(ms, verbose, &res->ms);
	WRITE_ONCE(lock_torture_shared.stop, true);
	for (i = 0; i < threads; i++)
		kthread_stop(th[i]);
	res->threads = threads;
	res->write_acquisitions = (uint64_t)atomic64_read(&lock_torture_shared.writes);
	res->read_acquisitions = (uint64_t)atomic64_read(&lock_torture_shared.reads);
	res->errors = (uint64_t)atomic64_read(&lock_torture_shared.errors);
	if (lock_torture_shared.entered != res->write_acquisitions)
		res->errors++; /* an update lost inside the lock */
	return 0;
}
