/*
 * aio contexts: io_setup, io_destroy, the lockless lookup and the references (kernel/aio/aio.h).
 *
 * A context is born with one reference, the list's. Lookups, submitted requests and
 * io_getevents callers add theirs. io_destroy marks it dead, unlinks it and drops the list's
 * reference; whoever drops the last one queues the free with call_rcu, because a lookup may be
 * walking over the context at that moment: it has read the pointer to it and not yet looked at
 * its id. After a grace period no such walk is left, and the RCU callback frees the ring and
 * the context and gives its events back to aio_nr.
 *
 * The contexts come from their own slab cache, which fills a freed object with its poison
 * (mm/slab.h): a walk that reached a freed context would find its magic gone, and
 * kioctx_check() panics; a write to a freed one panics when the slab hands the object out again.
 *
 * Lock order: mm->ioctx_lock, then mm->ioctx_rwlock. aio_nr_lock and aio_owners_lock are taken
 * with no other lock held, except that aio_for_each_ctx() calls its function (which prints)
 * with aio_owners_lock held.
 */
#include "kernel/aio/aio.h"
#include "kernel/mutex.h"
#include "kernel/sleep.h"
#include "kernel/rculist.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

DEFINE_PER_CPU(struct aio_cpu_stats, aio_cpu_stats);

static struct kmem_cache *kioctx_cachep;
static DEFINE_MUTEX(kioctx_cache_lock);

/* The system-wide limit: events of all contexts not yet freed. */
static DEFINE_SPINLOCK(aio_nr_lock);
static uint64_t aio_nr;
static uint64_t aio_max_nr = AIO_MAX_NR_DEFAULT;

static atomic64_t next_ctx_id;
static atomic64_t nr_created, nr_destroyed, nr_freed, nr_gp_retries, nr_gp_retry_failures;

/* Every owner, for the `aio` command. */
static LIST_HEAD(aio_owners);
static DEFINE_SPINLOCK(aio_owners_lock);

void mm_aio_init(struct mm_aio *mm, const char *name)
{
	spin_lock_init(&mm->ioctx_lock, "ioctx_lock");
	INIT_HLIST_HEAD(&mm->ioctx_list);
	rwlock_init(&mm->ioctx_rwlock, "ioctx_rwlock");
	mm->name = name;
	spin_lock(&aio_owners_lock);
	list_add_tail(&mm->owners, &aio_owners);
	spin_unlock(&aio_owners_lock);
}

/* The cache is made by the first io_setup: there is no init hook for aio in kmain. */
static int kioctx_cache_init(void)
{
	if (likely(smp_load_acquire(&kioctx_cachep)))
		return 0;
	mutex_lock(&kioctx_cache_lock);
	if (!kioctx_cachep)
		smp_store_release(&kioctx_cachep,
				  kmem_cache_create("kioctx", sizeof(struct kioctx), 64));
	mutex_unlock(&kioctx_cache_lock);
	return kioctx_cachep ? 0 : -ENOMEM;
}

__noreturn void __kioctx_bad(const struct kioctx *ctx)
{
	panic("aio: %p is not a live kioctx (magic %#llx): a freed context was reached", ctx,
	      (unsigned long long)ctx->magic);
}

static bool aio_nr_reserve(unsigned int nr)
{
	bool ok;

	spin_lock(&aio_nr_lock);
	ok = aio_nr + nr <= aio_max_nr;
	if (ok)
		aio_nr += nr;
	spin_unlock(&aio_nr_lock);
	return ok;
}

static void aio_nr_release(unsigned int nr)
{
	spin_lock(&aio_nr_lock);
	if (aio_nr < nr)
		panic("aio: aio_nr %llu is below a context's %u events", (unsigned long long)aio_nr,
		      nr);
	aio_nr -= nr;
	spin_unlock(&aio_nr_lock);
}

