"""A multiprocessing.connection peer for ipc4j's interoperability tests (standard library only).

usage: mp_peer.py ROLE FAMILY ADDRESS FORM
  ROLE     listen | connect
  FAMILY   unix (ADDRESS is a socket path) | tcp (ADDRESS is host:port; listen on port 0 to let the system pick)
  FORM     stdlib  this interpreter's Listener/Client with authkey= (Python <= 3.11: the legacy HMAC-MD5 form)
           sha256  the Python 3.12+ form ({sha256} prefixes), written out here over an unauthenticated connection
           none    no authkey at all
The key is the environment variable MP_AUTHKEY, in UTF-8.

A listener prints "READY <port or path>" once it listens. After the handshake the peer sends b"ping", expects
b"pong:ping", sends a pickled object with conn.send() (ipc4j must pass it on as opaque bytes), prints "OK" and
exits 0. AuthenticationError: prints it and exits 3; EOF or a broken connection: exits 4; an unexpected reply:
exits 5. Never runs longer than 30 s.
"""
import hashlib
import hmac
import os
import signal
import sys
import time
from multiprocessing.connection import AuthenticationError, Client, Listener

CHALLENGE = b'#CHALLENGE#'
WELCOME = b'#WELCOME#'
FAILURE = b'#FAILURE#'


def sha256_deliver(conn, key):
    body = b'{sha256}' + os.urandom(40)
    conn.send_bytes(CHALLENGE + body)
    answer = conn.recv_bytes(256)
    expected = b'{sha256}' + hmac.new(key, body, hashlib.sha256).digest()
    if not hmac.compare_digest(answer, expected):
        conn.send_bytes(FAILURE)
        raise AuthenticationError('digest received was wrong')
    conn.send_bytes(WELCOME)


def sha256_answer(conn, key):
    message = conn.recv_bytes(256)
    if not message.startswith(CHALLENGE):
        raise AuthenticationError('Protocol error, expected challenge: %r' % message[:40])
    body = message[len(CHALLENGE):]
    if not body.startswith(b'{sha256}'):
        raise AuthenticationError('expected a {sha256} challenge, got %r' % body[:12])
    conn.send_bytes(b'{sha256}' + hmac.new(key, body, hashlib.sha256).digest())
    if conn.recv_bytes(256) != WELCOME:
        raise AuthenticationError('digest sent was rejected')


def connect(addr, fam, key):
    """Client(), retried while nothing listens yet (the ipc4j side may still be starting)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return Client(addr, fam, authkey=key)
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def main():
    role, family, address, form = sys.argv[1:5]
    signal.alarm(30)
    key = os.environ.get('MP_AUTHKEY', '').encode('utf-8')
    if family == 'unix':
        addr, fam = address, 'AF_UNIX'
    else:
        host, port = address.rsplit(':', 1)
        addr, fam = (host, int(port)), 'AF_INET'
    stdlib_key = key if form == 'stdlib' else None
    try:
        if role == 'listen':
            with Listener(addr, fam, authkey=stdlib_key) as listener:
                print('READY', listener.address[1] if fam == 'AF_INET' else listener.address, flush=True)
                conn = listener.accept()
                if form == 'sha256':
                    sha256_deliver(conn, key)
                    sha256_answer(conn, key)
        else:
            conn = connect(addr, fam, stdlib_key)
            if form == 'sha256':
                sha256_answer(conn, key)
                sha256_deliver(conn, key)
        with conn:
            conn.send_bytes(b'ping')
            reply = conn.recv_bytes()
            if reply != b'pong:ping':
                print('UNEXPECTED', repr(reply[:40]), flush=True)
                return 5
            conn.send(['pickled', 1])
        print('OK', flush=True)
        return 0
    except AuthenticationError as e:
        print('AuthenticationError:', e, flush=True)
        return 3
    except (EOFError, OSError) as e:
        print('EOF:', type(e).__name__, e, flush=True)
        return 4


if __name__ == '__main__':
    sys.exit(main())
