#!/usr/bin/env python3
"""This kernel's TIME-WAIT, read for `teardown explain time-wait` (part 5).

In a scratch network namespace (netns.scratch: made for the run, always deleted), a client socket closes first
and the server answers with its FIN, so the client's socket is in TIME-WAIT (on loopback the FIN arrives during
the server's close()); half a second later `ss` reads its timer. Prints "client PORT", "elapsed LO HI" (bounds on
the seconds from entering TIME-WAIT to the reading) and ss's lines; exit 0. Usage: time_wait_timer.py NAMESPACE
"""
import socket
import sys
import time

sys.dont_write_bytecode = True
from netns import inside, run_in, scratch  # noqa: E402


def main():
    name = sys.argv[1]
    with scratch(name):
        with inside(name):
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)
            client = socket.create_connection(srv.getsockname())
        conn, _ = srv.accept()
        port = client.getsockname()[1]
        client.close()
        conn.recv(1)
        before = time.monotonic()
        conn.close()
        after = time.monotonic()
        time.sleep(0.5)
        read_from = time.monotonic()
        listing = run_in(name, "ss", "-tanoH", "state", "time-wait")
        read_to = time.monotonic()
        srv.close()
        print("client", port)
        print("elapsed", read_from - after, read_to - before)
        print(listing)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError) as err:
        print(err)
        sys.exit(1)
