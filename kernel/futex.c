/*
 * Futexes (kernel/futex.h): FUTEX_WAIT and FUTEX_WAKE, private, keyed by (mm, address).
 *
 * Waiters hang in one of FUTEX_BUCKETS hashed lists, each with its spinlock. No wakeup is lost:
 * the waiter reads the user word and queues itself under the bucket lock; the waker changed
 * the word in user space before its system call and takes the same lock to find waiters, so
 * either the waiter sees the new value (and returns -EAGAIN) or it is queued before the waker
 * looks.
 *
 * The read of the user word happens under the bucket lock, where a page fault may not sleep:
 * the fault handler refuses it (mm/fault.c, no_sleep) and get_user_u32 returns -EFAULT. The
 * wait then drops the lock, faults the page in with an ordinary read, and tries again, as
 * Linux's futex_wait_setup does.
 *
 * Lock order: a bucket lock, then run queue locks (wake_up_process); one bucket at a time.
 */
#include "kernel/futex.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/tick.h"
#include "kernel/time.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/tsc.h"
#include "mm/uaccess.h"
#include "lib/errno.h"

#define FUTEX_WAIT	       0
#define FUTEX_WAKE	       1
#define FUTEX_WAIT_BITSET      9
#define FUTEX_WAKE_BITSET      10
#define FUTEX_PRIVATE_FLAG     128
#define FUTEX_CLOCK_REALTIME   256
#define FUTEX_CMD_MASK	       (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define FUTEX_BUCKETS 64

struct futex_waiter {
	struct list_head node;
	struct thread *thread;
	struct mm *mm;
	uint64_t addr;
	uint32_t bitset;
	bool woken; /* set under the bucket lock by the waker, which unlinks it */
};

static struct futex_bucket {
	spinlock_t lock;
	struct list_head waiters;
} buckets[FUTEX_BUCKETS];

static unsigned int nr_waiting;

static struct futex_bucket *bucket_of(struct mm *mm, uint64_t addr)
{
	uint64_t h = ((uint64_t)mm >> 6) ^ (addr >> 2);

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return &buckets[(h >> 58) % FUTEX_BUCKETS];
}

void futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		spin_lock_init(&buckets[i].lock, "futex bucket");
		INIT_LIST_HEAD(&buckets[i].waiters);
	}
}

static int wake_bitset(struct mm *mm, uint64_t addr, int n, uint32_t bitset)
{
	struct futex_bucket *b = bucket_of(mm, addr);
	struct futex_waiter *w, *tmp;
	int woken = 0;

	spin_lock(&b->lock);
	list_for_each_entry_safe(w, tmp, &b->waiters, node) {
		if (woken >= n)
			break;
		if (w->mm != mm || w->addr != addr || !(w->bitset & bitset))
			continue;
		list_del_init(&w->node);
		nr_waiting--;
		/* The waiter reads woken after it is running again, under the bucket lock. */
		WRITE_ONCE(w->woken, true);
		wake_up_process(w->thread);
		woken++;
	}
	spin_unlock(&b->lock);
	return woken;
}

int futex_wake_address(struct mm *mm, uint64_t addr, int n)
{
	return wake_bitset(mm, addr, n, FUTEX_BITSET_MATCH_ANY);
}

unsigned int futex_waiters(void)
{
	return READ_ONCE(nr_waiting);
}

/* Queues w if the word at addr still holds val: 0 (queued, lock dropped), -EAGAIN, -EFAULT. */
static int queue_if_equal(struct futex_bucket *b, struct futex_waiter *w, uint32_t val)
{
	for (;;) {
		uint32_t cur;
		int err;

		spin_lock(&b->lock);
		err = get_user_u32(&cur, w->addr);
		if (!err) {
			if (cur != val) {
				spin_unlock(&b->lock);
				return -EAGAIN;
			}
			list_add_tail(&w->node, &b->waiters);
			nr_waiting++;
			spin_unlock(&b->lock);
			return 0;
		}
		spin_unlock(&b->lock);
		/* Not mapped yet, or really bad: fault it in where sleeping is allowed. */
		if (get_user_u32(&cur, w->addr))
			return -EFAULT;
	}
}

/*
 * Sleeps until woken, until deadline_ns (0: none) on the monotonic clock, or until the process
 * is being killed. 0 when woken, -ETIMEDOUT, -EINTR.
 */
static int sleep_queued(struct futex_bucket *b, struct futex_waiter *w, uint64_t deadline_ns)
{
	int ret = 0;

	current->killable = true;
	for (;;) {
		set_current_state(THREAD_SLEEPING);
		if (READ_ONCE(w->woken))
			break;
		if (fatal_signal_pending()) {
			ret = -EINTR;
			break;
		}
		if (deadline_ns) {
			uint64_t now = ktime_ns();

			if (now >= deadline_ns) {
				ret = -ETIMEDOUT;
				break;
			}
			schedule_timeout((long)((deadline_ns - now) / (1000000000ULL / HZ)) + 1);
		} else {
			schedule();
		}
	}
	__set_current_state(THREAD_RUNNING);
	current->killable = false;
	spin_lock(&b->lock);
	if (w->woken)
		ret = 0; /* a wakeup that raced with the timeout or the kill still counts */
	else {
		list_del(&w->node);
		nr_waiting--;
	}
	spin_unlock(&b->lock);
	return ret;
}

