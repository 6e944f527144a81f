"""Child processes and QEMU machines for tests/run-tests.

Every child runs in its own session, so a Ctrl-C on the terminal reaches only the runner; it then
kills the children it started (by pid, kill_all_children) before it exits. A Qemu object is one
machine whose serial port is a pipe: the runner reads what the kernel prints (and logs it) and
types at its shell.
"""
import glob
import os
import re
import signal
import socket
import subprocess
import threading
import time

_children = set()
_children_lock = threading.Lock()


def spawn(cmd, **kw):
    proc = subprocess.Popen(cmd, start_new_session=True, **kw)
    with _children_lock:
        _children.add(proc)
    return proc


def reap(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    with _children_lock:
        _children.discard(proc)


def kill_all_children():
    with _children_lock:
        procs = list(_children)
    for p in procs:
        reap(p)


def run(cmd, timeout, **kw):
    """Runs a command to completion; returns (exit status or None on timeout, output text)."""
    proc = spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                 **kw)
    try:
        out, _ = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        reap(proc)
        out, _ = proc.communicate()
        status = None
    reap(proc)
    return status, out.decode("utf-8", "replace")


class Qemu:
    """A QEMU machine whose serial port is this script's pipe; everything it prints is logged."""

    def __init__(self, iso, log_path, smp=4, mem="256M", accel="tcg", extra=(), boot=None):
        """iso: teachos's ISO; or boot: the options that boot something else in the same
        machine (Debian's Linux: -kernel, -initrd, -append; see linux_boot_opts)."""
        # -arch-capabilities: see ACCEL_OPT in the Makefile (nested KVM cannot set MSR 0x10a).
        accel_opts = ["-accel", "kvm", "-cpu", "host,-arch-capabilities"] if accel == "kvm" else \
            ["-accel", "tcg,thread=multi"]
        boot = boot or ["-boot", "d", "-cdrom", iso]
        self.cmd = ["qemu-system-x86_64", *accel_opts, "-smp", str(smp), "-m", mem,
                    *boot, "-display", "none", "-monitor", "none",
                    "-serial", "stdio", "-no-reboot", "-nic", "none",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", *extra]
        self.log_path = log_path
        self.buf = bytearray()
        self.mark = 0          # expect() searches from here
        self.cond = threading.Condition()
        self.eof = False

    def start(self):
        self.log = open(self.log_path, "wb")
        self.log.write(("$ " + " ".join(self.cmd) + "\n").encode())
        self.log.flush()
        self.started = time.monotonic()
        self.proc = spawn(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 4096)
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.buf += data
                self.log.write(data)
                self.log.flush()
                self.cond.notify_all()

    def expect(self, pattern, timeout):
        """Waits for a regex (bytes) in the output after the mark; returns the match or None."""
        regex = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = regex.search(self.buf, self.mark)
                if m:
                    self.mark = m.end()
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(left)

    def skip_output(self):
        """Moves the mark to the end: later expect() calls see only what comes next."""
        with self.cond:
            self.mark = len(self.buf)

    def send(self, data, chunk=16, pause=0.03):
        """Types bytes at the serial port, a FIFO's worth at a time (the kernel polls the UART)."""
        for i in range(0, len(data), chunk):
            try:
                self.proc.stdin.write(data[i:i + chunk])
                self.proc.stdin.flush()
            except BrokenPipeError:
                return
            time.sleep(pause)

    def wait(self, timeout):
        """QEMU's exit status, or None if it was still running after timeout seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        reap(self.proc)
        self.reader.join(timeout=5)
        with self.cond:
            self.log.close()

    def text(self):
        with self.cond:
            return self.buf.decode("utf-8", "replace")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout):
    """Waits until something listens on a local TCP port, without connecting to it (QEMU's gdb
    stub serves one connection, and a probe would use it up)."""
    deadline = time.monotonic() + timeout
    want = f":{port:04X} "
    while time.monotonic() < deadline:
        try:
            with open("/proc/net/tcp") as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if (fields[1] + " ").endswith(want) and fields[3] == "0A":
                        return True
        except OSError:
            time.sleep(1)
            return True
        time.sleep(0.05)
    return False


def linux_dir():
    """Where tools/install-deps unpacked Debian's kernel (it says: --linux-dir)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return subprocess.run([os.path.join(repo, "tools/install-deps"), "--linux-dir"],
                          capture_output=True, text=True, check=True).stdout.strip()


def linux_boot_opts(initrd, run, quiet=True):
    """QEMU options booting Debian's kernel (linux_dir()) with our initramfs
    (tools/linux-initramfs), its init running the utest= list run (a list of "PATH ARG..."
    entries joined by commas, as teachos's utest=). panic=-1 and QEMU's -no-reboot end the
    machine if the kernel panics."""
    where = linux_dir()
    kernels = sorted(glob.glob(os.path.join(where, "boot", "vmlinuz-*")))
    if not kernels:
        raise FileNotFoundError(f"no boot/vmlinuz-* in {where}: run tools/install-deps")
    append = "console=ttyS0 panic=-1 " + ("quiet " if quiet else "") + f'utest="{run}"'
    return ["-kernel", kernels[-1], "-initrd", initrd, "-append", append]
