/*
 * KTAP suite "exceptions": each case raises a CPU exception on purpose inside fault_catch()
 * and checks what the CPU reported (vector, error code, CR2, RIP), then that the kernel goes on
 * working. The faulting instructions are written in inline assembly: the compiler must not be
 * able to fold, move or drop them, and the asm records the address of the instruction, so the
 * reported RIP can be checked exactly.
 *
 * Two cases depend on the page tables: a write to .rodata faults, and a jump into .rodata
 * faults, only once the kernel image is mapped W^X. Under the boot page tables (everything
 * RW and executable) they skip, saying so.
 */
#include "kernel/ktest.h"
#include "kernel/fault_catch.h"
#include "kernel/extable.h"
#include "kernel/stacktrace.h"
#include "kernel/trap.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PF_P (1UL << 0)
#define PF_W (1UL << 1)
#define PF_U (1UL << 2)
#define PF_I (1UL << 4)

#define NON_CANONICAL 0x8000000000000000UL

#define VEC_UNEXPECTED 0xf1 /* nobody registers these two */
#define VEC_BACKTRACE  0xf2

/* The faulting functions store the address of their faulting instruction here. */
static uint64_t expected_rip;

static const uint64_t ro_target = 0x0123456789abcdefUL;
/* "ret": harmless if the page is executable after all. */
static const uint8_t rodata_code[16] __aligned(16) = { 0xc3 };

static void read_u64(void *addr)
{
	uint64_t v;

	__asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
			     "movq %%rax, %[rip]\n"
			     "1:	movq (%[addr]), %[v]"
			     : [v] "=r"(v), [rip] "=m"(expected_rip)
			     : [addr] "r"(addr)
			     : "rax", "memory");
	(void)v;
}

/* Writes back the value that is there, so nothing changes if the write is allowed. */
static void rewrite_u64(void *addr)
{
	__asm__ __volatile__("movq (%[addr]), %%rdx\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "movq %%rax, %[rip]\n"
			     "1:	movq %%rdx, (%[addr])"
			     : [rip] "=m"(expected_rip)
			     : [addr] "r"(addr)
			     : "rax", "rdx", "memory");
}

static void do_ud2(void *arg)
{
	(void)arg;
	__asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
			     "movq %%rax, %[rip]\n"
			     "1:	ud2"
			     : [rip] "=m"(expected_rip)
			     :
			     : "rax", "memory");
}

static void divide_by_zero(void *arg)
{
	(void)arg;
	__asm__ __volatile__("xorl %%edx, %%edx\n\t"
			     "movl $1, %%eax\n\t"
			     "xorl %%ecx, %%ecx\n\t"
			     "leaq 1f(%%rip), %%rsi\n\t"
			     "movq %%rsi, %[rip]\n"
			     "1:	divl %%ecx"
			     : [rip] "=m"(expected_rip)
			     :
			     : "rax", "rcx", "rdx", "rsi", "memory");
}

/* int3 is a trap, not a fault: the saved RIP is the instruction after it. */
static void breakpoint(void *arg)
{
	(void)arg;
	__asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
			     "movq %%rax, %[rip]\n\t"
			     "int3\n"
			     "1:"
			     : [rip] "=m"(expected_rip)
			     :
			     : "rax", "memory");
}

static void call_rodata(void *arg)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)arg;

	expected_rip = (uint64_t)arg;
	fn();
}

/* Scribbles over every callee-saved register, rbp included, then faults: never returns. */
static void clobber_and_fault(void *arg)
{
	(void)arg;
	__asm__ __volatile__("movq $-1, %%rbx\n\t"
			     "movq $-1, %%r12\n\t"
			     "movq $-1, %%r13\n\t"
			     "movq $-1, %%r14\n\t"
			     "movq $-1, %%r15\n\t"
			     "movq $-1, %%rbp\n\t"
			     "ud2" ::
				     : "rbx", "r12", "r13", "r14", "r15", "memory");
	__builtin_unreachable();
}

static void nothing(void *arg)
{
	*(int *)arg = 1;
}

static void nested_catch(void *arg)
{
	struct fault_info inner;

	*(int *)arg = fault_catch(nothing, arg, &inner);
}

/* The caller's stack pointer at the call (a function, so the compiler cannot move the read). */
static __noinline uint64_t read_rsp(void)
{
	uint64_t sp;

	__asm__ __volatile__("movq %%rsp, %0" : "=r"(sp));
	return sp;
}