/* The deadline a timespec gives: relative for FUTEX_WAIT, absolute (monotonic) for
   FUTEX_WAIT_BITSET, as Linux. 0 for none; -EFAULT or -EINVAL. */
static int64_t deadline_of(const struct timespec64 __user *ts, bool absolute)
{
	struct timespec64 t;
	uint64_t ns, now;

	if (!ts)
		return 0;
	if (get_timespec64(&t, ts))
		return -EFAULT;
	if (!timespec64_valid(&t))
		return -EINVAL;
	ns = timespec64_to_ns(&t); /* saturates: a huge timeout is no timeout */
	if (absolute)
		return ns ? (int64_t)ns : 1;
	now = ktime_ns();
	return ns > (uint64_t)INT64_MAX - now ? INT64_MAX : (int64_t)(now + ns);
}

static long futex_wait(uint64_t addr, uint32_t val, const struct timespec64 __user *ts,
		       uint32_t bitset, bool absolute)
{
	struct futex_waiter w = {
		.thread = current, .mm = current->mm, .addr = addr, .bitset = bitset};
	struct futex_bucket *b;
	int64_t deadline = deadline_of(ts, absolute);
	int err;

	if (deadline < 0)
		return deadline;
	if (!bitset || (addr & 3))
		return -EINVAL;
	INIT_LIST_HEAD(&w.node);
	b = bucket_of(w.mm, addr);
	err = queue_if_equal(b, &w, val);
	if (err)
		return err;
	return sleep_queued(b, &w, (uint64_t)deadline);
}

/*
 * futex - FUTEX_WAIT, FUTEX_WAKE and their _BITSET forms, private or not (both private here).
 * FUTEX_CLOCK_REALTIME deadlines are taken on the monotonic clock. Other operations: -ENOSYS,
 * as Linux answers an operation it does not know.
 */
SYSCALL_DEFINE6(futex, uint32_t __user *, uaddr, int, op, uint32_t, val,
		const struct timespec64 __user *, utime, uint32_t __user *, uaddr2, uint32_t, val3)
{
	uint64_t addr = user_addr(uaddr); /* the futex's key, and get_user_u32's argument */

	(void)uaddr2;
	if (!current->mm)
		return -EFAULT;
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
		return futex_wait(addr, val, utime, FUTEX_BITSET_MATCH_ANY, false);
	case FUTEX_WAIT_BITSET:
		return futex_wait(addr, val, utime, val3, true);
	case FUTEX_WAKE:
		if (addr & 3)
			return -EINVAL;
		return wake_bitset(current->mm, addr, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if ((addr & 3) || !val3)
			return -EINVAL;
		return wake_bitset(current->mm, addr, (int)val, val3);
	default:
		return -ENOSYS;
	}
}

/*
 * Robust futexes (Linux's kernel/futex/core.c, exit_robust_list): a thread tells the kernel
 * where its list of held robust mutexes is (glibc does it for every thread); when it ends, the
 * kernel marks each one it still holds FUTEX_OWNER_DIED and wakes a waiter, so the mutex does
 * not stay locked by a dead thread for ever. The list's head, in user memory:
 *	struct robust_list_head { void *next; long futex_offset; void *list_op_pending; };
 * each entry is a `next` pointer inside a mutex; the futex word is at entry + futex_offset.
 */
#define ROBUST_LIST_HEAD_SIZE 24
#define ROBUST_LIST_LIMIT     2048 /* entries walked at most: a looping list must not hang */
#define FUTEX_WAITERS	      0x80000000u
#define FUTEX_OWNER_DIED      0x40000000u
#define FUTEX_TID_MASK	      0x3fffffffu

SYSCALL_DEFINE2(set_robust_list, void __user *, head, size_t, len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	current->robust_list = user_addr(head); /* for get_user_u64 at exit */
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, pid, uint64_t __user *, head_ptr, uint64_t __user *, len_ptr)
{
	uint64_t len = ROBUST_LIST_HEAD_SIZE;

	if (pid != 0 && pid != current->tid)
		return -ESRCH; /* another thread's: not kept here */
	if (copy_to_user(head_ptr, &current->robust_list, sizeof(uint64_t)) ||
	    copy_to_user(len_ptr, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* The futex word at addr is held by the ending thread: mark it and wake one waiter. */
static void release_robust(struct thread *t, uint64_t addr)
{
	uint32_t val;

	if (get_user_u32(&val, addr) || (val & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return;
	if (put_user_u32(addr, (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
		return;
	if (val & FUTEX_WAITERS)
		futex_wake_address(t->mm, addr, 1);
}

/*
 * exit_robust_list - the ending thread t (current, still in its mm) gives up the robust
 * mutexes it holds. Bad pointers end the walk quietly, as in Linux.
 */
void exit_robust_list(struct thread *t)
{
	uint64_t head = t->robust_list, entry, offset, pending;

	if (!head || !t->mm || get_user_u64(&entry, head) || get_user_u64(&offset, head + 8) ||
	    get_user_u64(&pending, head + 16))
		return;
	for (int n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;

		if (get_user_u64(&next, entry))
			return;
		if (entry != pending)
			release_robust(t, entry + offset);
		entry = next;
	}
	if (pending)
		release_robust(t, pending + offset);
	t->robust_list = 0;
}
