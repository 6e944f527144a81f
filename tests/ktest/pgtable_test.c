/*
 * KTAP suite "pgtable": map, translate and unmap on a scratch address; the permissions of the
 * live kernel page tables read back from the entries (W^X for the image, NX for the direct
 * map, nothing in the user half); the null page and a stack guard page fault when touched;
 * freeing a vmap stack drops its pages from another CPU's TLB too.
 */
#include "kernel/ktest.h"
#include "kernel/trap.h"
#include "kernel/fault_catch.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/vmap.h"
#include "mm/fault_inject.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

#define VEC_PF 14

extern char __text_start[], __rodata_start[], __data_start[], __bss_start[], __kernel_end[];
extern char boot_stack_guard[];

static const uint64_t some_rodata = 0x1234;
static uint64_t some_data = 1;
static uint64_t some_bss;

static uint64_t flags_of(const void *va)
{
	uint64_t flags = 0;

	if (!pgtable_translate(kernel_pml4, (uint64_t)va, NULL, &flags))
		return 0;
	return flags;
}

static void test_map_unmap_translate(struct ktest *t)
{
	uint64_t va = VMAP_SCRATCH_BASE + 5 * PAGE_SIZE, flags;
	struct page *page = alloc_page_zeroed();
	phys_addr_t pa;

	ASSERT_NOT_NULL(t, page);
	EXPECT_FALSE(t, pgtable_translate(kernel_pml4, va, NULL, NULL));
	EXPECT_EQ(t, map_page(kernel_pml4, va, page_to_phys(page), PTE_W | PTE_NX), 0);
	EXPECT_TRUE(t, pgtable_translate(kernel_pml4, va + 0x123, &pa, &flags));
	EXPECT_EQ(t, pa, page_to_phys(page) + 0x123);
	EXPECT_EQ(t, flags & (PTE_P | PTE_W | PTE_NX | PTE_U | PTE_PS), PTE_P | PTE_W | PTE_NX);

	/* The same frame through two addresses. */
	*(volatile uint64_t *)va = 0xfeedface;
	EXPECT_EQ(t, *(uint64_t *)page_address(page), 0xfeedface);
	EXPECT_TRUE(t, flags_of((void *)va) & PTE_D); /* the CPU set dirty on the write */

	EXPECT_EQ(t, map_page(kernel_pml4, va, page_to_phys(page), PTE_W), -EEXIST);
	EXPECT_EQ(t, map_page(kernel_pml4, va + 1, page_to_phys(page), 0), -EINVAL);
	EXPECT_EQ(t, map_page(kernel_pml4, 0x0000800000000000UL, page_to_phys(page), 0), -EINVAL);
	EXPECT_EQ(t, unmap_page(kernel_pml4, va), 0);
	EXPECT_FALSE(t, pgtable_translate(kernel_pml4, va, NULL, NULL));
	EXPECT_EQ(t, unmap_page(kernel_pml4, va), -ENOENT);
	free_page(page);
}

static void test_table_alloc(struct ktest *t)
{
	uint64_t tables = (uint64_t)atomic64_read(&pgtable_pages), free_before = nr_free_pages(),
		 bad = 0;
	phys_addr_t pa = pgtable_alloc();
	pte_t *table;

	ASSERT_NE(t, pa, 0U);
	table = phys_to_virt(pa);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		bad += table[i] != 0;
	EXPECT_EQ(t, bad, 0U);
	EXPECT_TRUE(t, phys_to_page(pa)->flags & PG_pgtable);
	EXPECT_EQ(t, (uint64_t)atomic64_read(&pgtable_pages), tables + 1);
	EXPECT_EQ(t, nr_free_pages(), free_before - 1);
	pgtable_free(pa);
	EXPECT_EQ(t, (uint64_t)atomic64_read(&pgtable_pages), tables);
	EXPECT_EQ(t, nr_free_pages(), free_before);
}

/* A table that cannot be allocated makes map_page fail with -ENOMEM, and nothing is mapped. */
static void test_map_enomem(struct ktest *t)
{
	/* 256 MiB into the scratch area: no page directory exists there yet. */
	uint64_t va = VMAP_SCRATCH_BASE + (256UL << 20);
	struct page *page = alloc_page();
	pte_t *e;

	ASSERT_NOT_NULL(t, page);
	if (pgtable_walk(kernel_pml4, va, 1, false, &e) == 0)
		KTEST_SKIP(t, "the tables for the scratch address exist already");
	alloc_fail_inject(1);
	EXPECT_EQ(t, map_page(kernel_pml4, va, page_to_phys(page), PTE_W | PTE_NX), -ENOMEM);
	alloc_fail_cancel();
	EXPECT_FALSE(t, pgtable_translate(kernel_pml4, va, NULL, NULL));
	EXPECT_EQ(t, map_page(kernel_pml4, va, page_to_phys(page), PTE_W | PTE_NX), 0);
	EXPECT_EQ(t, unmap_page(kernel_pml4, va), 0);
	free_page(page);
}

