/*
 * Sleeping reader-writer locks (kernel/locking/rwsem.h).
 *
 * The whole state is one word, s->count, changed only by atomic instructions:
 *
 *	RWSEM_WRITER	a writer holds it
 *	RWSEM_WAITERS	somebody waits for it (a writer queued, or a thread asleep)
 *	n * RWSEM_READER	n readers hold it
 *
 * The fast paths are one compare-and-exchange each, and only while RWSEM_WAITERS is clear: a
 * reader takes the lock by adding a reader to a word with no writer, and drops it by taking
 * its reader away; a writer takes 0 to RWSEM_WRITER and back. That is a page fault's whole
 * cost for mmap_lock when nobody else wants it (Linux's rwsem works on the same idea).
 *
 * Everything else goes through s->lock, which keeps writers_waiting and sleepers and sets or
 * clears RWSEM_WAITERS to match (set while either is non-zero). Since the flag lives in the
 * word the fast paths exchange, a fast path either ran entirely before the flag was set, and a
 * waiter then sees what it left, or its exchange fails and it takes the slow path. So each
 * release that could let a sleeper in happens under s->lock while the sleeper is counted, and
 * wakes it: no wakeup is lost. A waiting writer keeps new readers out (they see the flag).
 *
 * Locks: s->lock is taken alone; wake_up (the wait queue's lock, then a run queue lock) runs
 * after it is dropped. s->lock leaves interrupts on: no interrupt handler takes an rwsem.
 */
#include "kernel/locking/rwsem.h"
#include "kernel/sched/sched.h"
#include "kernel/panic.h"

#define RWSEM_WRITER  1L
#define RWSEM_WAITERS 2L
#define RWSEM_READER  (1L << 8)

/* Makes s free, with nobody waiting; name shows in the panics and lock statistics. */
void init_rwsem(struct rw_semaphore *s, const char *name)
{
	s->count = 0;
	spin_lock_init(&s->lock, name);
	s->writers_waiting = 0;
	s->sleepers = 0;
	s->contended = 0;
	s->writer = NULL;
	init_waitqueue_head(&s->wait, name);
	s->name = name;
}

static long readers(long c)
{
	return c / RWSEM_READER;
}

/* Acquire: pairs with the releases in up_read() and up_write(): what the last holders did
   inside the lock is visible to the new one. */
