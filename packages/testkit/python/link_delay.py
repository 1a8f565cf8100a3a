"""Delays and drops the packets of one network namespace, for the netns test bed (netns-impair.ts).

This machine's kernel has no netem qdisc (CONFIG_NET_SCH_NETEM is not set) but has NFQUEUE built
in: the bed sends the namespace's packets (in and out, not loopback) to queue QUEUE, and this
process, run inside that namespace, gives each its verdict late: ACCEPT after DELAY_MS (+- a
uniform JITTER_MS), or DROP with probability LOSS_PERCENT / 100. Raw netlink, no library: the
Debian python alone is enough.

usage: link_delay.py QUEUE DELAY_MS JITTER_MS LOSS_PERCENT
Prints "ready" once the queue is bound. On SIGTERM it accepts every packet it holds and exits.
"""
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 4, 5
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_CFG_F_FAIL_OPEN = 1
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_DROP, NF_ACCEPT = 0, 1
AF_INET = 2

queue, delay_ms, jitter_ms, loss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
# A burst beyond the buffer loses messages, not the socket (those packets stay queued until exit).
sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
sock.bind((0, 0))
seq = 0


def attr(kind, payload):
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + b"\0" * ((4 - size % 4) % 4)


def send(msg_type, attrs, ack=False):
    global seq
    seq += 1
    body = struct.pack("=BB", AF_INET, 0) + struct.pack(">H", queue) + b"".join(attrs)
    flags = NLM_F_REQUEST | (NLM_F_ACK if ack else 0)
    sock.send(struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, seq, 0) + body)
    if ack:
        data = sock.recv(65536)
        kind = struct.unpack_from("=H", data, 4)[0]
        error = struct.unpack_from("=i", data, 16)[0] if kind == NLMSG_ERROR else 0
        if error != 0:
            sys.exit(f"link_delay: configuring queue {queue} failed: {os.strerror(-error)}")


def verdict(packet_id, what):
    send(NFQNL_MSG_VERDICT, [attr(NFQA_VERDICT_HDR, struct.pack(">II", what, packet_id))])


send(NFQNL_MSG_CONFIG, [attr(NFQA_CFG_CMD, struct.pack("=BB", NFQNL_CFG_CMD_BIND, 0) + struct.pack(">H", AF_INET))], True)
send(NFQNL_MSG_CONFIG, [attr(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META))], True)
# A full queue lets packets through instead of dropping them: impairment is only what was asked.
send(
    NFQNL_MSG_CONFIG,
    [attr(NFQA_CFG_MASK, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN)), attr(NFQA_CFG_FLAGS, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN))],
    True,
)

stopping = False


def stop(_signum, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)

held = []  # (due, packet id)
while not stopping:
    timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.2  # also how soon SIGTERM is seen
    try:
        readable, _, _ = select.select([sock], [], [], timeout)
    except InterruptedError:
        continue
    if readable:
        data = sock.recv(1 << 16)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                pos = offset + 20  # nlmsghdr + nfgenmsg
                while pos + 4 <= offset + length:
                    alen, atype = struct.unpack_from("=HH", data, pos)
                    if alen < 4:
                        break
                    if atype & 0x7FFF == NFQA_PACKET_HDR:
                        packet_id = struct.unpack_from(">I", data, pos + 4)[0]
                        if random.uniform(0, 100) < loss:
                            verdict(packet_id, NF_DROP)
                        else:
                            wait = max(0.0, delay_ms + random.uniform(-jitter_ms, jitter_ms)) / 1000
                            heapq.heappush(held, (time.monotonic() + wait, packet_id))
                        break
                    pos += (alen + 3) & ~3
            offset += (length + 3) & ~3
    now = time.monotonic()
    while held and held[0][0] <= now:
        verdict(heapq.heappop(held)[1], NF_ACCEPT)

for _, packet_id in held:
    verdict(packet_id, NF_ACCEPT)
