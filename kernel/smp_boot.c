/*
 * Bringing up the other CPUs (the "APs") with the MP startup protocol:
 *
 *  1. The ACPI MADT lists every CPU's local APIC id.
 *  2. boot/trampoline.asm is copied to physical 0x8000, below 1 MiB where real mode can reach.
 *  3. For each AP in turn: give it a per-CPU area, a guarded stack and IST stacks, write them in
 *     the trampoline's parameter block, then send INIT, wait 10 ms, and send two startup IPIs
 *     with vector 0x08 (= page 0x8000). The AP wakes in real mode at 0x8000, climbs to long
 *     mode and calls ap_start(), which loads its own GDT, TSS, IDT and GS base, enables its
 *     local APIC and timer, and marks itself online.
 *  4. The boot CPU waits up to AP_TIMEOUT_MS for that; a CPU that does not answer is reported
 *     and skipped (its memory is not freed: it might still wake up later and use it).
 */
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/multiboot2.h"
#include "kernel/tick.h"
#include "kernel/irq.h"
#include "kernel/sched/sched.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/smap.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/tsc.h"
#include "mm/ioremap.h"
#include "mm/slab.h"
#include "mm/vmap.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TRAMPOLINE_PHYS	 0x8000
#define AP_STACK_PAGES	 4
#define AP_IST_PAGES	 4
#define AP_TIMEOUT_MS	 1000

extern char trampoline_start[], trampoline_end[];
extern char trampoline_cr3[], trampoline_kernel_cr3[], trampoline_stack[], trampoline_arg[];
extern char boot_pml4[];

struct cpumask cpu_online_mask;
uint64_t smp_boot_ns;

/* What each AP needs from the boot CPU, indexed by CPU number. */
struct ap_boot {
	struct cpu_tables *tables;
	void *df_stack, *nmi_stack;
};
static struct ap_boot ap_boot[NR_CPUS];
static struct acpi_madt_info madt;

static void *trampoline_param(char *sym)
{
	return phys_to_virt(TRAMPOLINE_PHYS + (uint64_t)(sym - trampoline_start));
}

unsigned int num_online_cpus(void)
{
	return cpumask_weight(&cpu_online_mask);
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && cpumask_test_cpu(cpu, &cpu_online_mask);
}

/*
 * What ring 3 needs of every CPU: its TSS known (RSP0 changes at every switch), SSE allowed
 * (user code uses it; the kernel does not), SMEP and SMAP when offered, the syscall MSRs.
 */
static void cpu_init_user_mode(struct tss *tss)
{
	this_cpu()->tss = tss;
	fpu_init_cpu();
	smap_init_cpu();
	syscall_init_cpu();
}

/* Brings this CPU's own state up: the part the boot CPU and the APs share. */
static void cpu_bringup(unsigned int cpu, struct tss *tss)
{
	cpu_init_user_mode(tss);
	lapic_enable();
	smp_call_init_cpu();
	tick_start_this_cpu();
	this_cpu()->online_tsc = rdtsc();
	/* Publishes everything above (the APIC, the call queue, the tick) before online: pairs
	   with the smp_load_acquire() in wait_online(), after which the boot CPU may send IPIs. */
	smp_store_release(&this_cpu()->online, true);
	cpumask_set_cpu(cpu, &cpu_online_mask);
}

/* Called by boot/trampoline.asm on the AP's own stack, with the kernel's page tables loaded. */
__noreturn void ap_start(uint64_t cpu);
__noreturn void ap_start(uint64_t cpu)
{
	struct ap_boot *b = &ap_boot[cpu];

	percpu_load((unsigned int)cpu);
	gdt_load_cpu(b->tables, (uint64_t)b->df_stack, (uint64_t)b->nmi_stack);
	idt_load();
	write_cr4(read_cr4() | CR4_PGE);
	sched_init_ap();
	cpu_bringup((unsigned int)cpu, &b->tables->tss);
	sched_idle_loop();
}

static int alloc_ap(unsigned int cpu, uint32_t apic_id, void **stack)
{
	struct ap_boot *b = &ap_boot[cpu];
	int err = percpu_alloc_cpu(cpu, apic_id);

	if (err)
		return err;
	b->tables = kzalloc(sizeof(*b->tables));
	*stack = vmap_stack_alloc(AP_STACK_PAGES);
	b->df_stack = vmap_stack_alloc(AP_IST_PAGES);
	b->nmi_stack = vmap_stack_alloc(AP_IST_PAGES);
	if (!b->tables || !*stack || !b->df_stack || !b->nmi_stack)
		return -ENOMEM; /* boot-time only: what was allocated stays allocated */
	return 0;
}