static bool cmpxchg_count(struct rw_semaphore *s, long old, long new)
{
	return __atomic_compare_exchange_n(&s->count, &old, new, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * s->lock held: RWSEM_WAITERS says whether anybody waits. The flag lives in the word that the
 * fast paths of up_read() and up_write() compare-and-exchange, so the two are ordered on that
 * one word: either the unlock sees the flag and takes the slow path, which wakes, or the unlock
 * came first and the sleeper's check in wait_event() reads the count it left. The full barrier
 * (SEQ_CST) keeps that check after the flag; its partner is the releasing cmpxchg in up_read()
 * and up_write().
 */
static void update_waiters_flag(struct rw_semaphore *s)
{
	if (s->writers_waiting || s->sleepers)
		__atomic_fetch_or(&s->count, RWSEM_WAITERS, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&s->count, ~RWSEM_WAITERS, __ATOMIC_SEQ_CST);
}

static void check_not_writer(struct rw_semaphore *s)
{
	if (READ_ONCE(s->writer) == current)
		panic("rwsem %s: thread %s takes it again while it holds it for writing", s->name,
		      current->name);
}

/* s->lock held: a failed attempt counts the caller as a sleeper; it calls woke() after. */
static bool failed_attempt(struct rw_semaphore *s)
{
	s->sleepers++;
	s->contended++;
	update_waiters_flag(s);
	return false;
}

/*
 * s->lock held. The reader is added by compare-and-exchange, not by a plain add after the
 * check: with RWSEM_WAITERS clear (a reader can get here after merely losing a race on the
 * fast path), a writer's fast path may take the lock between the check and the add.
 */
static bool try_read_locked(struct rw_semaphore *s)
{
	long c = READ_ONCE(s->count);

	/* Acquire, as cmpxchg_count(): pairs with the release in up_write(). */
	while (!(c & RWSEM_WRITER) && !s->writers_waiting)
		if (__atomic_compare_exchange_n(&s->count, &c, c + RWSEM_READER, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return failed_attempt(s);
}

static bool try_write_locked(struct rw_semaphore *s)
{
	long c = READ_ONCE(s->count);

	if (!(c & ~RWSEM_WAITERS) && cmpxchg_count(s, c, c | RWSEM_WRITER)) {
		s->writers_waiting--;
		update_waiters_flag(s);
		return true;
	}
	return failed_attempt(s);
}

static void woke(struct rw_semaphore *s)
{
	spin_lock(&s->lock);
	s->sleepers--;
	update_waiters_flag(s);
	spin_unlock(&s->lock);
}

static bool reader_may_enter(struct rw_semaphore *s)
{
	return !(READ_ONCE(s->count) & RWSEM_WRITER) && !READ_ONCE(s->writers_waiting);
}

static bool writer_may_enter(struct rw_semaphore *s)
{
	return !(READ_ONCE(s->count) & ~RWSEM_WAITERS);
}

/*
 * Takes the read side of s, sleeping while a writer holds it or waits for it. Thread context,
 * preemption enabled, no spinlock held (may sleep). Panics if the caller holds the write
 * side; must not be called by a thread that already reads s (a writer waiting between the two
 * would deadlock).
 */
void down_read(struct rw_semaphore *s)
{
	long c = READ_ONCE(s->count);
	bool got;

	might_sleep();
	check_not_writer(s);
	if (!(c & (RWSEM_WRITER | RWSEM_WAITERS)) && cmpxchg_count(s, c, c + RWSEM_READER))
		return;
	for (;;) {
		spin_lock(&s->lock);
		got = try_read_locked(s);
		spin_unlock(&s->lock);
		if (got)
			return;
		wait_event(s->wait, reader_may_enter(s));
		woke(s);
	}
}

/* Leaves the read side; the last reader out wakes the sleepers. Never sleeps. Panics if s
   has no reader. */
void up_read(struct rw_semaphore *s)
{
	long c = READ_ONCE(s->count);
	unsigned int sleepers;

	if (readers(c) <= 0)
		panic("rwsem %s: up_read by %s, but no reader holds it", s->name, current->name);
	/* Release (here and below): pairs with the acquiring cmpxchg in cmpxchg_count(): our
	   reads inside the lock are done before a writer gets in. The cmpxchg fails once a
	   sleeper set RWSEM_WAITERS: the partner of update_waiters_flag(). */
	if (!(c & RWSEM_WAITERS) &&
	    __atomic_compare_exchange_n(&s->count, &c, c - RWSEM_READER, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return;
	spin_lock(&s->lock);
	c = __atomic_sub_fetch(&s->count, RWSEM_READER, __ATOMIC_RELEASE);
	sleepers = s->sleepers;
	spin_unlock(&s->lock);
	if (readers(c) == 0 && sleepers)
		wake_up(&s->wait);
}

/*
 * Takes the write side of s, alone, sleeping until readers and any writer are gone; new
 * readers wait from the moment it starts waiting. Thread context, preemption enabled, no
 * spinlock held (may sleep). Panics if the caller already holds the write side.
 */
void down_write(struct rw_semaphore *s)
{
	bool got;

	might_sleep();
	check_not_writer(s);
	if (!cmpxchg_count(s, 0, RWSEM_WRITER)) {
		spin_lock(&s->lock);
		s->writers_waiting++; /* from here on new readers wait */
		update_waiters_flag(s);
		spin_unlock(&s->lock);
		for (;;) {
			spin_lock(&s->lock);
			got = try_write_locked(s);
			spin_unlock(&s->lock);
			if (got)
				break;
			wait_event(s->wait, writer_may_enter(s));
			woke(s);
		}
	}
	WRITE_ONCE(s->writer, current);
}

/* Leaves the write side and wakes the sleepers. Never sleeps. Panics unless the caller holds
   the write side. */
void up_write(struct rw_semaphore *s)
{
	unsigned int sleepers;

	if (!(READ_ONCE(s->count) & RWSEM_WRITER) || s->writer != current)
		panic("rwsem %s: up_write by %s, which does not hold it for writing", s->name,
		      current->name);
	WRITE_ONCE(s->writer, NULL);
	/* Release (here and below): pairs with the acquiring cmpxchg in cmpxchg_count() and
	   try_read_locked(): our writes are visible to the next holder. It fails once a sleeper
	   set RWSEM_WAITERS: the partner of update_waiters_flag(). */
	if (__atomic_compare_exchange_n(&s->count, &(long){RWSEM_WRITER}, 0, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	spin_lock(&s->lock);
	__atomic_fetch_and(&s->count, ~RWSEM_WRITER, __ATOMIC_RELEASE);
	sleepers = s->sleepers;
	spin_unlock(&s->lock);
	if (sleepers)
		wake_up(&s->wait);
}

/* True when the caller holds the write side of s: what code that changes mappings asserts. */
bool rwsem_is_write_locked_by_me(struct rw_semaphore *s)
{
	return READ_ONCE(s->writer) == current;
}
