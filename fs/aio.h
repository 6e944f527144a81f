/*
 * Asynchronous I/O contexts: io_setup, io_submit, io_getevents, io_destroy (fs/aio.c; the
 * contracts stand above each definition there). docs/aio.md tells the story.
 *
 * A process (struct mm) owns a short list of contexts, mm->ioctx_list, an RCU hlist:
 * io_setup and io_destroy update it under mm->ioctx_lock, lookup_ioctx() takes no lock.
 */
#ifndef FS_AIO_H
#define FS_AIO_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "fs/aio_ring.h"
#include "kernel/percpu.h"
#include "kernel/rcu/rcu.h"
#include "kernel/sched/wait.h"
#include "lib/atomic.h"
#include "lib/list.h"

struct mm;

typedef uint64_t aio_context_t; /* a context's id; ids are never reused, 0 is none */

#define AIO_MAX_EVENTS	   1024			 /* nr_events of one context at most */
#define AIO_MAX_NR_DEFAULT 65536		 /* aio_max_nr at boot, as Linux's default */
#define KIOCTX_MAGIC	   0x6b696f6374786f6bULL /* "koixtcok": a live context */
#define AIO_WAIT_FOREVER   (-1L)		 /* io_getevents timeout: no limit */

/* Opcodes, with Linux's values. */
enum {
	IOCB_CMD_PREAD = 0,
	IOCB_CMD_PWRITE = 1,
	IOCB_CMD_FSYNC = 2,
	IOCB_CMD_FDSYNC = 3,
	IOCB_CMD_NOOP = 6,
};

/* One request, as Linux's struct iocb; the buffer is a kernel address (no user mode). */
struct iocb {
	uint64_t aio_data; /* returned in the event */
	uint16_t aio_lio_opcode;
	int aio_fildes; /* a descriptor of the submitting thread; NOOP ignores it */
	void *aio_buf;
	uint64_t aio_nbytes;
	int64_t aio_offset;
};

/*
 * A request as the io_submit system call receives it: Linux's uapi struct iocb on x86_64
 * (64 bytes; aio_key comes before aio_rw_flags on a little-endian CPU). fs/aio_syscalls.c
 * turns it into the struct iocb above.
 */
struct user_iocb {
	uint64_t aio_data;
	uint32_t aio_key; /* the kernel writes 0 here at submission (Linux's KIOCB_KEY) */
	int32_t aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf; /* a user address */
	uint64_t aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags;
	uint32_t aio_resfd;
};

/* What a system call's request adds to its struct iocb (fs/aio_submit.c). */
struct aio_user_io {
	struct mm *mm;	  /* the submitter's address space */
	void __user *buf; /* the request's buffer in it */
	uint64_t obj;	  /* the user's address of its iocb, for the event */
};

struct kioctx {
	/* Read by every walk of the list: set at io_setup, then only dead changes. */
	uint64_t magic; /* KIOCTX_MAGIC; the slab's poison once freed */
	aio_context_t user_id;
	struct hlist_node list; /* in mm->ioctx_list */
	bool dead;		/* set by io_destroy before it unlinks the context */
	uint8_t variant;	/* enum ioctx_variant of its mm at io_setup (fs/aio_variants.c) */
	struct mm *mm;
	unsigned int max_reqs; /* nr_events: its share of aio_nr */

	/* Written by every reference taken or dropped: a cache line of its own, so that lookups
	   walking past this context on other CPUs do not pull the line back and forth. */
	atomic_t users __aligned(64); /* the list's reference + one per user */
	atomic_t reqs_active;	      /* requests submitted whose event is not posted yet */
	struct aio_ring ring;
	struct wait_queue_head wait; /* io_getevents sleepers; woken by events (posted or given
					back) and by destroy */
	struct rcu_head rcu_head;
};

void aio_init(void);
void exit_aio(struct mm *mm);
int io_setup(struct mm *mm, unsigned int nr_events, aio_context_t *ctxp);
int io_destroy(struct mm *mm, aio_context_t ctx);
struct kioctx *lookup_ioctx(struct mm *mm, aio_context_t ctx);
long io_submit(struct mm *mm, aio_context_t ctx, long nr, struct iocb **iocbpp);
long io_getevents(struct mm *mm, aio_context_t ctx, long min_nr, long nr, struct io_event *events,
		  long timeout_ms);
long aio_read_events(struct kioctx *ctx, long min_nr, long nr, struct io_event *events,
		     long timeout_ms);
void aio_events_done(struct kioctx *ctx, const struct io_event *events, long n, bool delivered);

