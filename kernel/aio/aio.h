/*
 * Asynchronous I/O contexts (seed 5: a lockless lookup of the aio context list).
 *
 * An address-space owner has a short list of aio contexts (struct kioctx). io_setup() makes a
 * context with a completion ring and returns its id; io_submit() queues reads and writes
 * against it, which worker threads run, posting one io_event each into the ring;
 * io_getevents() waits for those events; io_destroy() ends the context. Every one of these
 * calls starts by turning an id into a context, lookup_ioctx(), so lookups outnumber updates by
 * far, and usually the list holds one context.
 *
 * The list is an RCU hlist. Updates (io_setup, io_destroy) take the owner's ioctx_lock, a
 * spinlock; lookups take no lock at all:
 *
 *	lookup_ioctx:				io_destroy:
 *	rcu_read_lock();			spin_lock(&mm->ioctx_lock);
 *	walk the list;				ctx->dead = true;
 *	if (id matches && !dead &&		hlist_del_rcu(&ctx->list);
 *	    users was not 0: users++)		spin_unlock(&mm->ioctx_lock);
 *		found;				put_ioctx(ctx);   the list's reference
 *	rcu_read_unlock();			  last put: call_rcu(free after a grace period)
 *
 * The invariant: a lookup never returns or touches a freed context. A walker may stand on a
 * context io_destroy just unlinked, and even on one whose last reference is gone; the context
 * is freed only after a grace period, when no walker can still be there. A reference that
 * reached 0 is never revived: the lookup's increment only happens from a value above 0, so a
 * context on its way to the free is skipped, never handed out again.
 *
 * The seed's "before" is kept for comparison: lookup_ioctx_rwlock() walks the same list under
 * the owner's reader-writer lock, which the updaters also take (kernel/aio/aio_rwlock.c).
 *
 * Broken on purpose, for torture aio's self-check: an owner with free_at_once set frees its
 * contexts at the last put, without the grace period. The freed contexts go to a quarantine
 * (poisoned, never reused while it holds them), so the lookups that then reach one are counted
 * instead of panicking, and the kernel survives the run (kioctx_quarantine_get_stats()).
 *
 * A system-wide limit: the events of all contexts together, aio_nr, may not pass aio_max_nr.
 * A context gives its share back only when it is freed, after its grace period; so when
 * io_setup would pass the limit it first waits for the pending frees (rcu_barrier) and tries
 * once more, then fails with -EAGAIN.
 *
 * Errors: -EINVAL for an unknown or destroyed id (and bad counts to io_submit/io_getevents),
 * -ERANGE for nr_events 0 or above AIO_MAX_EVENTS, -EAGAIN at the aio_max_nr limit and for a
 * full ring, -EOPNOTSUPP for an opcode other than NOOP, PREAD and PWRITE, -EBADF for an object
 * without the read or write operation asked for, -ENOMEM when memory runs out.
 *
 * Lock order: mm->ioctx_lock, then mm->ioctx_rwlock (written only inside ioctx_lock). Other
 * locks here (aio_nr_lock, the owners list, a ring's lock, the request queue) are taken alone.
 * docs/aio.md shows how to watch all this: the `aio` command, `torture aio`, `bench ioctx`.
 */
#ifndef KERNEL_AIO_AIO_H
#define KERNEL_AIO_AIO_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kernel/aio/aio_ring.h"
#include "kernel/percpu.h"
#include "kernel/rcu/rcu.h"
#include "kernel/locking/rwlock.h"
#include "kernel/locking/spinlock.h"
#include "kernel/sched/wait.h"
#include "lib/atomic.h"
#include "lib/list.h"

typedef uint64_t aio_context_t; /* a context's id; ids are never reused, 0 is none */

#define AIO_MAX_EVENTS	   1024			 /* nr_events of one context at most */
#define AIO_MAX_NR_DEFAULT 65536		 /* aio_max_nr at boot, as Linux's default */
#define KIOCTX_MAGIC	   0x6b696f6374786f6bULL /* "koixtcok": a live context */
#define AIO_WAIT_FOREVER   (-1L)		 /* io_getevents timeout: no limit */

/* Every byte of a context in the quarantine of free-at-once, but its links (below). */
#define KIOCTX_QUARANTINE_POISON 0x5a

/*
 * The owner of contexts: in Linux these fields are ioctx_lock and ioctx_list of struct
 * mm_struct, one per process. There is no struct mm yet; the VM issue moves them into it, and
 * until then each user of aio (a test, the shell, the torture) has its own mm_aio.
 */
struct mm_aio {
	spinlock_t ioctx_lock;	      /* updates of ioctx_list */
	struct hlist_head ioctx_list; /* struct kioctx, RCU: lookups take no lock */
	rwlock_t ioctx_rwlock;	      /* the seed's "before": lookup_ioctx_rwlock readers */
	const char *name;	      /* for the `aio` command */
	struct list_head owners;      /* on the list of owners the `aio` command walks */
	/* Broken on purpose, for torture aio's self-check: the contexts set up while this is
	   set are freed without a grace period (kioctx.free_at_once). */
	bool free_at_once;
};

