# The project's gdb script. `make gdb` runs: gdb -ex 'set $gdbport = PORT' -x tools/gdb/kernel.gdb
# build/kernel.elf, after `make debug` started QEMU paused with its gdb stub on that port.
#
# QEMU's stub shows each CPU as a gdb thread. The machine starts in 16-bit real mode at the
# reset vector, runs the firmware, GRUB, then our 32-bit entry and the switch to long mode.
# gdb keeps the x86-64 register layout throughout (the ELF is ELF64 and the architecture is
# set below), so the session survives that switch.
#
# Why hbreak: GRUB copies the kernel into memory after gdb has connected, so a software
# breakpoint (an int3 written into the code) placed now would be overwritten by the copy. A
# hardware breakpoint lives in a debug register and matches the address whatever the memory
# holds. x86 has four of them.

set confirm off
set pagination off
set print pretty on
set architecture i386:x86-64

if $_isvoid($gdbport)
	set $gdbport = 1234
end
eval "target remote :%d", $gdbport

hbreak kmain

define cpus
	info threads
end
document cpus
List the CPUs: QEMU's gdb stub shows each one as a thread ('thread N' switches to CPU N-1).
end

define trapframe
	print/x *(struct trap_frame *)($arg0)
end
document trapframe
trapframe ADDR: print the struct trap_frame at ADDR (arch/x86_64/trap.h), the registers an
exception or interrupt saved on the stack.
end

define teachos-help
	echo teachos gdb commands (help NAME for more):\n
	echo \  dmesg          the kernel log ring, oldest line first\n
	echo \  ksym ADDR      function+offset and source line of an address\n
	echo \  pagewalk ADDR [MM]  walk the page tables for an address (CR3, or a struct mm *)\n
	echo \  gather [TLB]   the mmu_gather's counts; with a struct mmu_gather *, its batches and range\n
	echo \  pageinfo PAGE|ADDR|PFN  a page's flags, counts, and its PTEs through the reverse map\n
	echo \  trapframe ADDR print a saved trap frame\n
	echo \  cpus           list the CPUs (gdb threads)\n
	echo \  percpu VAR CPU one CPU's copy of a per-CPU variable (percpu cpu_info 1)\n
	echo \  kps            the kernel threads: tid, name, CPU, state, where each sleeps\n
	echo \  tbt TID        backtrace of a switched-out thread\n
	echo \  uprocs         user processes and their threads: pid, tid, CPU, user rip and rsp\n
	echo \  uregs TID      a user thread's saved user registers (the frame atop its stack)\n
	echo \  rcu            grace periods, quiescent states owed, callbacks per CPU\n
	echo \  mounts [ID|ADDR] the mount tree; with a mount id or address, its per-CPU counts\n
	echo \  longterm       the longterm mounts (kern_mount, clone_private_mount) and their refs\n
	echo \  virtq          each virtio-blk disk's request ring: indexes, free descriptors\n
	echo Plain gdb: c (continue), n/s (next/step a line), bt, info registers, x/8gx ADDR,\n
	echo \  hbreak FUNC (use hbreak, not break, for code GRUB has not loaded yet).\n
end
document teachos-help
List the commands tools/gdb/kernel.gdb adds.
end

python
import re

import gdb

# arch/x86_64/memlayout.h: all RAM appears at this address (the direct map); page tables are
# read through it.
DIRECT_MAP_BASE = 0xFFFF800000000000
U64 = (1 << 64) - 1


def read_u64(addr):
    return int.from_bytes(gdb.selected_inferior().read_memory(addr, 8).tobytes(), "little")