/*
 * Takes nr events of aio_nr. Destroyed contexts keep their share until their RCU callback
 * frees them, so at the limit the shares may only be waiting for a grace period: wait for
 * those callbacks and try once more. rcu_barrier(), not synchronize_rcu(): the callbacks run in
 * the rcuc threads a little after the grace period ends, and only rcu_barrier() waits for
 * them to have run, so that the retry sees what they gave back.
 */
static int aio_nr_get(unsigned int nr)
{
	if (aio_nr_reserve(nr))
		return 0;
	atomic64_inc(&nr_gp_retries);
	rcu_barrier();
	if (aio_nr_reserve(nr))
		return 0;
	atomic64_inc(&nr_gp_retry_failures);
	return -EAGAIN;
}

static void free_ioctx_rcu(struct rcu_head *head)
{
	struct kioctx *ctx = container_of(head, struct kioctx, rcu);
	unsigned int nr = ctx->max_reqs;

	aio_ring_free(&ctx->ring);
	kmem_cache_free(kioctx_cachep, ctx); /* poisons it: see kioctx_check() */
	aio_nr_release(nr);
	atomic64_inc(&nr_freed);
}

/* put_ioctx dropped the last reference (users 0), or one too many (below 0). */
void __put_ioctx(struct kioctx *ctx, int users)
{
	/* Only io_destroy drops the list's reference, after marking the context dead. */
	if (users < 0 || !READ_ONCE(ctx->dead))
		panic("aio: put_ioctx of context %llu: %d users, %s",
		      (unsigned long long)ctx->user_id, users, ctx->dead ? "dead" : "still listed");
	call_rcu(&ctx->rcu, free_ioctx_rcu);
}

int io_setup(struct mm_aio *mm, unsigned int nr_events, aio_context_t *ctxp)
{
	struct kioctx *ctx;
	aio_context_t id;
	int err;

	if (nr_events == 0 || nr_events > AIO_MAX_EVENTS)
		return -ERANGE;
	err = kioctx_cache_init();
	if (err)
		return err;
	ctx = kmem_cache_zalloc(kioctx_cachep);
	if (!ctx)
		return -ENOMEM;
	err = aio_ring_init(&ctx->ring, nr_events);
	if (err)
		goto free_ctx;
	err = aio_nr_get(nr_events);
	if (err)
		goto free_ring;

	/* Everything a walker reads is set before hlist_add_head_rcu publishes the context. */
	id = (aio_context_t)atomic64_add_return(1, &next_ctx_id);
	ctx->magic = KIOCTX_MAGIC;
	ctx->user_id = id;
	ctx->mm = mm;
	ctx->max_reqs = nr_events;
	atomic_set(&ctx->users, 1); /* the list's */
	init_waitqueue_head(&ctx->wait, "kioctx");

	spin_lock(&mm->ioctx_lock);
	write_lock(&mm->ioctx_rwlock);
	hlist_add_head_rcu(&ctx->list, &mm->ioctx_list);
	write_unlock(&mm->ioctx_rwlock);
	spin_unlock(&mm->ioctx_lock);
	atomic64_inc(&nr_created);
	*ctxp = id;
	return 0;

free_ring:
	aio_ring_free(&ctx->ring);
free_ctx:
	kmem_cache_free(kioctx_cachep, ctx); /* never published: no grace period needed */
	return err;
}

/* Marks ctx dead and takes it off the list. mm->ioctx_lock held. Walkers standing on it may
   still see it, dead or not: they take a reference only while users > 0. */
static void kill_ioctx(struct mm_aio *mm, struct kioctx *ctx)
{
	WRITE_ONCE(ctx->dead, true);
	write_lock(&mm->ioctx_rwlock);
	hlist_del_rcu(&ctx->list);
	write_unlock(&mm->ioctx_rwlock);
}

/* After kill_ioctx, without the lock: sleepers in io_getevents leave, the list's reference goes. */
static void finish_destroy(struct kioctx *ctx)
{
	wake_up(&ctx->wait);
	atomic64_inc(&nr_destroyed);
	put_ioctx(ctx);
}