static bool wait_online(unsigned int cpu)
{
	uint64_t end = ktime_ns() + AP_TIMEOUT_MS * 1000000ULL;

	/* Pairs with the smp_store_release() of online in cpu_bringup() on the AP. */
	while (!smp_load_acquire(&per_cpu(cpu_info, cpu).online)) {
		if (ktime_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static void start_ap(uint32_t apic_id)
{
	unsigned int cpu = nr_cpu_ids;
	void *stack;
	int err;

	if (cpu >= NR_CPUS) {
		pr_warn("smp: APIC id %u: more than %d CPUs, skipped\n", apic_id, NR_CPUS);
		return;
	}
	err = alloc_ap(cpu, apic_id, &stack);
	if (err) {
		pr_warn("smp: APIC id %u: no memory for it (%s), skipped\n", apic_id, errno_name(err));
		return;
	}
	*(uint64_t *)trampoline_param(trampoline_stack) = (uint64_t)stack;
	*(uint64_t *)trampoline_param(trampoline_arg) = cpu;
	nr_cpu_ids++;
	lapic_start_ap(apic_id, TRAMPOLINE_PHYS);
	if (!wait_online(cpu)) {
		pr_warn("smp: cpu %u (APIC id %u) did not come online within %d ms, skipped\n", cpu,
			apic_id, AP_TIMEOUT_MS);
		nr_cpu_ids--;
		return;
	}
	pr_info("smp: cpu %u online (APIC id %u)\n", cpu, apic_id);
}

static void copy_trampoline(void)
{
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	*(uint64_t *)trampoline_param(trampoline_cr3) = virt_to_phys(boot_pml4);
	*(uint64_t *)trampoline_param(trampoline_kernel_cr3) = read_cr3();
}

/* Without a usable MADT: the local APIC is where the APIC base MSR says, and only we run. */
static uint64_t lapic_phys_fallback(void)
{
	return rdmsr(0x1b) & ~0xfffULL;
}

void smp_init(void)
{
	const void *rsdp = boot_info.acpi_rsdp_new ? boot_info.acpi_rsdp_new
						   : boot_info.acpi_rsdp_old;
	const char *why = NULL;
	int err = acpi_read_madt(rsdp, &madt, &why);
	uint64_t lapic_phys = err ? lapic_phys_fallback() : madt.lapic_phys;
	uint32_t bsp_apic;
	uint64_t t0;

	if (err)
		pr_warn("smp: ACPI: %s; running on the boot CPU only\n", why);
	if (!ioremap(lapic_phys, PAGE_SIZE))
		panic("smp: cannot map the local APIC at %#llx", (unsigned long long)lapic_phys);
	lapic_setup(lapic_phys);
	/* Enabled first: in x2APIC mode every APIC register is an MSR that faults (#GP) until the
	   mode is switched on, the ID register read below included. */
	lapic_enable();
	pic_disable();
	irq_init(err ? NULL : &madt);
	bsp_apic = lapic_id();
	this_cpu()->apic_id = bsp_apic;
	pr_info("smp: local APIC at %#llx in %s mode, boot CPU APIC id %u\n",
		(unsigned long long)lapic_phys, lapic_x2apic_mode() ? "x2APIC" : "xAPIC", bsp_apic);
	tick_init();
	cpu_bringup(0, gdt_boot_tss());
	if (err)
		return;
	pr_info("smp: MADT (%s) lists %u CPUs (%u skipped), %u I/O APICs\n", madt.oem_id,
		madt.ncpus, madt.ncpus_skipped, madt.nioapics);
	copy_trampoline();
	t0 = ktime_ns();
	for (unsigned int i = 0; i < madt.ncpus; i++)
		if (madt.cpus[i].apic_id != bsp_apic)
			start_ap(madt.cpus[i].apic_id);
	smp_boot_ns = ktime_ns() - t0;
	pr_info("smp: %u CPUs online; bring-up took %llu.%03llu ms\n", num_online_cpus(),
		(unsigned long long)(smp_boot_ns / 1000000),
		(unsigned long long)(smp_boot_ns / 1000 % 1000));
}
