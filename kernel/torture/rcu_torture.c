/*
 * RCU torture (kernel/torture/rcu_torture.h).
 *
 * The elements live in a static pool, so "freeing" one only poisons it and puts it back on the
 * free list: a reader that is handed a freed element reads poison, not memory that something
 * else now owns, and the broken type can run without corrupting the kernel.
 *
 * Who touches what: the writer alone publishes elements and owns the aging list (elements
 * retired by synchronize_rcu, aged after each one); a call_rcu chain owns its element until it
 * frees it; readers only read. free_lock is the only lock, and nothing nests in it.
 */
#include "kernel/torture/rcu_torture.h"
#include "kernel/rcu/rcu.h"
#include "kernel/kthread.h"
#include "kernel/locking/spinlock.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/console_input.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/list.h"
#include "lib/string.h"
#include "lib/errno.h"

#define POOL_SIZE    64
#define MAGIC_LIVE   0x4c495645u /* "LIVE" */
#define MAGIC_POISON 0x6b6b6b6bu /* what a freed element holds */
#define LONG_READ_NS 20000	 /* a long read: 20 us inside, so a broken writer gets in */

struct elem {
	struct rcu_head rcu;
	volatile int pipe;	  /* 0 current, 1 removed, +1 per grace period since */
	volatile uint32_t magic;  /* MAGIC_LIVE from publication until freed */
	volatile uint64_t serial; /* new at each publication: a reader sees a reuse */
	struct list_head node;	  /* on the free list or the writer's aging list */
};

/* One reader's counts, on its own cache lines. */
struct reader_stats {
	uint64_t reads, errors;
	uint64_t pipe[RCU_TORTURE_PIPE_LEN + 1];
} __aligned(64);

/* The state every thread of a run shares. */
static struct {
	enum rcu_torture_type type;
	struct elem pool[POOL_SIZE];
	spinlock_t free_lock;
	struct list_head free_list;
	struct elem __rcu *cur; /* the element readers find: rcu_assign_pointer / rcu_dereference */
	struct list_head aging; /* the writer's: retired, waiting for synchronize_rcu()s */
	uint64_t serial;
	atomic_t chains; /* call_rcu chains not yet done */
	atomic64_t updates, by_sync, by_expedited, by_call_rcu, freed, barriers;
	struct reader_stats readers[NR_CPUS];
	volatile bool stop;
	volatile bool draining; /* readers gone: chains free at once */
} rcu_torture;

static const char *const names[RCU_TORTURE_NR_TYPES] = {
	[RCU_TORTURE_RCU] = "rcu",
	[RCU_TORTURE_BROKEN] = "broken",
};