int io_destroy(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	spin_lock(&mm->ioctx_lock);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		if (ctx->user_id == id) {
			found = ctx;
			kill_ioctx(mm, ctx);
			break;
		}
	}
	spin_unlock(&mm->ioctx_lock);
	if (!found)
		return -EINVAL;
	finish_destroy(found);
	return 0;
}

void exit_aio(struct mm_aio *mm)
{
	struct kioctx *ctx;

	for (;;) {
		spin_lock(&mm->ioctx_lock);
		ctx = hlist_entry_safe(mm->ioctx_list.first, struct kioctx, list);
		if (ctx)
			kill_ioctx(mm, ctx);
		spin_unlock(&mm->ioctx_lock);
		if (!ctx)
			break;
		finish_destroy(ctx);
	}
	spin_lock(&aio_owners_lock);
	list_del(&mm->owners);
	spin_unlock(&aio_owners_lock);
}

struct kioctx *lookup_ioctx(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ctx, &mm->ioctx_list, list) {
		kioctx_check(ctx);
		if (ctx->user_id != id)
			continue;
		if (!READ_ONCE(ctx->dead) && get_ioctx_live(ctx))
			found = ctx;
		break; /* ids are unique: no other context can match */
	}
	aio_count_lookup(found);
	rcu_read_unlock();
	return found;
}

void aio_for_each_ctx(void (*fn)(struct mm_aio *mm, struct kioctx *ctx, void *arg), void *arg)
{
	struct mm_aio *mm;
	struct kioctx *ctx;

	spin_lock(&aio_owners_lock);
	list_for_each_entry(mm, &aio_owners, owners) {
		fn(mm, NULL, arg);
		rcu_read_lock();
		hlist_for_each_entry_rcu(ctx, &mm->ioctx_list, list) {
			kioctx_check(ctx);
			fn(mm, ctx, arg);
		}
		rcu_read_unlock();
	}
	spin_unlock(&aio_owners_lock);
}

void aio_set_max_nr(uint64_t max)
{
	spin_lock(&aio_nr_lock);
	aio_max_nr = max;
	spin_unlock(&aio_nr_lock);
}

bool aio_wait_for_frees(unsigned int timeout_ms)
{
	for (unsigned int waited = 0;; waited += 10) {
		struct aio_stats s;

		rcu_barrier();
		s = aio_get_stats();
		if (s.freed == s.destroyed)
			return true;
		if (waited >= timeout_ms)
			return false;
		msleep(10);
	}
}

struct aio_stats aio_get_stats(void)
{
	struct aio_stats s;
	unsigned int cpu;

	memset(&s, 0, sizeof(s));
	spin_lock(&aio_nr_lock);
	s.aio_nr = aio_nr;
	s.aio_max_nr = aio_max_nr;
	spin_unlock(&aio_nr_lock);
	/* destroyed first: a context counted there was counted in created before. */
	s.destroyed = (uint64_t)atomic64_read(&nr_destroyed);
	s.created = (uint64_t)atomic64_read(&nr_created);
	s.contexts = s.created - s.destroyed;
	s.freed = (uint64_t)atomic64_read(&nr_freed);
	s.gp_retries = (uint64_t)atomic64_read(&nr_gp_retries);
	s.gp_retry_failures = (uint64_t)atomic64_read(&nr_gp_retry_failures);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		s.lookups += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookups);
		s.lookup_misses += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookup_misses);
	}
	aio_submit_stats(&s.submitted, &s.completed);
	s.allocated = kioctx_cachep ? READ_ONCE(kioctx_cachep->in_use) : 0;
	return s;
}

unsigned int kioctx_poison_damage(void)
{
	return kioctx_cachep ? kmem_cache_check(kioctx_cachep) : 0;
}
