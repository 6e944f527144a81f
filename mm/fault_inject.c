/*
 * Allocation failure on demand (see fault_inject.h). Every allocation on every CPU calls
 * alloc_should_fail, so its fast path is one load; the counters are atomic, and the CPU whose
 * allocation takes the countdown from 1 to 0 is the one that fails.
 */
#include "mm/fault_inject.h"
#include "lib/atomic.h"

static atomic_t countdown; /* allocations until the next failure; 0 = not armed */
static atomic_t remaining; /* failures still to inject, counting the next one */
static atomic64_t injected;

void alloc_fail_inject_n(unsigned int nth, unsigned int count)
{
	/* remaining first: an allocation on another CPU may fail as soon as countdown is set. */
	atomic_set(&remaining, (int)count);
	atomic_set(&countdown, count ? (int)nth : 0);
}

void alloc_fail_inject(unsigned int nth)
{
	alloc_fail_inject_n(nth, 1);
}

void alloc_fail_cancel(void)
{
	atomic_set(&countdown, 0);
	atomic_set(&remaining, 0);
}

unsigned long alloc_fail_injected(void)
{
	return (unsigned long)atomic64_read(&injected);
}

bool alloc_should_fail(void)
{
	int c = atomic_read(&countdown), seen;

	/* Count this allocation; when another CPU counted first, retry with what it left. */
	while (c > 0 && (seen = atomic_cmpxchg(&countdown, c, c - 1)) != c)
		c = seen;
	if (c != 1)
		return false;
	atomic64_inc(&injected);
	if (atomic_read(&remaining) == (int)ALLOC_FAIL_FOREVER ||
	    atomic_add_return(-1, &remaining) > 0)
		atomic_cmpxchg(&countdown, 0, 1); /* the following allocation fails too */
	return true;
}