/*
 * fault_catch, with the stack pointer just before and just after it. This function passes no
 * arguments on the stack, so its own rsp does not move between the two reads.
 */
static __noinline int catch_measured(void (*fn)(void *), void *arg, struct fault_info *info,
				     uint64_t *sp_before, uint64_t *sp_after)
{
	int r;

	*sp_before = read_rsp();
	r = fault_catch(fn, arg, info);
	*sp_after = read_rsp();
	return r;
}

static void test_pf_read_unmapped(struct ktest *t)
{
	struct fault_info info;
	uint64_t v;

	ASSERT_EQ(t, probe_read_u64((void *)FAULT_DEMO_ADDR, &v), -EFAULT);
	ASSERT_EQ(t, fault_catch(read_u64, (void *)FAULT_DEMO_ADDR, &info), 1);
	EXPECT_EQ(t, info.vector, 14);
	EXPECT_EQ(t, info.cr2, FAULT_DEMO_ADDR);
	EXPECT_EQ(t, info.rip, expected_rip);
	EXPECT_EQ(t, info.error_code & (PF_P | PF_W | PF_U | PF_I), 0UL); /* not present, read */
}

static void test_pf_null_page(struct ktest *t)
{
	struct fault_info info;
	uint64_t v;

	if (probe_read_u64((void *)0, &v) == 0)
		KTEST_SKIP(t, "page 0 is mapped (the boot page tables identity-map low memory)");
	ASSERT_EQ(t, fault_catch(read_u64, (void *)0x10, &info), 1);
	EXPECT_EQ(t, info.vector, 14);
	EXPECT_EQ(t, info.cr2, 0x10UL);
	EXPECT_EQ(t, info.error_code & (PF_P | PF_W | PF_U), 0UL);
	EXPECT_STREQ(t, trap_addr_region(info.cr2), "null page");
}

static void test_pf_write_rodata(struct ktest *t)
{
	struct fault_info info;
	int r = fault_catch(rewrite_u64, (void *)&ro_target, &info);

	if (r == 0)
		KTEST_SKIP(t, ".rodata is writable (the kernel image is not mapped W^X yet)");
	ASSERT_EQ(t, r, 1);
	EXPECT_EQ(t, info.vector, 14);
	EXPECT_EQ(t, info.cr2, (uint64_t)&ro_target);
	EXPECT_EQ(t, info.rip, expected_rip);
	EXPECT_EQ(t, info.error_code & (PF_P | PF_W | PF_U | PF_I), PF_P | PF_W);
}

static void test_pf_exec_nx(struct ktest *t)
{
	struct fault_info info;
	int r = fault_catch(call_rodata, (void *)rodata_code, &info);

	if (r == 0)
		KTEST_SKIP(t, ".rodata is executable (the kernel image is not mapped W^X yet)");
	ASSERT_EQ(t, r, 1);
	EXPECT_EQ(t, info.vector, 14);
	EXPECT_EQ(t, info.cr2, (uint64_t)rodata_code);
	EXPECT_EQ(t, info.rip, (uint64_t)rodata_code);
	EXPECT_EQ(t, info.error_code & (PF_P | PF_W | PF_U | PF_I), PF_P | PF_I);
}

static void test_ud_ud2(struct ktest *t)
{
	struct fault_info info;

	ASSERT_EQ(t, fault_catch(do_ud2, NULL, &info), 1);
	EXPECT_EQ(t, info.vector, 6);
	EXPECT_EQ(t, info.rip, expected_rip);
	EXPECT_EQ(t, info.error_code, 0UL);
	EXPECT_EQ(t, info.cr2, 0UL);
}

static void test_de_divide_by_zero(struct ktest *t)
{
	struct fault_info info;

	ASSERT_EQ(t, fault_catch(divide_by_zero, NULL, &info), 1);
	EXPECT_EQ(t, info.vector, 0);
	EXPECT_EQ(t, info.rip, expected_rip);
}

static void test_bp_int3(struct ktest *t)
{
	struct fault_info info;

	ASSERT_EQ(t, fault_catch(breakpoint, NULL, &info), 1);
	EXPECT_EQ(t, info.vector, 3);
	EXPECT_EQ(t, info.rip, expected_rip); /* after the int3 */
}