const char *rcu_torture_name(enum rcu_torture_type type)
{
	return type < RCU_TORTURE_NR_TYPES ? names[type] : "?";
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

static struct elem *elem_alloc(void)
{
	struct elem *e = NULL;
	unsigned long flags;

	spin_lock_irqsave(&rcu_torture.free_lock, flags);
	if (!list_empty(&rcu_torture.free_list)) {
		e = list_first_entry(&rcu_torture.free_list, struct elem, node);
		list_del(&e->node);
	}
	spin_unlock_irqrestore(&rcu_torture.free_lock, flags);
	return e;
}

/* Poisons e and returns it to the pool: from now on any reader that holds it is wrong. */
static void elem_free(struct elem *e)
{
	unsigned long flags;

	WRITE_ONCE(e->magic, MAGIC_POISON);
	spin_lock_irqsave(&rcu_torture.free_lock, flags);
	list_add(&e->node, &rcu_torture.free_list);
	spin_unlock_irqrestore(&rcu_torture.free_lock, flags);
	atomic64_inc(&rcu_torture.freed);
}

/* One more grace period has passed over e. Returns true when that made it old enough to free
   (and freed it). */
static bool age(struct elem *e)
{
	int pipe = e->pipe + 1;

	WRITE_ONCE(e->pipe, pipe);
	if (pipe < RCU_TORTURE_PIPE_LEN)
		return false;
	elem_free(e);
	return true;
}

/* A call_rcu chain: each callback runs a grace period after the previous call_rcu. */
static void age_cb(struct rcu_head *h)
{
	struct elem *e = container_of(h, struct elem, rcu);

	if (READ_ONCE(rcu_torture.draining)) {
		elem_free(e);
	} else if (!age(e)) {
		call_rcu(&e->rcu, age_cb);
		return;
	}
	atomic_dec(&rcu_torture.chains);
}

/* After a synchronize_rcu() the writer called once these were all removed. */
static void age_list(void)
{
	struct elem *e, *n;

	list_for_each_entry_safe(e, n, &rcu_torture.aging, node) {
		if (e->pipe + 1 >= RCU_TORTURE_PIPE_LEN)
			list_del(&e->node);
		age(e);
	}
}

/* The writer has just replaced old: wait for grace periods one of three ways, or (broken)
   not at all. */
static void retire(struct elem *old, uint32_t *rnd)
{
	if (rcu_torture.type == RCU_TORTURE_BROKEN) {
		WRITE_ONCE(old->pipe, RCU_TORTURE_PIPE_LEN);
		elem_free(old);
		return;
	}
	switch (next_random(rnd) % 8) { /* mostly call_rcu: it lets the writer go on at once */
	case 0:
		list_add_tail(&old->node, &rcu_torture.aging);
		synchronize_rcu();
		age_list();
		atomic64_inc(&rcu_torture.by_sync);
		break;
	case 1:
		list_add_tail(&old->node, &rcu_torture.aging);
		synchronize_rcu_expedited();
		age_list();
		atomic64_inc(&rcu_torture.by_expedited);
		break;
	default:
		atomic_inc(&rcu_torture.chains);
		call_rcu(&old->rcu, age_cb);
		atomic64_inc(&rcu_torture.by_call_rcu);
	}
}

static int writer(void *arg)
{
	uint32_t rnd = 0x2545f491u;
	unsigned int n = 0;

	(void)arg;
	while (!READ_ONCE(rcu_torture.stop)) {
		struct elem *e = elem_alloc(), *old;

		if (!e) { /* every element is waiting for grace periods: let some pass */
			synchronize_rcu();
			age_list();
			msleep(1);
			continue;
		}
		WRITE_ONCE(e->pipe, 0);
		WRITE_ONCE(e->serial, ++rcu_torture.serial);
		WRITE_ONCE(e->magic, MAGIC_LIVE);
		/* This thread is the only updater: nothing changes cur under it. */
		old = rcu_dereference_protected(rcu_torture.cur, true);
		rcu_assign_pointer(rcu_torture.cur, e); /* e's fields are visible before e is */
		atomic64_inc(&rcu_torture.updates);
		if (old) {
			WRITE_ONCE(old->pipe, 1);
			retire(old, &rnd);
		}
		/* A broken writer goes nearly flat out; a real one lets readers and callbacks run. */
		n++;
		if (rcu_torture.type == RCU_TORTURE_BROKEN) {
			if (n % 64 == 0)
				yield();
		} else if (n % 16 == 0) {
			msleep(1);
		} else {
			delay(next_random(&rnd) % 256);
		}
	}
	return 0;
}

/* Calls the grace-period primitives with no element involved, overlapping the writer's. */
static int fake_writer(void *arg)
{
	uint32_t rnd = 0x9e3779b9u;

	(void)arg;
	while (!READ_ONCE(rcu_torture.stop)) {
		msleep(1 + next_random(&rnd) % 10);
		switch (next_random(&rnd) % 4) {
		case 0:
			synchronize_rcu();
			break;
		case 1:
			synchronize_rcu_expedited();
			break;
		default:
			rcu_barrier();
			atomic64_inc(&rcu_torture.barriers);
		}
	}
	return 0;
}

/* One read-side section: find the current element, look at it twice with a delay between,
   and count what was seen. */
static void read_once(struct reader_stats *rs, uint32_t *rnd)
{
	uint32_t r = next_random(rnd);
	struct elem *p;
	uint64_t serial;
	int pipe, pipe2;
	bool bad;

	rcu_read_lock();
	p = rcu_dereference(rcu_torture.cur);
	if (!p) {
		rcu_read_unlock();
		return;
	}
	serial = READ_ONCE(p->serial);
	pipe = READ_ONCE(p->pipe);
	bad = READ_ONCE(p->magic) != MAGIC_LIVE;
	if (r % 16 == 0) { /* now and then a long stay: TCG runs short ones in one go */
		uint64_t end = ktime_ns() + LONG_READ_NS;
		while (ktime_ns() < end)
			cpu_relax();
	} else {
		delay(r % 128);
	}
	pipe2 = READ_ONCE(p->pipe);
	bad |= READ_ONCE(p->magic) != MAGIC_LIVE || READ_ONCE(p->serial) != serial;
	rcu_read_unlock();

	if (pipe2 > pipe)
		pipe = pipe2;
	if (pipe > RCU_TORTURE_PIPE_LEN)
		pipe = RCU_TORTURE_PIPE_LEN;
	rs->pipe[pipe]++;
	rs->reads++;
	if (pipe >= 2 || bad)
		rs->errors++;
}

static int reader(void *arg)
{
	struct reader_stats *rs = arg;
	uint32_t rnd = 0x6c078965u * (uint32_t)(rs - rcu_torture.readers + 1);
	unsigned int n = 0;

	while (!READ_ONCE(rcu_torture.stop)) {
		read_once(rs, &rnd);
		/* Between sections: a switch now and then (a quiescent state even when nothing
		   else waits), else a short pause where ticks can find the CPU quiescent. */
		if (++n % 64 == 0)
			yield();
		else
			delay(next_random(&rnd) % 64);
	}
	return 0;
}

static void reset(enum rcu_torture_type type)
{
	memset(&rcu_torture, 0, sizeof(rcu_torture));
	rcu_torture.type = type;
	spin_lock_init(&rcu_torture.free_lock, "rcu_torture");
	INIT_LIST_HEAD(&rcu_torture.free_list);
	INIT_LIST_HEAD(&rcu_torture.aging);
	for (int i = 0; i < POOL_SIZE; i++) {
		rcu_torture.pool[i].magic = MAGIC_POISON;
		list_add_tail(&rcu_torture.pool[i].node, &rcu_torture.free_list);
	}
}

static void sum(struct rcu_torture_result *res, unsigned int readers)
{
	res->reads = res->errors = 0;
	memset(res->pipe, 0, sizeof(res->pipe));
	for (unsigned int i = 0; i < readers; i++) {
		const struct reader_stats *rs = &rcu_torture.readers[i];

		res->reads += READ_ONCE(rs->reads);
		res->errors += READ_ONCE(rs->errors);
		for (int p = 0; p <= RCU_TORTURE_PIPE_LEN; p++)
			res->pipe[p] += READ_ONCE(rs->pipe[p]);
	}
	res->updates = (uint64_t)atomic64_read(&rcu_torture.updates);
	res->by_sync = (uint64_t)atomic64_read(&rcu_torture.by_sync);
	res->by_expedited = (uint64_t)atomic64_read(&rcu_torture.by_expedited);
	res->by_call_rcu = (uint64_t)atomic64_read(&rcu_torture.by_call_rcu);
	res->freed = (uint64_t)atomic64_read(&rcu_torture.freed);
	res->barriers = (uint64_t)atomic64_read(&rcu_torture.barriers);
}

static void print_progress(struct rcu_torture_result *res, unsigned int seconds)
{
	kprintf("torture rcu: %s %us: %llu reads, %llu updates, %llu grace periods, %llu barriers, "
		"%llu errors; pipe",
		names[rcu_torture.type], seconds, (unsigned long long)res->reads,
		(unsigned long long)res->updates, (unsigned long long)res->grace_periods,
		(unsigned long long)res->barriers, (unsigned long long)res->errors);
	for (int p = 0; p <= RCU_TORTURE_PIPE_LEN; p++)
		kprintf(" %llu", (unsigned long long)res->pipe[p]);
	kprintf("\n");
}

/* Sleeps until ms have passed, 100 ms at a time (by the clock: a loaded machine wakes sleepers
   late), printing statistics each second; stops early on Ctrl-C. */
static bool watch(unsigned int ms, bool verbose, struct rcu_torture_result *res, uint64_t gp0)
{
	uint64_t t0 = ktime_ns(), now;
	unsigned int printed = 0;
	bool stopped = false;

	while ((now = ktime_ns()) - t0 < ms * 1000000ULL) {
		uint64_t left_ms = (ms * 1000000ULL - (now - t0)) / 1000000;

		msleep(left_ms < 100 ? (unsigned int)left_ms + 1 : 100);
		if (console_interrupted()) {
			stopped = true;
			break;
		}
		if (verbose && (ktime_ns() - t0) / 1000000000 > printed) {
			printed = (unsigned int)((ktime_ns() - t0) / 1000000000);
			sum(res, res->readers);
			res->grace_periods = rcu_get_stats().gp_completed - gp0;
			print_progress(res, printed);
		}
	}
	res->ms = (ktime_ns() - t0) / 1000000;
	return stopped;
}

/* Stops every thread; then no reader holds an element, and the call_rcu chains still queued
   free theirs at their next callback. The pool must be idle before the next run resets it. */
static void stop_all(struct thread **th, unsigned int n)
{
	WRITE_ONCE(rcu_torture.stop, true);
	for (unsigned int i = 0; i < n; i++)
		kthread_stop(th[i]);
	WRITE_ONCE(rcu_torture.draining, true);
	while (atomic_read(&rcu_torture.chains) > 0)
		rcu_barrier();
}

int rcu_torture_run(enum rcu_torture_type type, unsigned int ms, bool verbose,
		    struct rcu_torture_result *res)
{
	struct thread *th[NR_CPUS + 2];
	unsigned int n = 0, readers = 0, cpu;
	uint64_t gp0;

	if (type >= RCU_TORTURE_NR_TYPES)
		return -EINVAL;
	reset(type);
	memset(res, 0, sizeof(*res));
	gp0 = rcu_get_stats().gp_completed;
	for_each_cpu(cpu, &cpu_online_mask) {
		th[n] = kthread_create(reader, &rcu_torture.readers[readers], "rcu_reader/%u", cpu);
		if (!th[n])
			goto nomem;
		kthread_bind(th[n], cpu);
		wake_up_new_thread(th[n++]);
		readers++;
	}
	th[n] = kthread_run(writer, NULL, "rcu_writer");
	if (!th[n])
		goto nomem;
	th[++n] = kthread_run(fake_writer, NULL, "rcu_fakewriter");
	if (!th[n])
		goto nomem;
	n++;
	res->readers = readers;
	res->interrupted = watch(ms, verbose, res, gp0);
	stop_all(th, n);
	sum(res, readers);
	res->grace_periods = rcu_get_stats().gp_completed - gp0;
	return 0;
nomem:
	stop_all(th, n);
	return -ENOMEM;
}
