/*
 * Random bytes (kernel/random.h): get_random_bytes() for the kernel (execve's AT_RANDOM) and
 * the getrandom system call. Linux: drivers/char/random.c, which we do not follow: Linux
 * gathers entropy from interrupts and devices into a pool and runs ChaCha20 over it; we have
 * two simple sources, and neither output is fit for keys or secrets.
 *
 *   - RDRAND, when CPUID says the CPU has it: the hardware generator's output, as is.
 *   - Otherwise a SplitMix64 sequence (a 64-bit counter stepped by an odd constant and passed
 *     through a bijective mixer), seeded at boot from the TSC and the RTC's wall time, with
 *     the TSC added again at every step. Its outputs are well spread, but anyone who knows
 *     roughly when the machine booted can replay it.
 *
 * Lock order: random_lock is taken alone.
 */
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "kernel/locking/spinlock.h"
#include "mm/uaccess.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"

#define GOLDEN_GAMMA  0x9e3779b97f4a7c15ULL /* 2^64 / the golden ratio, odd */
#define GETRANDOM_MAX 0x7ffff000UL	    /* bytes per call at most, as Linux's MAX_RW_COUNT */

static DEFINE_SPINLOCK(random_lock);
static uint64_t random_state; /* random_lock */
static bool cpu_has_rdrand;   /* set at boot */
static bool use_rdrand;	      /* cpu_has_rdrand, unless a test turned it off */

/* SplitMix64's mixer: a bijection of 64-bit words in which every input bit flips about half
   of the output bits. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void random_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	cpu_has_rdrand = c & CPUID_1_ECX_RDRAND;
	use_rdrand = cpu_has_rdrand;
	random_state = mix64(rdtsc()) ^ mix64(boot_wall_seconds() + GOLDEN_GAMMA);
}

bool random_uses_rdrand(void)
{
	return READ_ONCE(use_rdrand);
}

bool random_set_rdrand(bool on)
{
	bool was = READ_ONCE(use_rdrand);

	WRITE_ONCE(use_rdrand, on && cpu_has_rdrand);
	return was;
}

/* One word from the fallback sequence. */
static uint64_t next_fallback(void)
{
	unsigned long flags;
	uint64_t z;

	spin_lock_irqsave(&random_lock, flags);
	random_state += GOLDEN_GAMMA + (rdtsc() << 1); /* stays a walk of odd steps: no short cycle
							  a fixed seed could fall into */
	z = random_state;
	spin_unlock_irqrestore(&random_lock, flags);
	return mix64(z);
}

static uint64_t next_word(void)
{
	uint64_t v;

	if (READ_ONCE(use_rdrand) && rdrand64(&v))
		return v;
	return next_fallback();
}

/* get_random_bytes: fills buf with n bytes, a word at a time. */
void get_random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		uint64_t v = next_word();
		size_t k = MIN(n, sizeof(v));

		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

/*
 * getrandom(2): count random bytes into buf; returns how many were written (count, capped at
 * GETRANDOM_MAX). Never blocks: the generator is ready from boot, so GRND_NONBLOCK, GRND_RANDOM
 * and GRND_INSECURE change nothing. -EINVAL for other flag bits or GRND_RANDOM with
 * GRND_INSECURE (as Linux); -EFAULT when buf is bad before any byte was written, else the
 * bytes written before the bad one.
 */
SYSCALL_DEFINE3(getrandom, char __user *, buf, size_t, count, unsigned int, flags)
{
	uint8_t chunk[256];
	size_t done = 0;

	if (flags & ~(unsigned int)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	count = MIN(count, GETRANDOM_MAX);
	while (done < count) {
		size_t n = MIN(count - done, sizeof(chunk));

		get_random_bytes(chunk, n);
		if (copy_to_user(buf + done, chunk, n))
			break;
		done += n;
		if (fatal_signal_pending()) /* as Linux, between the pieces of a long request */
			return done ? (long)done : -EINTR;
	}
	memset(chunk, 0, sizeof(chunk));
	if (done == 0 && count)
		return -EFAULT;
	return (long)done;
}
