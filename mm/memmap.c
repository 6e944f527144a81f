/* The memory map and the early allocator (see memmap.h). */
#include "mm/memmap.h"
#include "kernel/multiboot2.h"
#include "mm/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "lib/compiler.h"

extern char __boot_start[], __kernel_end[];

/*
 * Reserved ranges below 4 GiB are firmware areas the kernel may need to read (BIOS data, ACPI
 * tables on some firmware); above, they are holes in the address space, such as the 12 GiB
 * HyperTransport window QEMU reports below 1 TiB, and are not mapped.
 */
#define RESERVED_MAP_LIMIT (4UL << 30)

struct range_set memmap_present;
struct range_set memmap_free;
struct range_set memmap_modules;
uint64_t memmap_ram_bytes;
uint64_t memmap_end_pfn;
uint64_t early_alloc_pages;
static bool early_alloc_closed;

phys_addr_t kernel_image_start(void)
{
	return (phys_addr_t)__boot_start; /* .boot is linked at its physical address */
}

phys_addr_t kernel_image_end(void)
{
	return virt_to_phys(__kernel_end);
}

static const char *mmap_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:
		return "available";
	case MB2_MEM_RESERVED:
		return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE:
		return "ACPI data";
	case MB2_MEM_NVS:
		return "ACPI NVS";
	case MB2_MEM_BADRAM:
		return "bad RAM";
	}
	return "unknown";
}

static void add_or_warn(struct range_set *s, uint64_t start, uint64_t end)
{
	if (range_add(s, start, end))
		pr_warn("memmap: too many ranges, ignoring %#llx-%#llx\n",
			(unsigned long long)start, (unsigned long long)end);
}

static void reserve(const char *what, uint64_t start, uint64_t end)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (range_remove(&memmap_free, start, end))
		panic("memmap: too many ranges to reserve %s", what);
}

/*
 * The boot modules' pages leave memmap_free until memmap_free_modules. memmap_modules keeps
 * only the part of them that was free RAM: a page a module shares with the kernel image or the
 * boot information stays reserved for good.
 */
static void reserve_modules(void)
{
	for (unsigned int m = 0; m < boot_info.nr_modules; m++) {
		uint64_t start = ALIGN_DOWN(boot_info.modules[m].start, PAGE_SIZE);
		uint64_t end = ALIGN_UP(boot_info.modules[m].end, PAGE_SIZE);

		for (unsigned int i = 0; i < memmap_free.n; i++) {
			uint64_t s = MAX(start, memmap_free.r[i].start);
			uint64_t e = MIN(end, memmap_free.r[i].end);

			if (s < e)
				add_or_warn(&memmap_modules, s, e);
		}
		pr_info("memmap: module '%s' at %#llx-%#llx\n", boot_info.modules[m].string,
			(unsigned long long)boot_info.modules[m].start,
			(unsigned long long)boot_info.modules[m].end - 1);
	}
	for (unsigned int m = 0; m < boot_info.nr_modules; m++)
		reserve("boot module", boot_info.modules[m].start, boot_info.modules[m].end);
	if (boot_info.nr_modules_ignored)
		pr_warn("memmap: %u more boot modules ignored (at most %d are kept)\n",
			boot_info.nr_modules_ignored, MB2_MAX_MODULES);
}

void memmap_init(void)
{
	if (!boot_info.mmap)
		panic("memmap: the boot loader gave no memory map");

	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = mb2_mmap_entry(i);
		uint64_t end = e->addr + e->len;

		pr_info("memmap: 0x%016llx-0x%016llx %-9s %8llu KiB\n", (unsigned long long)e->addr,
			(unsigned long long)(end - 1), mmap_type_name(e->type),
			(unsigned long long)(e->len >> 10));
		if (e->len == 0 || e->type == MB2_MEM_BADRAM ||
		    (e->type == MB2_MEM_RESERVED && e->addr >= RESERVED_MAP_LIMIT))
			continue;
		add_or_warn(&memmap_present, ALIGN_DOWN(e->addr, PAGE_SIZE),
			    ALIGN_UP(end, PAGE_SIZE));
		if (e->type != MB2_MEM_AVAILABLE)
			continue;
		memmap_ram_bytes += e->len;
		add_or_warn(&memmap_free, ALIGN_UP(e->addr, PAGE_SIZE), ALIGN_DOWN(end, PAGE_SIZE));
	}
	/* Available entries may overlap reserved ones: the reservation wins. */
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = mb2_mmap_entry(i);
		if (e->type != MB2_MEM_AVAILABLE)
			reserve("firmware area", e->addr, e->addr + e->len);
	}
	reserve("low memory", 0, 1UL << 20);
	reserve("kernel image", kernel_image_start(), kernel_image_end());
	reserve("boot information", boot_info.mbi_phys, boot_info.mbi_phys + boot_info.mbi_size);
	pr_info("memmap: kernel image at %#llx-%#llx, boot information at %#llx-%#llx\n",
		(unsigned long long)kernel_image_start(),
		(unsigned long long)kernel_image_end() - 1, (unsigned long long)boot_info.mbi_phys,
		(unsigned long long)(boot_info.mbi_phys + boot_info.mbi_size - 1));

	reserve_modules();

	if (memmap_free.n == 0)
		panic("memmap: no usable RAM above 1 MiB");
	memmap_end_pfn = memmap_free.r[memmap_free.n - 1].end >> PAGE_SHIFT;
}

phys_addr_t early_alloc(size_t npages)
{
	uint64_t size = npages * PAGE_SIZE;

	if (early_alloc_closed)
		panic("early_alloc after the page allocator took over");
	for (unsigned int i = 0; i < memmap_free.n; i++) {
		struct mem_range *r = &memmap_free.r[i];
		phys_addr_t pa = r->start;

		if (pa + size > r->end || pa + size > EARLY_ALLOC_LIMIT)
			continue;
		r->start += size; /* an emptied range stays in the set, harmlessly */
		early_alloc_pages += npages;
		return pa;
	}
	return 0;
}

void early_alloc_close(void)
{
	early_alloc_closed = true;
}

/*
 * Gives the boot modules' pages (memmap_modules) to the page allocator, once, after their
 * contents have been read: Linux's free_initrd_mem. The modules' bytes are gone afterwards.
 * Returns the number of pages freed.
 */
uint64_t memmap_free_modules(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < memmap_modules.n; i++)
		n += free_reserved_pages(memmap_modules.r[i].start >> PAGE_SHIFT,
					 memmap_modules.r[i].end >> PAGE_SHIFT);
	memmap_modules.n = 0;
	return n;
}
