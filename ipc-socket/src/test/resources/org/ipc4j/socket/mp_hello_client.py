import sys
from multiprocessing.connection import Client

address, key_file = sys.argv[1], sys.argv[2]     # the socket file, the key file
with open(key_file, 'rb') as f:
    key = f.read()
with Client(address, 'AF_UNIX', authkey=key) as conn:   # TCP: Client(('host', 7000), authkey=key)
    conn.send_bytes(b'python')                          # bytes, not pickles: see below
    print(conn.recv_bytes().decode())                   # hello, python