static void test_kernel_image_wx(struct ktest *t)
{
	uint64_t text = flags_of((void *)test_kernel_image_wx);
	uint64_t ro = flags_of(&some_rodata), data = flags_of(&some_data),
		 bss = flags_of(&some_bss);

	EXPECT_TRUE(t, text & PTE_P);
	EXPECT_FALSE(t, text & PTE_W);
	EXPECT_FALSE(t, text & PTE_NX);
	EXPECT_TRUE(t, ro & PTE_P);
	EXPECT_FALSE(t, ro & PTE_W);
	EXPECT_TRUE(t, ro & PTE_NX);
	EXPECT_TRUE(t, data & PTE_W);
	EXPECT_TRUE(t, data & PTE_NX);
	EXPECT_TRUE(t, bss & PTE_W);
	EXPECT_TRUE(t, bss & PTE_NX);
	EXPECT_FALSE(t, (text | ro | data | bss) & PTE_U);
	/* The boot stack's guard page is a hole in the image mapping. */
	EXPECT_EQ(t, flags_of(boot_stack_guard), 0U);
	EXPECT_TRUE(t, flags_of(boot_stack_guard + PAGE_SIZE) & PTE_W);
}

/* Every page of the image, one by one: writable and executable never go together. */
static void test_image_never_wx(struct ktest *t)
{
	unsigned int wx = 0, unmapped = 0;

	for (char *va = __text_start; va < __kernel_end; va += PAGE_SIZE) {
		uint64_t f = flags_of(va);

		if (!f)
			unmapped++;
		else if ((f & PTE_W) && !(f & PTE_NX))
			wx++;
	}
	EXPECT_EQ(t, wx, 0U);
	EXPECT_EQ(t, unmapped, 1U); /* the guard page */
}

static void test_direct_map(struct ktest *t)
{
	struct page *page = alloc_page();
	uint64_t flags;
	phys_addr_t pa;

	ASSERT_NOT_NULL(t, page);
	EXPECT_TRUE(t, pgtable_translate(kernel_pml4, (uint64_t)page_address(page), &pa, &flags));
	EXPECT_EQ(t, pa, page_to_phys(page));
	EXPECT_TRUE(t, flags & PTE_W);
	EXPECT_TRUE(t, flags & PTE_NX);
	EXPECT_TRUE(t, flags & PTE_G);
	free_page(page);
	/* The last frame of RAM is mapped too (above 4 GiB with a large guest). */
	EXPECT_TRUE(t, pgtable_translate(kernel_pml4, (uint64_t)phys_to_virt((max_pfn - 1) << 12),
					 &pa, &flags));
	EXPECT_EQ(t, pa, (max_pfn - 1) << 12);
	EXPECT_TRUE(t, flags & PTE_NX);
	/* 16 MiB is 2 MiB aligned and inside RAM on every supported size: a large page. */
	EXPECT_TRUE(t, flags_of(phys_to_virt(16UL << 20)) & PTE_PS);
}

static void test_user_half_empty(struct ktest *t)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < PT_ENTRIES / 2; i++)
		if (kernel_pml4[i])
			used++;
	EXPECT_EQ(t, used, 0U);
	EXPECT_EQ(t, flags_of(NULL), 0U);
	EXPECT_EQ(t, flags_of((void *)0x100000), 0U); /* the old identity map is gone */
	EXPECT_EQ(t, read_cr3() & PTE_ADDR_MASK, kernel_pml4_phys);
}

static void read_null(void *arg)
{
	(void)arg;
	(void)*(volatile uint64_t *)0;
}

static void write_byte(void *addr)
{
	*(volatile uint8_t *)addr = 1;
}

static void test_null_page_faults(struct ktest *t)
{
	struct fault_info info;

	ASSERT_EQ(t, fault_catch(read_null, NULL, &info), 1);
	EXPECT_EQ(t, info.vector, VEC_PF);
	EXPECT_EQ(t, info.cr2, 0U);
	EXPECT_EQ(t, info.error_code & 1, 0U); /* P clear: not present */
	ASSERT_EQ(t, fault_catch(write_byte, (void *)8, &info), 1);
	EXPECT_EQ(t, info.cr2, 8U);
	EXPECT_EQ(t, info.error_code & 2, 2U); /* a write */
}