/* Takes another reference; the caller must already hold one. */
static inline void get_ioctx(struct kioctx *ctx)
{
	atomic_inc(&ctx->users);
}
void __put_ioctx(struct kioctx *ctx, int users);
/* Drops a reference; the last one frees the context after a grace period. Any context. */
static inline void put_ioctx(struct kioctx *ctx)
{
	int users = atomic_add_return(-1, &ctx->users);

	if (unlikely(users <= 0))
		__put_ioctx(ctx, users);
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

bool __kioctx_bad(const struct kioctx *ctx);
/* True when ctx is still allocated; panics on a freed one (see kioctx_check's use in aio.c). */
static inline bool kioctx_check(const struct kioctx *ctx)
{
	if (likely(READ_ONCE(ctx->magic) == KIOCTX_MAGIC))
		return true;
	return __kioctx_bad(ctx);
}

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

/* The delay point in lookup_ioctx, between finding the id and checking the context. */
struct delay_point;
extern struct delay_point dp_lookup_ioctx_found;

struct aio_stats {
	uint64_t aio_nr, aio_max_nr;
	uint64_t aio_nr_pending;     /* of aio_nr: events of destroyed contexts not yet freed */
	uint64_t contexts;	     /* on some mm's list: created - destroyed */
	uint64_t created, destroyed; /* io_setup successes, io_destroy (and exit_aio) unlinks */
	uint64_t freed;		     /* contexts freed (after their grace period, or at once) */
	uint64_t freed_at_once;	     /* ... of them at once: the rwlock "before", free-at-once */
	uint64_t lookups, lookup_misses; /* lookup_ioctx and lookup_ioctx_rwlock, all CPUs */
	uint64_t gp_retries;		 /* io_setup waited for pending frees at the limit */
	uint64_t gp_retry_failures;	 /* ... and still failed with -EAGAIN */
	uint64_t destroy_waits;		 /* io_destroy or exit_aio waited for requests in flight */
	uint64_t submitted, completed;	 /* requests */
	uint64_t allocated; /* kioctx objects in the slab: live, or waiting for their free */
};
struct aio_stats aio_get_stats(void);
bool aio_wait_for_frees(unsigned int timeout_ms);
unsigned int kioctx_poison_damage(void);
void aio_set_max_nr(uint64_t max);
void aio_for_each_ctx(void (*fn)(struct mm *mm, struct kioctx *ctx, void *arg), void *arg);

/* fs/aio_submit.c */
int aio_workers_start(void);
int io_submit_one(struct kioctx *ctx, struct iocb *iocb, const struct aio_user_io *user);
unsigned int aio_nr_workers(void);
void aio_submit_stats(uint64_t *submitted, uint64_t *completed);

/* fs/aio_variants.c: the comparison variants, on one mm at a time. */
enum ioctx_variant {
	IOCTX_RCU,	    /* the mechanism; the updates also take the rwlock: both lookups work */
	IOCTX_RWLOCK,	    /* Linux 2.6.28 whole: every lookup under the rwlock, free at once */
	IOCTX_FREE_AT_ONCE, /* broken on purpose: lockless lookups, free without a grace period */
};
void ioctx_variants_attach(struct mm *mm, enum ioctx_variant variant);
void ioctx_variants_detach(struct mm *mm);
extern struct mm *ioctx_variants_mm;
extern struct mm *ioctx_rwlock_mm; /* the attached mm when IOCTX_RWLOCK, else NULL */
void ioctx_variants_read_lock(void);
void ioctx_variants_read_unlock(void);
void ioctx_variant_link(struct mm *mm, struct kioctx *ctx);
void ioctx_variant_unlink(struct mm *mm, struct kioctx *ctx);
void ioctx_free_at_once(struct kioctx *ctx);
void kioctx_cache_free(struct kioctx *ctx);
void aio_free_ctx_now(struct kioctx *ctx, void (*dispose)(struct kioctx *ctx));
struct kioctx *lookup_ioctx_rwlock(struct mm *mm, aio_context_t ctx);
extern struct delay_point dp_lookup_rwlock_found;
bool kioctx_quarantined(uint64_t magic);

/* The quarantine of the broken variant free-at-once (fs/aio_variants.c). */
#define KIOCTX_QUARANTINE_POISON 0x5a /* every byte of a quarantined context but its links */
struct kioctx_quarantine_stats {
	uint64_t held;		   /* contexts in the quarantine */
	uint64_t reached;	   /* walks that stood on one: a lookup read a freed context */
	uint64_t first_reached_ns; /* ktime_ns() of the first such walk; 0 while there is none */
};
struct kioctx_quarantine_stats kioctx_quarantine_get_stats(void);
unsigned long kioctx_quarantine_release(void);

#endif
