/* The frame-pointer walk (see stacktrace.h). */
#include "kernel/stacktrace.h"
#include "kernel/extable.h"
#include "kernel/ksyms.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/memlayout.h"
#include "lib/compiler.h"

#define MAX_STACK_SPAN (64 * 1024) /* no kernel stack is larger: a bigger jump means garbage */
#define PROLOGUE       0xe5894855 /* push %rbp; mov %rsp,%rbp (55 48 89 e5), little-endian */

struct walk {
	struct stack_entry *out;
	unsigned n, max;
};

static bool add(struct walk *w, uint64_t addr, bool exact, int trap_vector)
{
	if (w->n == w->max)
		return false;
	w->out[w->n++] = (struct stack_entry){ addr, exact, trap_vector };
	return true;
}

/* Reads the record {saved rbp, return address} at rbp; false if rbp is not a plausible frame. */
static bool read_record(uint64_t rbp, uint64_t *next, uint64_t *ret)
{
	if (rbp < DIRECT_MAP_BASE || (rbp & 7))
		return false;
	return probe_read_u64((void *)rbp, next) == 0 &&
	       probe_read_u64((void *)(rbp + 8), ret) == 0;
}

/* Does a call instruction end right before addr? Then addr is a return address. */
static bool follows_call(uint64_t addr)
{
	uint64_t code;
	uint8_t b[8];

	if (!ksym_lookup(addr, NULL) || probe_read_u64((void *)(addr - 8), &code))
		return false;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(code >> (8 * i)); /* b[7] is the byte just before addr */
	return b[3] == 0xe8 ||				    /* call rel32 */
	       (b[2] == 0xff && b[3] == 0x15) ||	    /* call *disp32(%rip) */
	       (b[6] == 0xff && (b[7] & 0xf8) == 0xd0) ||   /* call *%rax..%rdi */
	       (b[5] == 0x41 && b[6] == 0xff && (b[7] & 0xf8) == 0xd0); /* call *%r8..%r15 */
}

/*
 * Where a trap hit a function without a frame record of its own (a frameless leaf, or the
 * first instruction of any function, or the second after "push rbp"), the return address into
 * its caller is on the stack, not behind rbp. Returns it, or 0 when the function has its frame.
 */
static uint64_t frameless_return(uint64_t rip, uint64_t rsp)
{
	uint64_t off, code, ret;
	uint64_t slot = rsp;

	if (!ksym_lookup(rip, &off) || probe_read_u64((void *)(rip - off), &code))
		return 0;
	if ((uint32_t)code == PROLOGUE) {
		if (off > 1)
			return 0; /* the frame record is built: rbp is this function's */
		slot = rsp + 8 * off; /* before or after "push rbp" */
	}
	if (probe_read_u64((void *)slot, &ret) || !follows_call(ret))
		return 0;
	return ret;
}

static void walk_frames(struct walk *w, uint64_t rip, uint64_t rbp, uint64_t rsp, int vector)
{
	uint64_t stack_start = rbp; /* the walk may climb at most MAX_STACK_SPAN above this */
	uint64_t next, ret;

	if (!add(w, rip, true, vector))
		return;
	if (rsp && (ret = frameless_return(rip, rsp)) && !add(w, ret, false, -1))
		return;
	while (rbp && rbp - stack_start <= MAX_STACK_SPAN) {
		if (!read_record(rbp, &next, &ret) || ret == 0)
			return;
		if (ret == (uint64_t)trap_return) {
			/*
			 * next is the record the entry code built from the interrupted rbp and
			 * rip; the struct trap_frame lies just above it. Go on from there,
			 * possibly on another stack.
			 */
			const struct trap_frame *f = (void *)(next + TRAP_RECORD_SIZE);
			uint64_t frip, frbp, frsp, fvec;
			if (probe_read_u64(&f->rip, &frip) || probe_read_u64(&f->rbp, &frbp) ||
			    probe_read_u64(&f->rsp, &frsp) || probe_read_u64(&f->vector, &fvec))
				return;
			walk_frames(w, frip, frbp, frsp, (int)fvec);
			return;
		}
		if (!add(w, ret, false, -1))
			return;
		if (next <= rbp) /* a stack grows down: callers' frames are higher */
			return;
		rbp = next;
	}
}

unsigned stack_trace_save(uint64_t rip, uint64_t rbp, struct stack_entry *out, unsigned max)
{
	struct walk w = { out, 0, max };

	walk_frames(&w, rip, rbp, 0, -1);
	return w.n;
}

unsigned stack_trace_save_trap(const struct trap_frame *f, struct stack_entry *out, unsigned max)
{
	struct walk w = { out, 0, max };

	walk_frames(&w, f->rip, f->rbp, f->rsp, -1);
	return w.n;
}

const char *stack_entry_symbol(const struct stack_entry *e, uint64_t *offset)
{
	const char *name = ksym_lookup(e->exact ? e->addr : e->addr - 1, offset);

	if (name && offset && !e->exact)
		*offset += 1;
	return name;
}
