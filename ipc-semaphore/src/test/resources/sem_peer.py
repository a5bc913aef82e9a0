"""A non-Java peer for SemaphorePeerIT, through ctypes: the same protocol as sem_peer.c.

Usage: python3 sem_peer.py /PING /PONG ROUNDS
"""
import ctypes
import ctypes.util
import os
import sys
import time

O_CREAT = 0o100
O_EXCL = 0o200


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def load():
    # glibc 2.34+ has the semaphore functions in libc; older ones in libpthread.
    for name in ("c", "pthread", "rt"):
        path = ctypes.util.find_library(name)
        if path:
            lib = ctypes.CDLL(path, use_errno=True)
            if hasattr(lib, "sem_open"):
                return lib
    raise SystemExit("no sem_open in libc, libpthread or librt")


def main():
    ping_name, pong_name, rounds = sys.argv[1].encode(), sys.argv[2].encode(), int(sys.argv[3])
    lib = load()
    lib.sem_open.restype = ctypes.c_void_p
    lib.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int]  # fixed part; extra args are variadic
    for f in ("sem_post", "sem_close"):
        getattr(lib, f).argtypes = [ctypes.c_void_p]
    lib.sem_timedwait.argtypes = [ctypes.c_void_p, ctypes.POINTER(Timespec)]
    ping = lib.sem_open(ping_name, 0)
    if not ping:
        raise SystemExit("sem_open ping: " + os.strerror(ctypes.get_errno()))
    pong = lib.sem_open(pong_name, O_CREAT | O_EXCL, ctypes.c_uint(0o600), ctypes.c_uint(0))
    if not pong:
        raise SystemExit("sem_open pong: " + os.strerror(ctypes.get_errno()))
    print("READY", flush=True)
    for _ in range(rounds):
        t = time.time() + 20
        deadline = Timespec(int(t), int((t % 1) * 1e9))
        while lib.sem_timedwait(ping, ctypes.byref(deadline)) != 0:
            if ctypes.get_errno() != 4:  # EINTR
                print("sem_timedwait: " + os.strerror(ctypes.get_errno()), flush=True)
                sys.exit(2)
        if lib.sem_post(pong) != 0:
            raise SystemExit("sem_post: " + os.strerror(ctypes.get_errno()))
    lib.sem_close(ping)
    lib.sem_close(pong)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
