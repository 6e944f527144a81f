/* The kernel page tables (see kernel_map.h). */
#include "mm/kernel_map.h"
#include "mm/ioremap.h"
#include "mm/memmap.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

extern char __text_start[], __rodata_start[], __data_start[], __kernel_end[];
extern char boot_stack_guard[];

/* Every boot mapping must succeed: the early allocator has memory or the kernel cannot run. */
static void must(int err, const char *what, uint64_t va)
{
	if (err)
		panic("kernel_map: cannot map %s at %#llx: %s", what, (unsigned long long)va,
		      errno_name(-err));
}

/* Creates the PDPT under a kernel-half PML4 slot, so that the slot never changes later. */
static void prealloc_pdpt(uint64_t va)
{
	pte_t *e;

	must(pgtable_walk(kernel_pml4, va, 3, true, &e), "a PDPT", va);
}

/* [start, end) of physical memory at DIRECT_MAP_BASE + start. */
static void map_direct(uint64_t start, uint64_t end)
{
	const uint64_t flags = PTE_W | PTE_NX | PTE_G;

	if (end > DIRECT_MAP_SIZE) {
		pr_warn("kernel_map: memory above %llu GiB is not mapped\n",
			(unsigned long long)(DIRECT_MAP_SIZE >> 30));
		end = DIRECT_MAP_SIZE;
	}
	while (start < end) {
		uint64_t va = (uint64_t)phys_to_virt(start);

		if (IS_ALIGNED(start, PAGE_SIZE_2M) && end - start >= PAGE_SIZE_2M) {
			must(map_page_2m(kernel_pml4, va, start, flags), "the direct map", va);
			start += PAGE_SIZE_2M;
		} else {
			must(map_page(kernel_pml4, va, start, flags), "the direct map", va);
			start += PAGE_SIZE;
		}
	}
}

/* Text is read-only and executable, rodata read-only, data and bss writable: never W and X. */
static uint64_t image_page_flags(const char *va)
{
	if (va < __rodata_start)
		return PTE_G;
	if (va < __data_start)
		return PTE_G | PTE_NX;
	return PTE_G | PTE_W | PTE_NX;
}

static void map_image(void)
{
	for (char *va = __text_start; va < __kernel_end; va += PAGE_SIZE) {
		if (va == boot_stack_guard)
			continue; /* a boot stack overflow faults here */
		must(map_page(kernel_pml4, (uint64_t)va, virt_to_phys(va), image_page_flags(va)),
		     "the kernel image", (uint64_t)va);
	}
}

void kernel_map_init(void)
{
	uint64_t before = early_alloc_pages;

	kernel_pml4_phys = pgtable_alloc();
	if (!kernel_pml4_phys)
		panic("kernel_map: no memory for the PML4");
	kernel_pml4 = phys_to_virt(kernel_pml4_phys);

	prealloc_pdpt(DIRECT_MAP_BASE);
	prealloc_pdpt(VMAP_BASE);
	prealloc_pdpt(KERNEL_VMA);
	for (unsigned int i = 0; i < memmap_present.n; i++)
		map_direct(memmap_present.r[i].start, memmap_present.r[i].end);
	map_image();

	/* The code, stack and boot_info all live in the kernel half, mapped in both tables. */
	write_cr3(kernel_pml4_phys);
	write_cr4(read_cr4() | CR4_PGE);
	pr_info("kernel_map: page tables loaded: %llu KiB of tables, direct map of %llu MiB\n",
		(unsigned long long)((early_alloc_pages - before) * PAGE_SIZE >> 10),
		(unsigned long long)(range_total(&memmap_present) >> 20));
}

void *ioremap(phys_addr_t pa, size_t size)
{
	const uint64_t flags = PTE_P | PTE_W | PTE_NX | PTE_G | PTE_PCD | PTE_PWT;
	uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + size, PAGE_SIZE);

	if (end > DIRECT_MAP_SIZE || end <= start)
		return NULL;
	for (uint64_t p = start; p < end; p += PAGE_SIZE) {
		uint64_t va = (uint64_t)phys_to_virt(p);
		pte_t *e;
		int err = pgtable_walk(kernel_pml4, va, 1, true, &e);

		if (err == -EEXIST)
			continue; /* inside a 2 MiB page of RAM or firmware area */
		if (err)
			return NULL;
		*e = p | flags;
		invlpg(va);
	}
	return phys_to_virt(pa);
}