/* The part of Linux's struct file_operations that io_submit uses. The VFS issue gives struct
   file these operations; until then the in-memory test file (kernel/aio/memfile.h) has them. */
struct aio_file;
struct aio_file_operations {
	int64_t (*read)(struct aio_file *f, void *buf, size_t len, int64_t pos);
	int64_t (*write)(struct aio_file *f, const void *buf, size_t len, int64_t pos);
	/* Optional: io_submit pins the object while a request on it is queued or running
	   (an open file of fs/, which fs/aio_file.c wraps), the worker unpins it after. */
	void (*get)(struct aio_file *f);
	void (*put)(struct aio_file *f);
};

struct aio_file {
	const struct aio_file_operations *f_op;
};

/* Opcodes, with Linux's values. */
enum {
	IOCB_CMD_PREAD = 0,
	IOCB_CMD_PWRITE = 1,
	IOCB_CMD_NOOP = 6,
};

/* One request, as Linux's struct iocb, with the object itself in place of a file descriptor. */
struct iocb {
	uint64_t aio_data; /* returned in the event */
	uint16_t aio_lio_opcode;
	struct aio_file *aio_filp; /* NULL is fine for NOOP */
	void *aio_buf;
	uint64_t aio_nbytes;
	int64_t aio_offset;
};

struct kioctx {
	/* Read by every walk of the list: set at io_setup, then only dead changes. */
	uint64_t magic; /* KIOCTX_MAGIC; the slab's poison once freed */
	aio_context_t user_id;
	struct hlist_node list; /* in mm->ioctx_list */
	bool dead;		/* set by io_destroy before it unlinks the context */
	bool free_at_once;	/* the owner's, at io_setup: read only by the last put */
	struct mm_aio *mm;
	unsigned int max_reqs; /* nr_events: its share of aio_nr */

	/* Written by every reference taken or dropped: a cache line of its own, so that lookups
	   on other CPUs walking past this context do not pull the line back and forth. */
	atomic_t users __aligned(64); /* the list's reference + one per user */
	struct aio_ring ring;
	struct wait_queue_head wait; /* io_getevents sleepers; woken by events and by destroy */
	struct rcu_head rcu;
};

/* Sets up an owner with no contexts and lists it for the `aio` command. */
void mm_aio_init(struct mm_aio *mm, const char *name);
/* Destroys every context of mm and unlists it (Linux's exit_aio, when an mm goes away). */
void exit_aio(struct mm_aio *mm);

/* Makes a context with a ring of nr_events slots; *ctxp is its id. Returns 0 or -errno. May
   sleep (waiting for pending frees at the aio_max_nr limit). */
int io_setup(struct mm_aio *mm, unsigned int nr_events, aio_context_t *ctxp);
/* Marks the context dead, unlinks it and drops the list's reference: it is freed after a grace
   period once its last user is gone. Returns 0 or -EINVAL for an unknown id. */
int io_destroy(struct mm_aio *mm, aio_context_t ctx);

/* The live context with this id, with a reference the caller drops with put_ioctx(); NULL if
   there is none. Takes no lock; callable in any context. */
struct kioctx *lookup_ioctx(struct mm_aio *mm, aio_context_t ctx);
/* The same, walking the list under mm->ioctx_rwlock: the seed's "before", for the benchmark. */
struct kioctx *lookup_ioctx_rwlock(struct mm_aio *mm, aio_context_t ctx);
/* Delay points (kernel/delay_point.h) in each lookup, between finding the context and
   checking and referencing it: the window a free without a grace period gets into. */
struct delay_point;
extern struct delay_point dp_lookup_ioctx_found, dp_lookup_rwlock_found;
/* Takes another reference; the caller must already hold one. */
static inline void get_ioctx(struct kioctx *ctx)
{
	atomic_inc(&ctx->users);
}
void __put_ioctx(struct kioctx *ctx, int users);
/* Drops a reference; the last one queues the free after a grace period. Any context. */
static inline void put_ioctx(struct kioctx *ctx)
{
	int users = atomic_add_return(-1, &ctx->users);

	if (unlikely(users <= 0))
		__put_ioctx(ctx, users);
}
bool __kioctx_bad(const struct kioctx *ctx);
/*
 * True when ctx is still allocated (its magic intact); panics when it is not (the slab's
 * poison): every walk of the list checks each context it stands on, so a walk reaching a
 * freed one is caught. The one exception is a context in the quarantine of the broken variant
 * free-at-once: that walk is counted and the check returns false. The quarantine keeps the
 * context's list.next, so the walk may go on past it.
 */
static inline bool kioctx_check(const struct kioctx *ctx)
{
	if (likely(READ_ONCE(ctx->magic) == KIOCTX_MAGIC))
		return true;
	return __kioctx_bad(ctx);
}

