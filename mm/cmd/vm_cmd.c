/*
 * The `vm` and `pt` shell commands (docs/vm.md): the address-space counters, and a few calls to
 * try by hand on the shell's own address space, which is made at the first `vm map`:
 *
 *	vm			counters (pages, faults by kind, TLB, mmu_gather), then every mm
 *	vm map LEN [PROT]	maps LEN bytes of anonymous private memory; PROT r, rw (default),
 *				or none; prints the address
 *	vm touch ADDR [LEN] [w]	reads (w: writes) one word in each page, as a thread inside the mm
 *	vm protect ADDR LEN PROT
 *	vm unmap ADDR LEN
 *	vm maps			the shell mm's VMAs
 *	vm mode [batched|unbatched|broadcast|rework|legacy]	how munmap flushes (the bench's variants)
 *	pt ADDR			the page-table walk for ADDR: the shell mm below USER_TOP, the
 *				kernel's tables above
 */
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/fault.h"
#include "mm/tlb.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/uaccess.h"
#include "mm/pgtable.h"
#include "arch/x86_64/tlb.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct mm *shell_mm;

static struct mm *get_shell_mm(void)
{
	if (!shell_mm)
		shell_mm = mm_alloc("shell");
	return shell_mm;
}

static void print_mm(struct mm *mm, void *arg)
{
	(void)arg;
	kprintf("  %-16s users %d  vmas %u  pages %llu  page tables %llu  on %u CPUs\n",
		mm->name, atomic_read(&mm->users), mm->nr_vmas,
		(unsigned long long)mm->nr_pages, (unsigned long long)mm->nr_pgtables,
		cpumask_weight(&mm->cpu_mask));
}

static void show(void)
{
	struct fault_stats f = fault_stats();
	struct tlb_stats t = tlb_stats();
	struct mmu_gather_stats g = mmu_gather_stats();
	struct tlb_features feat = tlb_features();

	kprintf("user pages %llu in %u address spaces; copies stopped by a fault %llu\n",
		(unsigned long long)nr_user_pages(), nr_mms(),
		(unsigned long long)uaccess_faults());
	kprintf("faults: demand-zero %llu, zero page %llu, copy-on-write %llu, reuse %llu, "
		"PROT_NONE shown %llu, spurious %llu\n",
		(unsigned long long)f.demand_zero, (unsigned long long)f.zero_page,
		(unsigned long long)f.cow, (unsigned long long)f.reuse,
		(unsigned long long)f.protnone, (unsigned long long)f.spurious);
	kprintf("faults refused (-EFAULT): no VMA %llu, not allowed %llu, may not sleep %llu, "
		"out of memory %llu\n",
		(unsigned long long)f.bad_area, (unsigned long long)f.bad_access,
		(unsigned long long)f.no_sleep, (unsigned long long)f.oom);
	kprintf("tlb: %llu shootdowns, %llu IPIs, %llu pages flushed one by one, %llu full "
		"flushes, %llu IPIs found the CPU gone; PCID %s, INVPCID %s (not used)\n",
		(unsigned long long)t.flushes, (unsigned long long)t.ipis,
		(unsigned long long)t.pages, (unsigned long long)t.full_flushes,
		(unsigned long long)t.skipped, feat.pcid ? "yes" : "no",
		feat.invpcid ? "yes" : "no");
	kprintf("tlb: %llu of the shootdowns sent IPIs, %llu ns each on average from the first IPI "
		"to the last acknowledgement\n",
		(unsigned long long)t.shootdowns,
		(unsigned long long)(t.shootdowns ? t.shootdown_ns / t.shootdowns : 0));
	kprintf("tlb lazy: %llu switches to a kernel thread kept the user's tables, %llu IPIs "
		"skipped for lazy CPUs, %llu lazy CPUs sent to the kernel's tables, %llu returns "
		"flushed what they missed\n",
		(unsigned long long)t.lazy_switches, (unsigned long long)t.lazy_skipped,
		(unsigned long long)t.lazy_to_kernel, (unsigned long long)t.lazy_missed);
	kprintf("mmu_gather (%s): %llu gathers (%llu whole-mm teardowns), %llu flushes (%llu under "
		"page_table_lock, %llu of them because a writable shared file entry was zapped), "
		"%llu pages and %llu page tables freed (%llu after an IPI, with no page for a "
		"table batch), %llu batch pages, %llu batch allocations failed\n",
		tlb_mode_names[tlb_mode], (unsigned long long)g.gathers,
		(unsigned long long)g.fullmm, (unsigned long long)g.flushes,
		(unsigned long long)g.flushes_locked, (unsigned long long)g.flushes_dirty,
		(unsigned long long)g.pages_freed, (unsigned long long)g.tables_freed,
		(unsigned long long)g.tables_sync, (unsigned long long)g.batch_pages,
		(unsigned long long)g.batch_fails);
	kprintf("debug_vm: %s (whole page tables checked empty when freed; boot with debug_vm)\n",
		debug_vm ? "on" : "off");
	mm_for_each(print_mm, NULL);
}

