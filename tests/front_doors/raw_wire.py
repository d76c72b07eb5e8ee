"""Speaks the MongoDB wire protocol to examples/mongo_front_door byte by byte, for the parts
pymongo does not send: the legacy OP_QUERY isMaster answered with OP_REPLY, OP_MSG with the
CRC-32C checksum flag, a kind 1 section (document sequence), and a wrong checksum.

Prints one JSON line (keys sorted) with what the server answered to each; exit code 3 when
pymongo's bson package is missing.
"""

import argparse
import json
import socket
import ssl
import struct
import sys

try:
    import bson
except ImportError:
    print(json.dumps({"missing": "pymongo"}))
    sys.exit(3)

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert-key", required=True)
    args = parser.parse_args()

    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    context = ssl.create_default_context(cafile=args.ca)
    context.load_cert_chain(args.cert_key)
    sock = context.wrap_socket(
        socket.create_connection(("localhost", args.port), timeout=10),
        server_hostname="localhost",
    )

    def read_exactly(n):
        out = b""
        while len(out) < n:
            chunk = sock.recv(n - len(out))
            if not chunk:
                return out
            out += chunk
        return out

    def read_reply():
        header = read_exactly(16)
        if len(header) < 16:
            return None
        length, _, response_to, op_code = struct.unpack("<iiii", header)
        body = read_exactly(length - 16)
        if op_code == OP_REPLY:
            _flags, _cursor, _start, returned = struct.unpack("<iqii", body[:20])
            return {"op": "OP_REPLY", "responseTo": response_to, "returned": returned,
                    "doc": bson.decode(body[20:])}
        return {"op": "OP_MSG", "responseTo": response_to, "flags": body[0],
                "doc": bson.decode(body[5:])}

    def op_msg(request_id, sections, checksum=True, corrupt=False):
        flags = 1 if checksum else 0
        body = struct.pack("<I", flags) + sections
        length = 16 + len(body) + (4 if checksum else 0)
        whole = struct.pack("<iiii", length, request_id, 0, OP_MSG) + body
        if checksum:
            whole += struct.pack("<I", crc32c(whole) ^ (1 if corrupt else 0))
        return whole

    out = {}
    # 1. The legacy handshake: OP_QUERY on admin.$cmd, answered with OP_REPLY.
    query = bson.encode({"isMaster": 1})
    payload = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1) + query
    sock.sendall(struct.pack("<iiii", 16 + len(payload), 7, 0, OP_QUERY) + payload)
    reply = read_reply()
    doc = reply["doc"]
    out["op_query"] = {"op": reply["op"], "responseTo": reply["responseTo"],
                       "returned": reply["returned"], "ismaster": doc.get("ismaster"),
                       "helloOk": doc.get("helloOk"), "maxWireVersion": doc.get("maxWireVersion")}
    # 2. authenticate in an OP_MSG with a checksum.
    auth = b"\x00" + bson.encode(
        {"authenticate": 1, "mechanism": "MONGODB-X509", "$db": "$external"})
    reply = read_after(sock, op_msg(8, auth), read_reply)
    out["checksummed_authenticate"] = {"responseTo": reply["responseTo"], "doc": reply["doc"]}
    # 3. A command with a kind 1 section: parsed, then answered as an unknown command.
    docs = bson.encode({"a": 1}) + bson.encode({"b": 2})
    ident = b"documents\x00"
    kind1 = b"\x01" + struct.pack("<i", 4 + len(ident) + len(docs)) + ident + docs
    body = b"\x00" + bson.encode({"insert": "orders", "$db": "sales"}) + kind1
    reply = read_after(sock, op_msg(9, body), read_reply)
    out["document_sequence"] = reply["doc"]
    # 4. A wrong checksum: the server closes the connection without an answer.
    ping = b"\x00" + bson.encode({"ping": 1, "$db": "admin"})
    out["wrong_checksum"] = read_after(sock, op_msg(10, ping, corrupt=True), read_reply)
    print(json.dumps(out, sort_keys=True))


def read_after(sock, message, read_reply):
    sock.sendall(message)
    return read_reply()


if __name__ == "__main__":
    main()