/*
 * Queues nr requests. Returns how many were queued; if the first one fails, its error:
 * -EINVAL (unknown id, nr < 0), -EOPNOTSUPP, -EBADF, -EAGAIN (ring full), -ENOMEM.
 */
long io_submit(struct mm_aio *mm, aio_context_t ctx, long nr, struct iocb **iocbpp);
/*
 * Waits until at least min_nr events are there (or timeout_ms passed, or the context was
 * destroyed), then reaps up to nr of them into events. Returns how many, which is below min_nr
 * after a timeout; -EINVAL for an unknown id or 0 <= min_nr <= nr not holding, or when the
 * context was destroyed while the caller waited with nothing reaped. timeout_ms 0 does not
 * wait; AIO_WAIT_FOREVER waits without limit. Sleeps.
 */
long io_getevents(struct mm_aio *mm, aio_context_t ctx, long min_nr, long nr,
		  struct io_event *events, long timeout_ms);

/* kernel/aio/aio_submit.c: the worker threads that run requests (started by the first
   io_submit), and the requests counted there. */
unsigned int aio_nr_workers(void);
void aio_submit_stats(uint64_t *submitted, uint64_t *completed);

struct aio_stats {
	uint64_t aio_nr, aio_max_nr;
	uint64_t contexts;		 /* on some owner's list: created - destroyed */
	uint64_t created, destroyed;	 /* io_setup successes, io_destroy (and exit_aio) unlinks */
	uint64_t freed;			 /* RCU callbacks that freed a context */
	uint64_t lookups, lookup_misses; /* lookup_ioctx and lookup_ioctx_rwlock, all CPUs */
	uint64_t gp_retries;		 /* io_setup waited for pending frees at the limit */
	uint64_t gp_retry_failures;	 /* ... and still failed with -EAGAIN */
	uint64_t submitted, completed;	 /* requests */
	uint64_t allocated; /* kioctx objects in the slab: live, or waiting for their free */
};
struct aio_stats aio_get_stats(void);
/* Waits until every context destroyed so far has been freed (requests in flight hold theirs
   until their event is posted; then the free waits for a grace period). Sleeps; false if that
   took more than timeout_ms. */
bool aio_wait_for_frees(unsigned int timeout_ms);
/* Freed contexts whose slab poison was overwritten since their free: a write after free. */
unsigned int kioctx_poison_damage(void);
/* Sets aio_max_nr (tests and the torture lower it to reach the limit). */
void aio_set_max_nr(uint64_t max);

/*
 * The quarantine of the broken variant free-at-once. A context freed without its grace period
 * may still have walkers on it, so it does not go back to the slab: it is filled with
 * KIOCTX_QUARANTINE_POISON except for list.next (which a walker standing on it still follows,
 * as after hlist_del_rcu) and rcu.next (which chains the quarantine), and kept until
 * kioctx_quarantine_release(). A walk that stands on one reads the poison in its magic:
 * kioctx_check() counts it here instead of panicking.
 */
struct kioctx_quarantine_stats {
	uint64_t held;		   /* contexts in the quarantine */
	uint64_t reached;	   /* walks that stood on one: a lookup read a freed context */
	uint64_t first_reached_ns; /* ktime_ns() of the first such walk; 0 while there is none */
};
struct kioctx_quarantine_stats kioctx_quarantine_get_stats(void);
/*
 * Waits for a grace period (no walk can stand on a quarantined context afterwards, since
 * each was unlinked before it was quarantined), checks every quarantined context's poison,
 * gives them back to the slab and zeroes the counts. Returns the poisoned words that had
 * changed: writes after the free. Sleeps; call it once no new contexts can be quarantined.
 */
unsigned long kioctx_quarantine_release(void);

/*
 * Calls fn(mm, NULL, arg) for every owner, then fn(mm, ctx, arg) for each of its contexts, in
 * a read-side section with the owners' lock held: fn may not sleep. For the `aio` command.
 */
void aio_for_each_ctx(void (*fn)(struct mm_aio *mm, struct kioctx *ctx, void *arg), void *arg);

/* What both lookups share (kernel/aio/aio.c, kernel/aio/aio_rwlock.c). */

/* Lookups counted per CPU: one shared counter would be a cache line every lookup writes. */
struct aio_cpu_stats {
	uint64_t lookups, lookup_misses;
};
DECLARE_PER_CPU(struct aio_cpu_stats, aio_cpu_stats);

/* Counts one lookup; preemption must be off (the counters are this CPU's). */
static inline void aio_count_lookup(bool found)
{
	struct aio_cpu_stats *s = this_cpu_ptr(&aio_cpu_stats);

	s->lookups++;
	if (!found)
		s->lookup_misses++;
}

/* Takes a reference unless users already reached 0 (the context is on its way to the free). */
static inline bool get_ioctx_live(struct kioctx *ctx)
{
	int users = atomic_read(&ctx->users);

	while (users > 0) {
		int seen = atomic_cmpxchg(&ctx->users, users, users + 1);

		if (seen == users)
			return true;
		users = seen;
	}
	return false;
}

#endif