static int parse_prot(const char *s, unsigned int *prot)
{
	if (strcmp(s, "r") == 0)
		*prot = PROT_READ;
	else if (strcmp(s, "rw") == 0)
		*prot = PROT_READ | PROT_WRITE;
	else if (strcmp(s, "none") == 0)
		*prot = PROT_NONE;
	else
		return -EINVAL;
	return 0;
}

static void show_maps(struct mm *mm)
{
	struct vm_area *vma;

	down_read(&mm->mmap_lock);
	list_for_each_entry(vma, &mm->vmas, node)
		kprintf("  %#014llx-%#014llx %c%c%c %s %s %llu KiB\n",
			(unsigned long long)vma->start, (unsigned long long)vma->end,
			vma->prot & PROT_READ ? 'r' : '-', vma->prot & PROT_WRITE ? 'w' : '-',
			vma->prot & PROT_EXEC ? 'x' : '-',
			vma->flags & MAP_SHARED ? "shared " : "private",
			vma->flags & MAP_ANONYMOUS ? "anonymous" : "file",
			(unsigned long long)((vma->end - vma->start) >> 10));
	up_read(&mm->mmap_lock);
}

/* One word in each page of [addr, addr + len), from inside the shell mm. */
static int touch(struct mm *mm, uint64_t addr, uint64_t len, bool write)
{
	struct fault_stats f0 = fault_stats(), f1;
	uint64_t pages = 0, v = 0;
	int err = 0;

	kthread_use_mm(mm);
	for (uint64_t a = addr & PAGE_MASK; a < addr + len && !err; a += PAGE_SIZE) {
		err = write ? put_user_u64(a, a) : get_user_u64(&v, a);
		pages += !err;
	}
	kthread_unuse_mm(mm);
	f1 = fault_stats();
	kprintf("vm: pages %s: %llu; faults: demand-zero %llu, zero page %llu, copy-on-write %llu, "
		"refused %llu\n",
		write ? "written" : "read", (unsigned long long)pages,
		(unsigned long long)(f1.demand_zero - f0.demand_zero),
		(unsigned long long)(f1.zero_page - f0.zero_page),
		(unsigned long long)(f1.cow - f0.cow),
		(unsigned long long)(f1.bad_area + f1.bad_access - f0.bad_area - f0.bad_access));
	return err;
}

static int set_mode(const char *name)
{
	for (unsigned int m = 0; m < NR_TLB_MODES; m++)
		if (strcmp(name, tlb_mode_names[m]) == 0) {
			WRITE_ONCE(tlb_mode, (enum tlb_mode)m);
			return 0;
		}
	return -EINVAL;
}

static bool num(const char *s, unsigned long long *v)
{
	return parse_u64(s, v, 0, 1) == 0; /* 0x1000, 4096, 4K */
}