class Dmesg(gdb.Command):
    """Print the kernel log ring (kernel/printk.c), oldest line first, like the shell's dmesg.

Works at any stop after printk's first message, even when the kernel is wedged."""

    def __init__(self):
        super().__init__("dmesg", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        ring = gdb.parse_and_eval("'kernel/printk.c'::ring")
        head = int(gdb.parse_and_eval("'kernel/printk.c'::ring_head"))
        size = ring.type.sizeof
        data = gdb.selected_inferior().read_memory(ring.address, size).tobytes()
        start = max(0, head - size)
        text = bytes(data[i % size] for i in range(start, head))
        if head > size:  # the oldest line was partly overwritten: start at the next one
            text = text[text.find(b"\n") + 1:]
        gdb.write(text.decode("utf-8", "replace"))


class Ksym(gdb.Command):
    """ksym ADDR: the function (+offset) and source line that hold ADDR.

For the addresses a panic prints (RIP, backtrace frames): ksym 0xffffffff80012345"""

    def __init__(self):
        super().__init__("ksym", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        addr = int(gdb.parse_and_eval(arg)) & U64
        # The ELF symbol table names the function even where the line is in inlined code.
        sym = gdb.execute(f"info symbol {addr:#x}", to_string=True).strip()
        m = re.match(r"(\S+)(?: \+ (\d+))? in section", sym)
        name = f"{m.group(1)}+{int(m.group(2) or 0):#x}" if m else "no symbol"
        sal = gdb.find_pc_line(addr)
        where = f" at {sal.symtab.filename}:{sal.line}" if sal.symtab else ""
        gdb.write(f"{addr:#x} is {name}{where}\n")


# arch/x86_64/pgtable.h: an entry holds the next table's (or the page's) physical address in
# bits 12..51 and flags around it. Bit 9 is the software's: PTE_PROTNONE, left by
# mprotect(PROT_NONE) on an entry whose P it clears, so that the address still names the page.
PTE_ADDR_MASK = 0x000FFFFFFFFFF000
PTE_P, PTE_PS, PTE_PROTNONE = 1 << 0, 1 << 7, 1 << 9
PTE_FLAGS = [(0, "P"), (1, "RW"), (2, "US"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
             (7, "PS"), (8, "G"), (9, "PROTNONE"), (63, "NX")]
PT_LEVELS = [("PML4", 39), ("PDPT", 30), ("PD", 21), ("PT", 12)]  # name, shift of the index


def addr_and_rest(arg, usage):
    """(ADDR, REST) from "ADDR [REST]": ADDR an address expression, REST None or a string.

ADDR alone may hold spaces ((unsigned long)&kmain), so the whole argument is tried first."""
    if not arg.strip():
        raise gdb.GdbError(usage)
    try:
        value, rest = gdb.parse_and_eval(arg), None
    except gdb.error as e:
        head, _, rest = arg.strip().rpartition(" ")
        if not head:
            raise gdb.GdbError(f"{str(e).rstrip('.')}; {usage}")
        try:
            value = gdb.parse_and_eval(head)
        except gdb.error as e:
            raise gdb.GdbError(f"{str(e).rstrip('.')}; {usage}")
    if value.type.code == gdb.TYPE_CODE_FUNC:  # a function's name: its address
        value = value.address
    return int(value) & U64, rest


def walk_page_tables(va, table, root):
    """Print the walk the MMU does for virtual address va from the PML4 at physical table.

Each level: the entry's index, its raw value, the physical address it points to, its flags.
Then where the walk ends: the physical address of va, or the level at which it stops."""
    gdb.write(f"{va:#018x}: {root} {table:#x}\n")
    if va >> 47 not in (0, 0x1FFFF):  # bits 47..63 all equal: canonical
        gdb.write("  not canonical (bits 48..63 must copy bit 47): an access faults\n")
        return
    for depth, (name, shift) in enumerate(PT_LEVELS):
        index = (va >> shift) & 511
        entry = read_u64(DIRECT_MAP_BASE + table + index * 8)
        large = depth in (1, 2) and entry & PTE_PS  # a 1 GiB or 2 MiB page ends the walk
        size = 1 << shift
        # In a large page's entry, bit 12 is PAT, not an address bit.
        target = entry & PTE_ADDR_MASK & ~(size - 1 if large else 0)
        # Without P the CPU ignores the other bits; only PROTNONE says they still mean a page.
        points_to = f"{target:#x}" if entry & (PTE_P | PTE_PROTNONE) else "-"
        flags = " ".join(f for bit, f in PTE_FLAGS if entry >> bit & 1)
        slot = f"{name}[{index}]"
        gdb.write(f"  {slot:<10} = {entry:#018x} -> {points_to:<13} {flags}".rstrip() + "\n")
        if not entry & PTE_P:
            if entry & PTE_PROTNONE:
                gdb.write(f"  not present at {name}: PROTNONE, mprotect(PROT_NONE) hides "
                          f"physical {target:#x}; an access faults\n")
            else:
                gdb.write(f"  not present at {name}: an access faults\n")
            return
        if large or depth == 3:
            label = {12: "4 KiB", 21: "2 MiB", 30: "1 GiB"}[shift]
            gdb.write(f"  {label} page: physical {target | (va & (size - 1)):#x}\n")
            return
        table = target


class PageWalk(gdb.Command):
    """pagewalk ADDR [MM]: walk the 4-level page tables for virtual address ADDR.

The tables are the current CPU's (CR3), or those of MM, a struct mm * expression (mm/mm.h),
for an address space this CPU does not run. Prints each level's entry, the physical address it
points to and its flags (P present, RW writable, US user, PWT/PCD caching, A accessed, D dirty,
PS large page, G global, PROTNONE the software bit mprotect(PROT_NONE) leaves, NX no-execute),
then the physical address of ADDR, or the level where the walk stops."""

    USAGE = "usage: pagewalk ADDR [MM]  (MM: a struct mm * expression)"

    def __init__(self):
        super().__init__("pagewalk", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        va, mm_expr = addr_and_rest(arg, self.USAGE)
        if mm_expr:
            mm = gdb.parse_and_eval(mm_expr).dereference()
            table, root = int(mm["pml4_phys"]), f"mm {mm['name'].string()}"
        else:
            cr3 = gdb.parse_and_eval("$cr3")  # void when the stub does not send CR3
            if cr3.type.code != gdb.TYPE_CODE_VOID:
                table, root = int(cr3), "CR3"
            else:
                table, root = int(gdb.parse_and_eval("kernel_pml4_phys")), "kernel_pml4_phys"
                if not table:
                    raise gdb.GdbError("pagewalk: no $cr3, and kernel_pml4_phys is not set yet")
        walk_page_tables(va, table & PTE_ADDR_MASK, root)


# mm/page.h and mm/filemap.h: the page flags.
PAGE_FLAGS = [(0, "reserved"), (1, "buddy"), (2, "slab"), (3, "large_kmalloc"), (4, "pgtable"),
              (5, "unscrubbed"), (6, "pcp"), (8, "uptodate"), (9, "dirty"), (10, "writeback"),
              (11, "mappedtodisk")]


def leaf_entry(table, va):
    """The level-1 entry for va under the PML4 at physical table, or None when a level above
is missing (no large pages in user address spaces)."""
    for depth, (_, shift) in enumerate(PT_LEVELS):
        entry = read_u64(DIRECT_MAP_BASE + table + ((va >> shift) & 511) * 8)
        if depth == 3:
            return entry
        if not entry & PTE_P:
            return None
        table = entry & PTE_ADDR_MASK


class PageInfo(gdb.Command):
    """pageinfo PAGE|ADDR|PFN: a struct page's flags and counts, and (dirty tracking) the page-table
entries that map it, found through the reverse map.

The argument is a struct page * expression, a direct-map address (0xffff8...) or a frame
number. For a page-cache page the mapping's i_mmap list gives each VMA that maps the file;
for each one that covers the page's index, the address there, the mm, and its entry with the
flags (RW writable, D dirty): a page writeback has cleaned shows no RW and no D anywhere."""

    USAGE = "usage: pageinfo PAGE|ADDR|PFN  (a struct page *, a direct-map address, a frame)"

    def __init__(self):
        super().__init__("pageinfo", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError(self.USAGE)
        value = gdb.parse_and_eval(arg)
        page_t = gdb.lookup_type("struct page")
        mem_map = int(gdb.parse_and_eval("mem_map"))
        if value.type.code == gdb.TYPE_CODE_PTR and value.type.target().strip_typedefs() == page_t:
            addr = int(value) & U64
        else:
            n = int(value) & U64
            pfn = (n - DIRECT_MAP_BASE) >> 12 if n >= DIRECT_MAP_BASE else n
            addr = mem_map + pfn * page_t.sizeof
        pfn = (addr - mem_map) // page_t.sizeof
        page = gdb.Value(addr).cast(page_t.pointer()).dereference()
        flags = int(page["flags"])
        names = " ".join(n for bit, n in PAGE_FLAGS if flags >> bit & 1) or "-"
        mapping = int(page["mapping"])
        gdb.write(f"page {addr:#x}: pfn {pfn:#x} (physical {pfn << 12:#x})  flags {flags:#x} "
                  f"[{names}]\n  refcount {int(page['refcount'])}  mapcount "
                  f"{int(page['mapcount'])}  mapping {mapping:#x}  index {int(page['index'])}\n")
        if not mapping or flags & (1 << 2):
            gdb.write("  not a page-cache page: no reverse map\n")
            return
        m = gdb.Value(mapping).cast(gdb.lookup_type("struct address_space").pointer())
        vma_t = gdb.lookup_type("struct vm_area")
        off = int(gdb.parse_and_eval("(unsigned long)&((struct vm_area *)0)->shared"))
        head = int(m["i_mmap"].address)
        node, found = int(m["i_mmap"]["next"]), 0
        index = int(page["index"])
        while node != head:
            vma = gdb.Value(node - off).cast(vma_t.pointer()).dereference()
            start, end, pgoff = int(vma["start"]), int(vma["end"]), int(vma["pgoff"])
            node = int(vma["shared"]["next"])
            if not pgoff <= index < pgoff + (end - start) // 4096:
                continue
            va = start + (index - pgoff) * 4096
            mm = vma["mm"].dereference()
            kind = "shared" if int(vma["flags"]) & 1 else "private"
            if int(vma["flags"]) & 1 and int(vma["prot"]) & 2:
                # Dirty tracking: a clean page is mapped read-only and the first write
                # faults; without it (dirty set writenotify 0, as before 2.6.19) only the
                # entry's D bit records a write, until msync or munmap looks.
                kind += (", write notify" if bool(vma["writenotify"]) else
                         ", no write notify: dirty only in D" if bool(vma["no_writenotify"])
                         else ", no write notify")
            e = leaf_entry(int(mm["pml4_phys"]), va)
            found += 1
            if e is None or not e & (PTE_P | PTE_PROTNONE):
                gdb.write(f"  mm {mm['name'].string():<16} {va:#x} ({kind}): not mapped\n")
                continue
            fl = " ".join(f for bit, f in PTE_FLAGS if e >> bit & 1)
            mine = "this page" if (e & PTE_ADDR_MASK) == pfn << 12 else "another page (a copy)"
            gdb.write(f"  mm {mm['name'].string():<16} {va:#x} ({kind}): PTE {e:#018x} "
                      f"{fl} -> {mine}\n")
        if not found:
            gdb.write("  no VMA maps it (i_mmap has no mapping over its index)\n")


def per_cpu_addr(var_addr, cpu):
    """The address of CPU cpu's copy of the per-CPU variable at var_addr (kernel/percpu.h)."""
    off = int(gdb.parse_and_eval(f"__per_cpu_offset[{cpu}]"))
    return (var_addr + off) & U64


class PerCpu(gdb.Command):
    """percpu VAR CPU: print CPU CPU's copy of the per-CPU variable VAR (DEFINE_PER_CPU).

Example: percpu cpu_info 2   (CPU 2's struct cpu: id, APIC id, ticks, running thread...)"""

    def __init__(self):
        super().__init__("percpu", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 2:
            raise gdb.GdbError("usage: percpu VAR CPU")
        var = gdb.parse_and_eval(args[0])
        addr = per_cpu_addr(int(var.address), int(gdb.parse_and_eval(args[1])))
        value = gdb.parse_and_eval(f"*({var.type.pointer()}){addr:#x}")
        gdb.write(f"{value}\n")


def threads():
    """Every struct thread on thread_list (kernel/kthread.c), in creation order."""
    head = gdb.parse_and_eval("&thread_list")
    node = head["next"]
    thread_ptr = gdb.lookup_type("struct thread").pointer()
    offset = int(gdb.parse_and_eval("&((struct thread *)0)->all_node"))
    while int(node) != int(head):
        yield gdb.Value(int(node) - offset).cast(thread_ptr).dereference()
        node = node["next"]


def running_on():
    """{thread address: cpu} for the thread each online CPU is running."""
    out = {}
    ncpus = int(gdb.parse_and_eval("nr_cpu_ids"))
    info = gdb.parse_and_eval("cpu_info")
    for cpu in range(ncpus):
        c = gdb.parse_and_eval(f"*(struct cpu *){per_cpu_addr(int(info.address), cpu):#x}")
        if int(c["thread"]):
            out[int(c["thread"])] = cpu
    return out


class Kps(gdb.Command):
    """kps: the kernel threads, like the shell's ps (tid, name, CPU, state, where it sleeps).

'running' threads are on a CPU now: 'thread N' (CPU N-1) and 'bt' show them. For a switched-out
thread, 'tbt TID' prints its backtrace."""

    def __init__(self):
        super().__init__("kps", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        running = running_on()
        gdb.write(f"{'tid':>5}  {'name':<16} {'cpu':>3}  {'state':<9} where\n")
        for t in threads():
            addr = int(t.address)
            state = str(t["state"]).replace("THREAD_", "").lower()
            if addr in running:
                state, where = "on-cpu", f"CPU {running[addr]} (gdb thread {running[addr] + 1})"
            else:
                rip = read_u64(int(t["saved_rsp"]) + 48)
                where = gdb.execute(f"info symbol {rip:#x}", to_string=True).split(" in ")[0]
            name = t["name"].string()
            gdb.write(f"{int(t['tid']):>5}  {name:<16} {int(t['cpu']):>3}  {state:<9} {where}\n")


def list_of(head_expr, type_name, member):
    """The entries of a struct list_head, as values of type_name linked through member."""
    head = gdb.parse_and_eval(head_expr)
    ptr = gdb.lookup_type(type_name).pointer()
    offset = int(gdb.parse_and_eval(f"&(({type_name} *)0)->{member}"))
    node = head["next"]
    for _ in range(100000):  # a corrupted list must not hang gdb
        if int(node) == int(head.address) or not int(node):
            return
        yield gdb.Value(int(node) - offset).cast(ptr).dereference()
        node = node["next"]


def user_frame(t):
    """The struct trap_frame at the top of a user thread's kernel stack (user_frame_of)."""
    frame_t = gdb.lookup_type("struct trap_frame")
    addr = int(t["stack_top"]) - frame_t.sizeof
    return gdb.Value(addr).cast(frame_t.pointer()).dereference()


class Uprocs(gdb.Command):
    """uprocs: the user processes (kernel/process.h) and their threads.

For each thread: its tid, CPU, state, and the user rip and rsp saved in the trap frame at the top
of its kernel stack: where it will return to in ring 3. To stop in a program's own code, load its
symbols and use a hardware breakpoint: add-symbol-file build/user/bin/hello, hbreak main
(docs/debugging.md)."""

    def __init__(self):
        super().__init__("uprocs", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        running = running_on()
        for p in list_of("process_list", "struct process", "all_node"):
            state = str(p["state"]).replace("PROCESS_", "").lower()
            if int(p["exiting"]):
                state += ", exiting"
            parent = int(p["parent"]["pid"]) if int(p["parent"]) else 0
            gdb.write(f"pid {int(p['pid'])} ({p['comm'].string()}), parent {parent}, "
                      f"{int(p['nr_threads'])} threads, {state}\n")
            for t in list_of(f"((struct process *){int(p.address):#x})->threads",
                             "struct thread", "proc_node"):
                f = user_frame(t)
                where = (f"on CPU {running[int(t.address)]}" if int(t.address) in running
                         else str(t["state"]).replace("THREAD_", "").lower())
                gdb.write(f"  tid {int(t['tid']):>5}  cpu {int(t['cpu'])}  {where:<10} "
                          f"user rip {int(f['rip']):#018x} rsp {int(f['rsp']):#018x}\n")


class Uregs(gdb.Command):
    """uregs TID: the user registers of thread TID, as saved on its way into the kernel."""

    def __init__(self):
        super().__init__("uregs", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip().isdigit():
            raise gdb.GdbError("usage: uregs TID")
        for t in threads():
            if int(t["tid"]) == int(arg) and int(t["proc"]):
                f = user_frame(t)
                for r in ("rip", "rsp", "rflags", "rax", "rdi", "rsi", "rdx", "r10", "r8",
                          "r9", "rbx", "rcx", "rbp", "r11", "r12", "r13", "r14", "r15"):
                    gdb.write(f"{r:>6} {int(f[r]) & U64:#018x}\n")
                gdb.write(f"{'fs':>6} {int(t['fs_base']):#018x} (TLS base)\n")
                return
        raise gdb.GdbError(f"no user thread {arg}")


class Tbt(gdb.Command):
    """tbt TID: backtrace of a switched-out thread, read from its saved stack.

switch_stack (arch/x86_64/switch.asm) left r15 r14 r13 r12 rbx rbp and the return address at
saved_rsp; rbp and the return address form the first frame record, and each frame's
'push rbp' record leads to the next."""

    def __init__(self):
        super().__init__("tbt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        tid = int(gdb.parse_and_eval(arg))
        for t in threads():
            if int(t["tid"]) != tid:
                continue
            if int(t.address) in running_on():
                raise gdb.GdbError(f"thread {tid} is on a CPU now: use 'kps', 'thread N', 'bt'")
            rsp = int(t["saved_rsp"])
            rbp, rip = read_u64(rsp + 40), read_u64(rsp + 48)
            for depth in range(32):
                if not rip:
                    break
                gdb.write(f"#{depth:<2} ")
                gdb.execute(f"ksym {rip:#x}")
                if not rbp:
                    break
                rbp, rip = read_u64(rbp), read_u64(rbp + 8)
            return
        raise gdb.GdbError(f"no thread {tid} (kps lists them)")


def cpus_in(mask):
    """The CPU numbers set in a struct cpumask."""
    words = mask["bits"]
    n = words.type.range()[1] + 1
    return [w * 64 + b for w in range(n) for b in range(64) if int(words[w]) >> b & 1]


def per_cpu_value(var, cpu):
    """CPU cpu's copy of the per-CPU variable var (a gdb.Value)."""
    addr = per_cpu_addr(int(var.address), cpu)
    return gdb.parse_and_eval(f"*({var.type.pointer()}){addr:#x}")


class Rcu(gdb.Command):
    """rcu: the RCU state (kernel/rcu/rcu.c), like the shell's rcu command, read from memory.

gp_seq is odd while a grace period runs; 'owed by' lists the CPUs that have not reported a
quiescent state for it yet (need_qs). Per CPU: callbacks pending and invoked, the grace period
its callbacks wait for (want: the next tick asks for it if 'requested up to' is lower), the
last grace period it reported for (qs_gp), its read-side nesting now, and need_resched (set, among
others, by an expedited grace period that found it inside a read-side section)."""

    def __init__(self):
        super().__init__("rcu", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        st = gdb.parse_and_eval("'kernel/rcu/rcu.c'::rcu_state")
        stats = st["stats"]
        seq = int(st["gp_seq"])
        if seq & 1:
            owed = " ".join(str(c) for c in cpus_in(st["need_qs"])) or "nobody"
            state = f"running, owed by CPUs: {owed}"
        else:
            state = "none running"
        gdb.write(f"gp_seq {seq} ({state}); requested up to {int(st['gp_requested'])}\n")
        gdb.write(f"grace periods: {int(stats['gp_completed'])} completed "
                  f"({int(stats['gp_expedited'])} expedited, "
                  f"{int(stats['gp_vacuous'])} at once on one CPU); last "
                  f"{int(stats['last_gp_ns']) / 1e6:.1f} ms, longest "
                  f"{int(stats['max_gp_ns']) / 1e6:.1f} ms\n")
        gdb.write(f"stall warnings: {int(stats['stalls'])}\n")
        rdata = gdb.parse_and_eval("'kernel/rcu/rcu.c'::rcu_data")
        info = gdb.parse_and_eval("cpu_info")
        gdb.write(f"{'cpu':>3}  {'pending':>7}  {'want':>6}  {'invoked':>8}  {'qs_gp':>6}  nesting  resched\n")
        invoked = 0
        for cpu in cpus_in(gdb.parse_and_eval("cpu_online_mask")):
            rd = per_cpu_value(rdata, cpu)
            invoked += int(rd["invoked"])
            resched = "yes" if bool(per_cpu_value(info, cpu)["need_resched"]) else "no"
            gdb.write(f"{cpu:>3}  {int(rd['pending']):>7}  {int(rd['want']):>6}  {int(rd['invoked']):>8}  "
                      f"{int(rd['qs_gp']):>6}  {int(per_cpu_value(info, cpu)['rcu_read_nesting']):>7}  {resched}\n")
        gdb.write(f"callbacks invoked: {invoked}\n")


# fs/mount.h and fs/fs.h: a mount's own flags, and its superblock's.
MNT_FLAGS = [(0x02, "WRITE_HOLD"), (0x04, "DOOMED"),  # MNT_READONLY (0x01) is shown as ro/rw
             (0x10, "IMBALANCED_WRITE_COUNT")]
MNT_READONLY, SB_RDONLY = 0x01, 0x1


def mount_list():
    """Every struct vfsmount on init_mnt_ns.list (fs/namespace.c), in mount order.

struct mnt_namespace is complete only in fs/namespace.c, hence the file-qualified name."""
    head = gdb.parse_and_eval("&'fs/namespace.c'::init_mnt_ns.list")
    mnt_ptr = gdb.lookup_type("struct vfsmount").pointer()
    offset = int(gdb.parse_and_eval("&((struct vfsmount *)0)->mnt_list"))
    node = head["next"]
    for _ in range(100000):  # a corrupted list must not hang gdb
        if int(node) == int(head) or not int(node):
            return
        yield gdb.Value(int(node) - offset).cast(mnt_ptr).dereference()
        node = node["next"]


def dentry_name(d):
    n = min(int(d["d_len"]), d["d_name"].type.sizeof)
    data = gdb.selected_inferior().read_memory(int(d["d_name"].address), n).tobytes()
    return data.decode("utf-8", "replace")


def mount_path(mnt):
    """The path of mnt's root seen from the namespace root, built as d_path (fs/d_path.c) does:
names up the d_parent chain; at a mount's root, on to the dentry it covers in its parent."""
    parts, d = [], mnt["mnt_root"]
    for _ in range(4096):
        if int(d) == int(mnt["mnt_root"]):
            if int(mnt["mnt_parent"]) == int(mnt.address):  # the root of its tree
                break
            d, mnt = mnt["mnt_mountpoint"], mnt["mnt_parent"].dereference()
            continue
        if int(d["d_parent"]) == int(d):  # a root that is not mnt's: the walk is lost
            parts.append("?")
            break
        parts.append(dentry_name(d))
        d = d["d_parent"]
    return "/" + "/".join(reversed(parts))


def mount_flags(mnt):
    flags = int(mnt["mnt_flags"])
    out = ["ro" if flags & MNT_READONLY else "rw"]
    if int(mnt["mnt_sb"]["s_flags"]) & SB_RDONLY:
        out.append("SB_RDONLY")
    out += [name for bit, name in MNT_FLAGS if flags & bit]
    return ",".join(out)


def writers_enum(name):
    """The value of an enum mnt_writers_mode constant (fs/mount.h), e.g. WRITERS_ATOMIC."""
    return int(gdb.parse_and_eval(name))


def writers_mode(mnt):
    """(enum value, the kernel's name for it: percpu, atomic, cpu-cache, none)."""
    mode = int(mnt["mnt_writers_mode"])
    try:
        name = gdb.parse_and_eval(f"'fs/mnt_writers_variants.c'::modes[{mode}].name").string()
    except (gdb.error, gdb.MemoryError):
        name = str(mnt["mnt_writers_mode"]).replace("WRITERS_", "").lower()
    return mode, name


def mount_counts(mnt):
    """Per CPU (refs, pcp writers, writers cached in cpu_writer or None), and the shared counter.

The writers remount,ro would see (mnt_writers_per_cpu): the shared counter plus, for percpu,
each CPU's mnt_pcp writers, for cpu-cache, each CPU's cpu_writer count if it caches mnt."""
    mode, _ = writers_mode(mnt)
    ncpus = int(gdb.parse_and_eval("nr_cpu_ids"))
    pcp = mnt["mnt_pcp"]
    cache = None
    if mode == writers_enum("WRITERS_CPU_CACHE"):
        cache = gdb.parse_and_eval("'fs/mnt_writers_variants.c'::cpu_writer")
    rows = []
    for cpu in range(ncpus):
        cached = None
        if cache is not None:
            w = per_cpu_value(cache, cpu)
            if int(w["mnt"]) == int(mnt.address):
                cached = int(w["count"])
        rows.append((int(pcp[cpu]["count"]), int(pcp[cpu]["writers"]), cached))
    return rows, int(mnt["mnt_writers_shared"]["counter"])


def writers_summary(mnt, rows, shared):
    """'percpu 0', 'atomic 2', 'cpu-cache 3 (shared 1, cached 2)', 'none -'."""
    mode, name = writers_mode(mnt)
    if mode in (writers_enum("WRITERS_PERCPU"), writers_enum("WRITERS_BROKEN_NO_HOLD"),
                writers_enum("WRITERS_BROKEN_NO_MB")):  # the broken ones count as percpu does
        return f"{name} {shared + sum(r[1] for r in rows)}"
    if mode == writers_enum("WRITERS_ATOMIC"):
        return f"{name} {shared}"
    if mode == writers_enum("WRITERS_CPU_CACHE"):
        cached = sum(r[2] or 0 for r in rows)
        return f"{name} {shared + cached} (shared {shared}, cached {cached})"
    return f"{name} -"


def find_mount(arg):
    """The struct vfsmount named by a mount id (looked up in init_mnt_ns) or an address."""
    value = gdb.parse_and_eval(arg)
    vtype = value.type.strip_typedefs()
    if vtype.code == gdb.TYPE_CODE_STRUCT and vtype.tag == "vfsmount":
        return value
    if vtype.code == gdb.TYPE_CODE_PTR:
        target = vtype.target().strip_typedefs()
        if target.code != gdb.TYPE_CODE_VOID and target.tag != "vfsmount":
            raise gdb.GdbError(f"mounts: {arg} is a {value.type}, not a struct vfsmount *")
    if vtype.code == gdb.TYPE_CODE_PTR or int(value) & U64 > 0xFFFFFFFF:
        addr = int(value) & U64
        return gdb.parse_and_eval(f"*(struct vfsmount *){addr:#x}")
    for mnt in mount_list():
        if int(mnt["mnt_id"]) == int(value):
            return mnt
    raise gdb.GdbError(f"mounts: no mount {int(value)} in init_mnt_ns ('mounts' lists them; "
                       "a mount outside it, such as a kern_mount, by its address)")


class Mounts(gdb.Command):
    """mounts [ID|ADDR]: the mount tree of init_mnt_ns (fs/namespace.c), read from memory.

Without an argument, one line per mount in mount order: id, device (mnt_devname), the mount
point (built as d_path does), filesystem type, flags, references and writers. Flags: ro or rw
(the mount's MNT_READONLY), SB_RDONLY (the superblock is read-only: writes fail through every
mount of it), WRITE_HOLD (a remount,ro is summing the writers now), DOOMED (being freed),
IMBALANCED_WRITE_COUNT (its writer counts were found not to balance, and reported). refs
is the sum of the per-CPU reference counts (mnt_pcp[].count); writers shows the writer-count
mode and the number of writers remount,ro would count: for percpu the per-CPU counts, for
atomic the shared counter, for cpu-cache the shared counter plus the counts the CPUs' cpu_writer
caches hold for this mount.

With a mount id, or the address of a struct vfsmount (also one outside the namespace: a
kern_mount or clone_private_mount), that mount's details and each CPU's counts. A single
CPU's count may be negative: a reference taken on one CPU may be dropped on another."""

    def __init__(self):
        super().__init__("mounts", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            if arg.strip():
                self.one(find_mount(arg))
            else:
                self.table()
        except gdb.MemoryError as e:  # a bad address, or a mount freed under us
            raise gdb.GdbError(f"mounts: {e}")

    def table(self):
        lines = []
        for mnt in mount_list():
            rows, shared = mount_counts(mnt)
            lines.append((str(int(mnt["mnt_id"])), mnt["mnt_devname"].string(),
                          mount_path(mnt), mnt["mnt_sb"]["s_type"]["name"].string(),
                          mount_flags(mnt), str(sum(r[0] for r in rows)),
                          writers_summary(mnt, rows, shared)))
        if not lines:
            gdb.write("no mounts yet (init_mount_tree has not run)\n")
            return
        head = ("id", "device", "mountpoint", "type", "flags", "refs", "writers")
        width = [max(len(row[i]) for row in lines + [head]) for i in range(6)]
        for row in [head] + lines:
            gdb.write(f"{row[0]:>{width[0]}}  {row[1]:<{width[1]}}  {row[2]:<{width[2]}}  "
                      f"{row[3]:<{width[3]}}  {row[4]:<{width[4]}}  {row[5]:>{width[5]}}  "
                      f"{row[6]}\n")

    def one(self, mnt):
        rows, shared = mount_counts(mnt)
        mode, name = writers_mode(mnt)
        cpu_cache = mode == writers_enum("WRITERS_CPU_CACHE")
        ns = int(mnt["mnt_ns"])
        if ns == int(gdb.parse_and_eval("&'fs/namespace.c'::init_mnt_ns")):
            where = "in init_mnt_ns"
        else:
            where = {0: "detached (short-term)", 1: "longterm internal (MNT_NS_INTERNAL)"}.get(
                ns, f"mnt_ns {ns:#x}?")
        parent = mnt["mnt_parent"]
        up = "itself" if int(parent) == int(mnt.address) else f"mount {int(parent['mnt_id'])}"
        sb = mnt["mnt_sb"]
        gdb.write(f"mount {int(mnt['mnt_id'])} at {int(mnt.address):#x}: "
                  f"{mnt['mnt_devname'].string()} on {mount_path(mnt)} type "
                  f"{sb['s_type']['name'].string()} ({mount_flags(mnt)}), {where}\n")
        gdb.write(f"  parent {up}, superblock {int(sb):#x} (s_dev {int(sb['s_dev'])}, "
                  f"{int(sb['s_active']['counter'])} active), mnt_flags {int(mnt['mnt_flags']):#x}"
                  f", writers mode {name}\n")
        gdb.write("  per CPU: refs = mnt_pcp[cpu].count, writers = mnt_pcp[cpu].writers" +
                  (", cached = its cpu_writer's count if it caches this mount" if cpu_cache else "")
                  + "\n")
        gdb.write(f"  {'cpu':>3}  {'refs':>6}  {'writers':>7}" +
                  (f"  {'cached':>6}" if cpu_cache else "") + "\n")
        for cpu, (count, writers, cached) in enumerate(rows):
            extra = f"  {'-' if cached is None else cached:>6}" if cpu_cache else ""
            gdb.write(f"  {cpu:>3}  {count:>6}  {writers:>7}{extra}\n")
        gdb.write(f"  {'sum':>3}  {sum(r[0] for r in rows):>6}  {sum(r[1] for r in rows):>7}" +
                  (f"  {sum(r[2] or 0 for r in rows):>6}" if cpu_cache else "") + "\n")
        gdb.write(f"  shared counter (mnt_writers_shared): {shared}\n")
        gdb.write(f"  writers: {writers_summary(mnt, rows, shared)}\n")


def longterm_list():
    """Every struct vfsmount on fs/mnt_longterm.c's longterm_mounts, linked through mnt_list."""
    head = gdb.parse_and_eval("&'fs/mnt_longterm.c'::longterm_mounts")
    mnt_ptr = gdb.lookup_type("struct vfsmount").pointer()
    offset = int(gdb.parse_and_eval("&((struct vfsmount *)0)->mnt_list"))
    node = head["next"]
    for _ in range(100000):  # a corrupted list must not hang gdb
        if int(node) == int(head) or not int(node):
            return
        yield gdb.Value(int(node) - offset).cast(mnt_ptr).dereference()
        node = node["next"]


class Longterm(gdb.Command):
    """longterm: the longterm mounts alive (fs/mnt_longterm.c), read from memory.

One line per mount made by kern_mount or clone_private_mount and not yet given to kern_unmount
or kern_unmount_array: id, device, address and refs, the sum of its per-CPU reference counts.
The owner's reference is one of them, so a longterm mount at 0 was put by its owner with mntput
instead of kern_unmount, and leaks (the shell's `longterm` checks it again after a grace
period before it reports one). `mounts ADDR` shows one of them CPU by CPU."""

    def __init__(self):
        super().__init__("longterm", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError("usage: longterm")
        n = 0
        try:
            for mnt in longterm_list():
                refs = sum(r[0] for r in mount_counts(mnt)[0])
                note = "  no reference left: put with mntput, leaks" if refs <= 0 else ""
                gdb.write(f"{int(mnt['mnt_id']):>4}  {mnt['mnt_devname'].string():<12}  "
                          f"{int(mnt.address):#x}  refs {refs}{note}\n")
                n += 1
        except gdb.MemoryError as e:
            raise gdb.GdbError(f"longterm: {e}")
        gdb.write(f"{n} longterm mounts\n")


class Virtq(gdb.Command):
    """Print each virtio-blk disk's request queue (drivers/virtio_ring.h): our avail index, the
used index the device wrote, the last used entry the interrupt handler took, and the free
descriptors. avail - used = requests the device has not finished; used - last used =
finished ones whose interrupt has not been handled yet."""

    def __init__(self):
        super().__init__("virtq", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        head = gdb.parse_and_eval("&'block/blkdev.c'::blkdev_list")
        bdev_ptr = gdb.lookup_type("struct block_device").pointer()
        vb_ptr = gdb.lookup_type("struct virtio_blk").pointer()
        offset = int(gdb.parse_and_eval("&((struct block_device *)0)->node"))
        node, n = head["next"], 0
        while int(node) != int(head):
            b = gdb.Value(int(node) - offset).cast(bdev_ptr).dereference()
            vq = b["private"].cast(vb_ptr).dereference()["vq"]
            used = int(vq["used"].dereference()["idx"])
            gdb.write(f"{b['name'].string()}: queue {int(vq['index'])} of {int(vq['num'])} "
                      f"entries: avail idx {int(vq['avail_idx'])}, used idx {used}, last used "
                      f"{int(vq['last_used_idx'])}, {int(vq['num_free'])} descriptors free, "
                      f"{int(vq['kicks'])} kicks\n")
            node, n = node["next"], n + 1
        if n == 0:
            gdb.write("virtq: no block devices (QEMU started without a disk?)\n")


class Gather(gdb.Command):
    """gather [TLB]: the mmu_gather (mm/mmu_gather.h).

Without an argument: the counts since boot that `vm` prints (gathers, flushes, flushes made
under page_table_lock and of them the dirty shared ones, pages and tables freed, batch pages).
With TLB, a struct mmu_gather * (say `gather tlb` in a frame of tlb_flush_mmu or zap_page_range):
its mm and mode, the range to flush, each batch of the chain (pages held / slots), the page
tables waiting for the flush and those waiting without a batch."""

    COUNTS = ["n_gathers", "n_fullmm", "n_flushes", "n_flushes_locked", "n_flushes_dirty",
              "n_pages_freed", "n_tables_freed", "n_tables_freed_sync", "n_batch_pages",
              "n_batch_fails"]

    def __init__(self):
        super().__init__("gather", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) > 1:
            raise gdb.GdbError("usage: gather [TLB]  (TLB: a struct mmu_gather * expression)")
        if not args:
            for name in self.COUNTS:
                gdb.write(f"{name[2:]:<18} {int(gdb.parse_and_eval(name)['counter'])}\n")
            return
        tlb = gdb.parse_and_eval(args[0])
        if tlb.type.code == gdb.TYPE_CODE_PTR:
            tlb = tlb.dereference()
        mode = "batched"
        if int(tlb["variant"]):
            mode = gdb.parse_and_eval(f"tlb_mode_names[{int(tlb['mode'])}]").string()
        gdb.write(f"mm {tlb['mm']['name'].string()}  mode {mode}  fullmm {int(tlb['fullmm'])}"
                  f"  broken {int(tlb['broken'])}\n")
        start, end = int(tlb["start"]), int(tlb["end"])
        gdb.write("range to flush: " +
                  (f"{start:#x}-{end:#x}\n" if start < end else "none\n"))
        batch, i = tlb["local"].address, 0
        while int(batch):
            mark = "  <- active" if int(batch) == int(tlb["active"]) else ""
            what = "local slots" if i == 0 else f"batch page {i}"
            gdb.write(f"  {what:<13} {int(batch['nr'])}/{int(batch['max'])} pages{mark}\n")
            batch, i = batch["next"], i + 1
        gdb.write(f"batch pages chained {int(tlb['batch_count'])} of at most "
                  f"{int(tlb['batch_max'])}\n")
        tables, nb, nt = tlb["tables"], 0, 0
        while int(tables):
            nb, nt = nb + 1, nt + int(tables["nr"])
            tables = tables["next"]
        head = tlb["sync_tables"].address
        node, ns = head["next"], 0
        while int(node) != int(head):
            node, ns = node["next"], ns + 1
        gdb.write(f"page tables: {nt} in {nb} batches (freed a grace period after the flush), "
                  f"{ns} with no batch (freed by the flush after an IPI)\n")


Gather()
Virtq()
PerCpu()
Rcu()
Mounts()
Longterm()
Kps()
Uprocs()
Uregs()
Tbt()
Dmesg()
Ksym()
PageWalk()
PageInfo()
end

echo teachos: hardware breakpoint on kmain; 'c' runs to it. 'teachos-help' lists the helpers.\n
