"""Network namespaces from inside Python: the one copy of this code that the conformance run, `replay --live`
(replay_live.py) and `explain time-wait` (time_wait_timer.py) share.

A socket belongs for life to the namespace it was created in, so `inside(name)` switches this (single)
thread into a named namespace just long enough to create sockets there. Commands run with `run_in`. `add` and
`delete` make and remove a named namespace; `scratch(name)` is one that lives for a `with` body only.
"""
import ctypes
import os
import subprocess
from contextlib import contextmanager

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_home = os.open("/proc/self/ns/net", os.O_RDONLY)


def _setns(fd):
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextmanager
def inside(name):
    """Runs the body in namespace `name` (created by `ip netns add`), then returns to the original one."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        _setns(fd)
        try:
            yield
        finally:
            _setns(_home)
    finally:
        os.close(fd)


def run_in(name, *argv, stdin=None):
    """Runs a command in namespace `name`; returns its standard output. Raises on a non-zero exit."""
    done = subprocess.run(["ip", "netns", "exec", name, *argv], input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in {name}: {done.stderr.strip()}")
    return done.stdout


def add(name):
    """Creates namespace `name` (`ip netns add`). Raises OSError with ip's message when it cannot."""
    done = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if done.returncode != 0:
        raise OSError(f"ip netns add {name}: {done.stderr.strip() or 'failed'}")


def delete(name):
    """Removes namespace `name`, quietly (it may be gone already)."""
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


@contextmanager
def scratch(name):
    """A namespace made for the body, its loopback up, and deleted afterwards on every path."""
    add(name)
    try:
        done = subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], capture_output=True, text=True)
        if done.returncode != 0:
            raise OSError(f"the loopback of {name} would not come up: {done.stderr.strip()}")
        yield name
    finally:
        delete(name)