/* vm map/touch/protect/unmap on the shell mm. */
static int cmd_vm_op(struct mm *mm, int argc, char **argv)
{
	unsigned int prot = PROT_READ | PROT_WRITE;
	unsigned long long a = 0, len = 1;
	bool w = strcmp(argv[argc - 1], "w") == 0;
	int64_t got;

	if (strcmp(argv[1], "map") == 0 && (argc == 3 || argc == 4) && num(argv[2], &len) &&
	    (argc == 3 || !parse_prot(argv[3], &prot))) {
		got = vm_mmap(mm, 0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
		if (got >= 0)
			kprintf("vm: mapped at %#llx\n", (unsigned long long)got);
		return got < 0 ? (int)got : 0;
	}
	if (strcmp(argv[1], "touch") == 0 && argc - w >= 3 && argc - w <= 4 && num(argv[2], &a) &&
	    (argc - w == 3 || num(argv[3], &len)))
		return touch(mm, a, len, w);
	if (strcmp(argv[1], "protect") == 0 && argc == 5 && num(argv[2], &a) &&
	    num(argv[3], &len) && !parse_prot(argv[4], &prot))
		return vm_mprotect(mm, a, len, prot);
	if (strcmp(argv[1], "unmap") == 0 && argc == 4 && num(argv[2], &a) && num(argv[3], &len))
		return vm_munmap(mm, a, len);
	return shell_usage(argv[0]);
}

static int cmd_vm(int argc, char **argv)
{
	struct mm *mm;

	if (argc == 1) {
		show();
		return 0;
	}
	if (strcmp(argv[1], "mode") == 0) {
		if (argc == 3)
			return set_mode(argv[2]) ? shell_usage(argv[0]) : 0;
		kprintf("vm: munmap flushes %s\n", tlb_mode_names[tlb_mode]);
		return argc == 2 ? 0 : shell_usage(argv[0]);
	}
	if (!(mm = get_shell_mm()))
		return -ENOMEM;
	if (strcmp(argv[1], "maps") == 0 && argc == 2) {
		show_maps(mm);
		return 0;
	}
	return cmd_vm_op(mm, argc, argv);
}
SHELL_COMMAND("vm",
	      "[map LEN [r|rw|none] | touch ADDR [LEN] [w] | protect ADDR LEN r|rw|none | "
	      "unmap ADDR LEN | maps | mode [batched|unbatched|broadcast|rework|legacy]]",
	      "address spaces: faults, TLB shootdowns, the mmu_gather; map and touch memory",
	      cmd_vm);

static const char *const level_names[] = { "", "PT", "PD", "PDPT", "PML4" };

static void print_entry(int level, unsigned int index, pte_t e)
{
	kprintf("  %-4s[%3u] %#018llx %s%s%s%s%s%s%s-> %#llx\n", level_names[level], index,
		(unsigned long long)e, e & PTE_P ? "P " : "- ", e & PTE_W ? "W " : "",
		e & PTE_U ? "U " : "", e & PTE_PS ? "PS " : "", e & PTE_G ? "G " : "",
		e & PTE_NX ? "NX " : "", e & PTE_PROTNONE ? "PROTNONE " : "",
		(unsigned long long)pte_addr(e));
}

/* The walk, level by level, as the CPU does it (without taking any lock: a snapshot). */
static int cmd_pt(int argc, char **argv)
{
	unsigned long long va;
	pte_t *table;

	if (argc != 2 || parse_u64(argv[1], &va, 0, 0))
		return shell_usage(argv[0]);
	if (!va_is_canonical(va)) {
		kprintf("pt: %#llx is not canonical: bits 48..63 must copy bit 47\n", va);
		return -EINVAL;
	}
	if (va < USER_TOP && !shell_mm) {
		kprintf("pt: the shell has no address space yet (vm map makes one)\n");
		return -ENOENT;
	}
	table = va < USER_TOP ? shell_mm->pml4 : kernel_pml4;
	kprintf("pt %#llx in %s:\n", va, va < USER_TOP ? "the shell mm" : "the kernel's tables");
	for (int level = 4; level >= 1; level--) {
		pte_t e = READ_ONCE(table[pt_index(va, level)]);

		print_entry(level, pt_index(va, level), e);
		if (!pte_present(e)) {
			kprintf("pt: not mapped (stops at the %s entry)\n", level_names[level]);
			return 0;
		}
		if (level == 1 || (e & PTE_PS)) {
			uint64_t size = pt_level_size(level);

			kprintf("pt: %#llx -> physical %#llx (a %llu KiB page)\n", va,
				(unsigned long long)(pte_addr(e) & ~(size - 1)) + (va & (size - 1)),
				(unsigned long long)(size >> 10));
			return 0;
		}
		table = phys_to_virt(pte_addr(e));
	}
	return 0;
}
SHELL_COMMAND("pt", "ADDR", "walk the page tables for ADDR (the shell mm, or the kernel's)",
	      cmd_pt);