static void test_gp_noncanonical(struct ktest *t)
{
	struct fault_info info;

	ASSERT_EQ(t, fault_catch(read_u64, (void *)NON_CANONICAL, &info), 1);
	EXPECT_EQ(t, info.vector, 13);
	EXPECT_EQ(t, info.error_code, 0UL);
	EXPECT_EQ(t, info.rip, expected_rip);
	EXPECT_EQ(t, info.cr2, 0UL);
}

static void test_extable_probe(struct ktest *t)
{
	static const uint64_t good = 0xfeedfacecafebeefUL;
	uint64_t v = 42;

	EXPECT_EQ(t, probe_read_u64((void *)FAULT_DEMO_ADDR, &v), -EFAULT);
	EXPECT_EQ(t, probe_read_u64((void *)NON_CANONICAL, &v), -EFAULT);
	EXPECT_EQ(t, v, 42UL); /* untouched on failure */
	EXPECT_EQ(t, probe_read_u64(&good, &v), 0);
	EXPECT_EQ(t, v, good);
}

static void test_catch_restores_state(struct ktest *t)
{
	struct fault_info info;
	volatile uint64_t seed = 0x1000;
	uint64_t a = seed + 1, b = seed + 2, c = seed + 3, d = seed + 4, e = seed + 5;
	uint64_t sp, sp_after;

	ASSERT_EQ(t, catch_measured(clobber_and_fault, NULL, &info, &sp, &sp_after), 1);
	EXPECT_EQ(t, info.vector, 6);
	EXPECT_EQ(t, sp_after, sp);
	/* Live across the call, so kept in callee-saved registers that the fault clobbered. */
	EXPECT_EQ(t, a, 0x1001UL);
	EXPECT_EQ(t, b, 0x1002UL);
	EXPECT_EQ(t, c, 0x1003UL);
	EXPECT_EQ(t, d, 0x1004UL);
	EXPECT_EQ(t, e, 0x1005UL);

	/* A second catch right after the first works the same. */
	ASSERT_EQ(t, catch_measured(read_u64, (void *)FAULT_DEMO_ADDR, &info, &sp, &sp_after), 1);
	EXPECT_EQ(t, info.vector, 14);
	EXPECT_EQ(t, sp_after, sp);
}

static void test_catch_without_fault(struct ktest *t)
{
	struct fault_info info;
	int called = 0;

	EXPECT_EQ(t, fault_catch(nothing, &called, &info), 0);
	EXPECT_EQ(t, called, 1);
	EXPECT_EQ(t, info.vector, -1);
	/* Catches do not nest: the inner one refuses. */
	EXPECT_EQ(t, fault_catch(nested_catch, &called, &info), 0);
	EXPECT_EQ(t, called, -EBUSY);
}

static void test_unexpected_vector_ignored(struct ktest *t)
{
	uint64_t before = trap_unexpected_count(VEC_UNEXPECTED);

	__asm__ __volatile__("int %0" ::"i"(VEC_UNEXPECTED) : "memory");
	EXPECT_EQ(t, trap_unexpected_count(VEC_UNEXPECTED), before + 1);
}

/* Filled by the vector's handler, from inside the trap. */
static struct stack_entry bt_from_handler[16], bt_from_frame[16];
static unsigned bt_handler_n, bt_frame_n;

static void backtrace_handler(struct trap_frame *f)
{
	bt_frame_n = stack_trace_save_trap(f, bt_from_frame, ARRAY_SIZE(bt_from_frame));
	bt_handler_n =
		stack_trace_save((uint64_t)backtrace_handler, (uint64_t)__builtin_frame_address(0),
				 bt_from_handler, ARRAY_SIZE(bt_from_handler));
}

/* A leaf: gcc gives it no frame record, so the walk must find its caller on the stack. */
static __noinline void bt_inner(void)
{
	__asm__ __volatile__("int %0" ::"i"(VEC_BACKTRACE) : "memory");
}

static __noinline void bt_outer(void)
{
	bt_inner();
	barrier(); /* no tail call: bt_outer keeps its frame */
}

static bool named(const struct stack_entry *e, const char *name)
{
	const char *s = stack_entry_symbol(e, NULL);

	/* gcc may add a suffix (".part.0") to a static function it transforms. */
	return s && strncmp(s, name, strlen(name)) == 0 &&
	       (s[strlen(name)] == 0 || s[strlen(name)] == '.');
}

