/* The order memory management comes up in (see init.h). */
#include "mm/init.h"
#include "mm/memmap.h"
#include "mm/kernel_map.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/mm.h"
#include "mm/fault.h"
#include "mm/memory.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/trap.h"
#include "mm/vmap.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[],
	__kernel_end[];

static unsigned long long kib(uint64_t bytes)
{
	return bytes >> 10;
}

void mm_init(void)
{
	debug_vm = cmdline_has("debug_vm") || cmdline_has("ktest");
	memmap_init();
	kernel_map_init(); /* its tables come from the early allocator */
	page_alloc_init(); /* takes mem_map from it, then closes it */
	slab_init();
	mm_init_address_spaces(); /* the zero page, the address-space switch */
	fault_init();
	/* A double fault whose push hit a vmap stack's guard page is reported as an overflow. */
	trap_set_guard_page_check(vmap_is_guard_page);

	pr_info("mm: %llu MiB RAM, %llu MiB free; kernel image %llu KiB (text %llu, rodata %llu, "
		"data+bss %llu), mem_map and boot tables %llu KiB\n",
		(unsigned long long)(memmap_ram_bytes >> 20),
		(unsigned long long)(nr_free_pages() * PAGE_SIZE >> 20),
		kib(kernel_image_end() - kernel_image_start()), kib(__text_end - __text_start),
		kib(__rodata_end - __rodata_start), kib(__kernel_end - __data_start),
		kib(early_alloc_pages * PAGE_SIZE));
}