static void test_stack_guard(struct ktest *t)
{
	char *top = vmap_stack_alloc(4);
	unsigned int in_use = vmap_stacks_in_use();
	struct fault_info info;

	ASSERT_NOT_NULL(t, top);
	EXPECT_EQ(t, (uint64_t)top % PAGE_SIZE, 0U);
	for (char *p = top - 4 * PAGE_SIZE; p < top; p += 64)
		*p = 1; /* the whole stack is mapped and writable */
	EXPECT_TRUE(t, flags_of(top - 8) & PTE_NX);
	EXPECT_EQ(t, flags_of(top - 4 * PAGE_SIZE - 1), 0U);
	ASSERT_EQ(t, fault_catch(write_byte, top - 4 * PAGE_SIZE - 8, &info), 1);
	EXPECT_EQ(t, info.vector, VEC_PF);
	EXPECT_EQ(t, info.cr2, (uint64_t)(top - 4 * PAGE_SIZE - 8));
	/* The double-fault report knows this page as a guard page while the stack exists. */
	EXPECT_STREQ(t, trap_addr_region((uint64_t)(top - 4 * PAGE_SIZE - 8)), "guard page");
	vmap_stack_free(top);
	EXPECT_FALSE(t, vmap_is_guard_page((uint64_t)(top - 4 * PAGE_SIZE - 8)));
	EXPECT_EQ(t, vmap_stacks_in_use(), in_use - 1);
	EXPECT_EQ(t, flags_of(top - 8), 0U);
	EXPECT_NULL(t, vmap_stack_alloc(0));
	EXPECT_NULL(t, vmap_stack_alloc(VMAP_STACK_MAX_PAGES + 1));
	/* A maximal stack fills its slot, and its top is the next slot's start. */
	top = vmap_stack_alloc(VMAP_STACK_MAX_PAGES);
	ASSERT_NOT_NULL(t, top);
	EXPECT_EQ(t, (uint64_t)top % VMAP_STACK_SLOT_SIZE, 0U);
	vmap_stack_free(top);
}

/* A read of one word on another CPU, under fault_catch. */
struct remote_read {
	const uint64_t *addr;
	uint64_t value;
	int caught; /* fault_catch's result: 0 read, 1 faulted */
	struct fault_info info;
};

static void read_word(void *arg)
{
	struct remote_read *r = arg;

	r->value = READ_ONCE(*r->addr);
}

/* Runs on the other CPU by IPI: in interrupt context, where fault_catch must work too. */
static void read_remote(void *arg)
{
	struct remote_read *r = arg;

	r->caught = fault_catch(read_word, r, &r->info);
}

/*
 * Another CPU reads a word of a new stack, so its TLB holds the translation (kernel mappings
 * are global: no CR3 load drops it). This CPU frees the stack and then asks for the same read
 * again: it must fault. If vmap_stack_free flushed only this CPU's TLB, the other CPU would
 * still reach the freed frame and read the old value.
 */
static void test_stack_free_flushes_other_cpus(struct ktest *t)
{
	const uint64_t magic = 0x5ca1ab1e0ddba11UL;
	struct remote_read before = {0}, after = {0};
	unsigned int other;
	uint64_t *word;
	char *top;
	int err1, err2;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	top = vmap_stack_alloc(1);
	ASSERT_NOT_NULL(t, top);
	word = (uint64_t *)(top - PAGE_SIZE);
	WRITE_ONCE(*word, magic);
	before.addr = after.addr = word;

	/* Stay on this CPU, so that the one doing the reads is never the one freeing. */
	preempt_disable();
	for (other = 0; other == smp_processor_id() || !cpu_online(other); other++)
		;
	err1 = smp_call_function_single(other, read_remote, &before, true);
	vmap_stack_free(top);
	err2 = smp_call_function_single(other, read_remote, &after, true);
	preempt_enable();

	EXPECT_EQ(t, err1, 0);
	EXPECT_EQ(t, err2, 0);
	EXPECT_EQ(t, before.caught, 0);
	EXPECT_EQ(t, before.value, magic);
	if (after.caught == 0)
		ktest_log(t, "CPU %u read %#llx through a stale TLB entry", other,
			  (unsigned long long)after.value);
	EXPECT_EQ(t, after.caught, 1);
	EXPECT_EQ(t, after.info.vector, VEC_PF);
	EXPECT_EQ(t, after.info.cr2, (uint64_t)word);
}

KTEST_SUITE(pgtable, KTEST_CASE(test_map_unmap_translate), KTEST_CASE(test_table_alloc),
	    KTEST_CASE(test_map_enomem), KTEST_CASE(test_kernel_image_wx),
	    KTEST_CASE(test_image_never_wx), KTEST_CASE(test_direct_map),
	    KTEST_CASE(test_user_half_empty), KTEST_CASE(test_null_page_faults),
	    KTEST_CASE(test_stack_guard), KTEST_CASE(test_stack_free_flushes_other_cpus));