static void test_backtrace_through_trap(struct ktest *t)
{
	unsigned i;

	ASSERT_EQ(t, idt_set_handler(VEC_BACKTRACE, backtrace_handler), 0);
	bt_outer();
	idt_set_handler(VEC_BACKTRACE, NULL);

	/* From the trap frame: the interrupted function, then its caller. */
	ASSERT_GE(t, bt_frame_n, 3U);
	EXPECT_TRUE(t, named(&bt_from_frame[0], "bt_inner"));
	EXPECT_TRUE(t, named(&bt_from_frame[1], "bt_outer"));
	EXPECT_TRUE(t, named(&bt_from_frame[2], "test_backtrace_through_trap"));

	/* From inside the handler: through the entry code's frame record into the same chain. */
	for (i = 0; i < bt_handler_n && bt_from_handler[i].trap_vector < 0; i++)
		;
	ASSERT_LT(t, i + 1, bt_handler_n);
	EXPECT_EQ(t, bt_from_handler[i].trap_vector, VEC_BACKTRACE);
	EXPECT_TRUE(t, named(&bt_from_handler[i], "bt_inner"));
	EXPECT_TRUE(t, named(&bt_from_handler[i + 1], "bt_outer"));
	EXPECT_TRUE(t, named(&bt_from_handler[0], "backtrace_handler"));
}

static void test_describe(struct ktest *t)
{
	struct trap_frame f = { .vector = 14, .error_code = PF_P | PF_W, .cs = 0x08 };
	char buf[160];

	trap_describe(&f, 0xffffc90000001000UL, buf, sizeof(buf));
	EXPECT_STREQ(t, buf,
		     "page fault (#PF) at 0xffffc90000001000: protection-violation write in kernel "
		     "mode");
	f.error_code = 0;
	trap_describe(&f, 0x18, buf, sizeof(buf));
	EXPECT_STREQ(t, buf, "page fault (#PF) at 0x18: not-present read in kernel mode");
	f.error_code = PF_P | PF_I | PF_U;
	f.cs = 0x23;
	trap_describe(&f, 0x400000, buf, sizeof(buf));
	EXPECT_STREQ(t, buf,
		     "page fault (#PF) at 0x400000: protection-violation instruction fetch in user "
		     "mode");

	f = (struct trap_frame){ .vector = 13, .error_code = 0x28, .cs = 0x08, .rip = 0x1000 };
	trap_describe(&f, 0, buf, sizeof(buf));
	EXPECT_STREQ(t, buf,
		     "general protection fault (#GP) at 0x1000 in kernel mode, error code 0x28");
	EXPECT_STREQ(t, trap_name(6), "invalid opcode");
	EXPECT_STREQ(t, trap_mnemonic(8), "#DF");
}

static void test_addr_region(struct ktest *t)
{
	extern char boot_stack_guard[];

	EXPECT_STREQ(t, trap_addr_region(8), "null page");
	EXPECT_STREQ(t, trap_addr_region((uint64_t)boot_stack_guard + 100), "guard page");
	EXPECT_STREQ(t, trap_addr_region(0x400000), "user half");
	EXPECT_STREQ(t, trap_addr_region(NON_CANONICAL), "non-canonical");
	EXPECT_STREQ(t, trap_addr_region(VMAP_BASE + PAGE_SIZE), "kernel half: vmap area");
	EXPECT_STREQ(t, trap_addr_region(DIRECT_MAP_BASE), "kernel half: direct map");
	EXPECT_STREQ(t, trap_addr_region((uint64_t)test_addr_region), "kernel half: kernel .text");
	EXPECT_STREQ(t, trap_addr_region((uint64_t)&ro_target), "kernel half: kernel .rodata");
}

KTEST_SUITE(exceptions, KTEST_CASE(test_pf_read_unmapped), KTEST_CASE(test_pf_null_page),
	    KTEST_CASE(test_pf_write_rodata), KTEST_CASE(test_pf_exec_nx), KTEST_CASE(test_ud_ud2),
	    KTEST_CASE(test_de_divide_by_zero), KTEST_CASE(test_bp_int3),
	    KTEST_CASE(test_gp_noncanonical), KTEST_CASE(test_extable_probe),
	    KTEST_CASE(test_catch_restores_state), KTEST_CASE(test_catch_without_fault),
	    KTEST_CASE(test_unexpected_vector_ignored), KTEST_CASE(test_backtrace_through_trap),
	    KTEST_CASE(test_describe), KTEST_CASE(test_addr_region));
