/* Allocation failure on demand (see fault_inject.h). */
#include "mm/fault_inject.h"

static unsigned int countdown; /* allocations until the next failure; 0 = not armed */
static unsigned int remaining; /* failures still to inject, counting the next one */
static unsigned long injected;

void alloc_fail_inject_n(unsigned int nth, unsigned int count)
{
	countdown = count ? nth : 0;
	remaining = count;
}

void alloc_fail_inject(unsigned int nth)
{
	alloc_fail_inject_n(nth, 1);
}

void alloc_fail_cancel(void)
{
	countdown = 0;
	remaining = 0;
}

unsigned long alloc_fail_injected(void)
{
	return injected;
}

bool alloc_should_fail(void)
{
	if (!countdown || --countdown)
		return false;
	injected++;
	if (remaining != ALLOC_FAIL_FOREVER)
		remaining--;
	if (remaining)
		countdown = 1; /* the following allocation fails too */
	return true;
}
