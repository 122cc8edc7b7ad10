"""Who holds a lease, and whether that holder is still alive.

A lease (on an article being enriched, a feed being refreshed) names its holder as
"host:pid:start", start being the process's start time, so a recycled pid is not mistaken for
the holder. A holder on this machine that no longer runs (killed, crashed) has lost its
leases at once; one on another machine keeps them until they expire.
"""

from __future__ import annotations

import os
import socket
from functools import cache


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), None if it is not running."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces; fields after its ")" are plain
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else "?"


@cache
def _host() -> str:
    return socket.gethostname()


def holder() -> str:
    """This process, as it is written on the leases it takes."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_time(pid) or '?'}"


def is_dead(owner: str | None) -> bool:
    """True when `owner` is a process of this machine that is no longer running."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    now_start = _start_time(pid)
    if now_start is None:
        if os.path.isdir("/proc/self"):
            return True
        try:  # no /proc (not Linux): ask the kernel whether the pid exists
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    return start not in ("", "?") and now_start != start
