#!/usr/bin/env python3
"""A hostile host on a cluster's Ethernet segment: plugs into the cluster's
vde_switch, made a hub while it runs (so it also hears every frame of the
legitimate traffic, and the frames it forges teach a learning switch nothing)
and sends a target node tens of thousands of forged, malformed, replayed and
unauthenticated RPC datagrams (Ethernet/IPv4/UDP to port 7700, with correct
IP and UDP checksums), claiming to come from other nodes.

    scripts/rpc_inject.py -d STATEDIR [--target 0] [--count 30000] [options]
    scripts/rpc_inject.py --selftest     SipHash-2-4-128 against the published
                                         vectors, checksums, the header codec

Kinds, mixed at random from --seed and counted (docs/testing.md explains
each): garbage, truncated, bitflip, badtag, notag, extreme, fragtrain,
bootid, count (forged COUNT requests: each executed one raises the target's
counter), and replays of authentic datagrams with right tags, made with the
cluster key (<state dir>/cluster.key): verbatim (captured frames), oldseq,
oldboot, oldping, ancientboot, oldtarget, dst0, pingnonce. Replays are only
of what an attacker could have recorded: never a request the target has not
already seen a newer one of, so none of them may run; no forged kind ever
carries a right tag.

It prints "rpc_inject: listening ..." once plugged in, then listens until it
has heard the target and the claimed senders (boot ids, channels, sequence
numbers, the protocol version), at most --learn seconds, sends at most
--rate datagrams a second, and ends with the summary line
    INJECT total=N sent_s=T proto=V kind=n kind=n ...
What it hears is only for learning: under load it may miss frames, so it
is not used to count the legitimate traffic. Protocol v2
(RPC_PROTO_VERSION 2) ends each datagram with a 16-byte SipHash-2-4-128 tag
over header and payload; v1 has none. Python 3 standard library and vde2.
"""

import argparse
import collections
import hashlib
import os
import random
import re
import signal
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---- SipHash-2-4 with 128-bit output (Aumasson and Bernstein) ----

M64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def _sipround(v0, v1, v2, v3):
    v0 = (v0 + v1) & M64
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & M64
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & M64
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & M64
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash128(key, msg):
    """The 16-byte SipHash-2-4-128 of msg under the 16-byte key: two 64-bit
    words, each written little-endian, as the reference's output bytes."""
    k0, k1 = struct.unpack("<QQ", key)
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D ^ 0xEE
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    n = len(msg)
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(msg[i:i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    last = int.from_bytes(msg[end:], "little") | ((n & 0xFF) << 56)
    v3 ^= last
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= last
    v2 ^= 0xEE
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    a = v0 ^ v1 ^ v2 ^ v3
    v1 ^= 0xDD
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    b = v0 ^ v1 ^ v2 ^ v3
    return struct.pack("<QQ", a, b)


# Published SipHash-2-4-128 vectors: key 00 01 .. 0f, message 00 01 .. (n-1).
SIP128_VECTORS = {
    0: "a3817f04ba25a8e66df67214c7550293",
    1: "da87c1d86b99af44347659119b22fc45",
    7: "a1f1ebbed8dbc153c0b84aa61ff08239",
    8: "3b62a9ba6258f5610f83e264f31497b4",
    15: "5493e99933b0a8117e08ec0f97cfc3d9",
    16: "6ee2a4ca67b054bbfd3315bf85230577",
    31: "2939b0183223fafc1723de4f52c43d35",
    63: "5150d1772f50834a503e069a973fbd7c",
}

# ---- Ethernet, IPv4, UDP ----

RPC_PORT = 7700
ETH_IP = 0x0800


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_bytes(ip):
    return bytes(int(x) for x in ip.split("."))


def udp_frame(src_mac, dst_mac, src_ip, dst_ip, payload, ip_id):
    """An Ethernet frame holding one UDP datagram 7700 -> 7700, checksums right."""
    sip, dip = ip_bytes(src_ip), ip_bytes(dst_ip)
    ulen = 8 + len(payload)
    pseudo = sip + dip + struct.pack(">BBH", 0, 17, ulen)
    udp = struct.pack(">HHHH", RPC_PORT, RPC_PORT, ulen, 0) + payload
    uc = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack(">H", uc) + udp[8:]
    iph = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + ulen, ip_id & 0xFFFF, 0x4000, 64, 17, 0,
                      sip, dip)
    iph = iph[:10] + struct.pack(">H", csum(iph)) + iph[12:]
    return dst_mac + src_mac + struct.pack(">H", ETH_IP) + iph + udp


def parse_udp(frame):
    """(src_mac, dst_mac, src_ip, dst_ip, payload) of a UDP 7700 -> 7700 frame, else None."""
    if len(frame) < 42 or struct.unpack(">H", frame[12:14])[0] != ETH_IP:
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[14] >> 4 != 4 or frame[23] != 17 or len(frame) < 14 + ihl + 8:
        return None
    total = struct.unpack(">H", frame[16:18])[0]
    u = 14 + ihl
    sport, dport, ulen = struct.unpack(">HHH", frame[u:u + 6])
    if sport != RPC_PORT or dport != RPC_PORT or ulen < 8 or 14 + total > len(frame):
        return None
    ip = lambda b: ".".join(str(x) for x in b)
    return (frame[6:12], frame[0:6], ip(frame[26:30]), ip(frame[30:34]),
            frame[u + 8:u + ulen])


def mac_of(k):
    """The MAC scripts/cluster gives node k."""
    return bytes([0x52, 0x54, 0x00, 0x77, (k + 1) >> 8, (k + 1) & 0xFF])


def ip_of(k):
    return f"10.77.0.{k + 1}"


# ---- the RPC header (docs/rpc.md) ----

MAGIC = 0x57525043
HDR = struct.Struct(">IBBHHHHBBIIIIHHiQ")
HDR_LEN = 48
TAG_LEN = 16
F_REQUEST, F_REPLY, F_ACK, F_FRAG, F_CLOSE, F_PLEASEACK = 1, 2, 4, 8, 0x10, 0x20
OP_PING, OP_ECHO, OP_COUNT, OP_TIME = 1, 2, 3, 5
CHAN_PING = 0xFFFF
PROTO_NOW = 8                           # RPC_PROTO_VERSION (net/rpc/rpc_ops.h)
FIELDS = ("magic", "version", "flags", "op", "client", "server", "channel", "frag_index",
          "frag_count", "seq", "boot", "dst_boot", "total", "payload_len", "reserved",
          "error", "mask")


def frag_data(proto):
    return 1472 - HDR_LEN - (TAG_LEN if proto >= 2 else 0)


def hdr(**kw):
    h = dict(magic=MAGIC, version=PROTO_NOW, flags=F_REQUEST, op=OP_COUNT, client=1, server=0,
             channel=0, frag_index=0, frag_count=1, seq=1, boot=1, dst_boot=0, total=0,
             payload_len=None, reserved=0, error=0, mask=0)
    h.update(kw)
    return h


def encode(h, payload=b""):
    h = dict(h)
    if h["payload_len"] is None:
        h["payload_len"] = len(payload)
    return HDR.pack(*(h[f] for f in FIELDS)) + payload


def decode(dgram):
    if len(dgram) < HDR_LEN:
        return None
    h = dict(zip(FIELDS, HDR.unpack(dgram[:HDR_LEN])))
    return h if h["magic"] == MAGIC else None


# ---- the plug: frames in and out of the switch ----

class Plug:
    """vde_plug on the switch: frames travel over its stdin and stdout as a
    2-byte big-endian length followed by the frame. A thread drains stdout
    (vde_plug stalls if nobody reads) and hands frames to on_frame."""

    def __init__(self, switch_dir, on_frame):
        self.p = subprocess.Popen(["vde_plug", "vde://" + switch_dir], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.on_frame = on_frame
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        fd = self.p.stdout.fileno()
        buf = b""
        while True:
            data = os.read(fd, 65536)
            if not data:
                return
            buf += data
            while len(buf) >= 2:
                n = struct.unpack(">H", buf[:2])[0]
                if len(buf) < 2 + n:
                    break
                self.on_frame(buf[2:2 + n])
                buf = buf[2 + n:]

    def send(self, frame):
        self.p.stdin.write(struct.pack(">H", len(frame)) + frame)

    def flush(self):
        self.p.stdin.flush()

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.kill()
        self.p.wait()


# ---- what the legitimate traffic tells us ----

class Heard:
    """Learned from captured frames: boot ids, the protocol version, and the
    requests to the target that are safe to replay (a newer one on the same
    channel has been seen since, so the target has run them already)."""

    def __init__(self, target, sent_hashes):
        self.lock = threading.Lock()
        self.target = target
        self.sent = sent_hashes
        self.boot = {}                  # node -> latest boot id it sent with
        self.version = None
        self.frames = 0
        self.rpc = 0
        self.pending = collections.defaultdict(list)   # (client, boot, chan) -> [(seq, frame)]
        self.maxseq = {}                # (client, boot, chan) -> highest seq seen
        self.old = []                   # replayable frames (requests to the target)
        self.rng = random.Random(1)

    def on_frame(self, frame):
        u = parse_udp(frame)
        with self.lock:
            self.frames += 1
            if u is None or hashlib.sha1(frame).digest() in self.sent:
                return
            h = decode(u[4])
            if h is None or not 1 <= h["version"] <= PROTO_NOW:
                return
            self.rpc += 1
            self.version = h["version"]
            req = h["flags"] & F_REQUEST
            sender = h["client"] if req else h["server"]
            if sender >= 256 or u[2] != ip_of(sender):
                return
            self.boot[sender] = h["boot"]
            if req and h["server"] == self.target and h["channel"] != CHAN_PING \
                    and u[3] == ip_of(self.target):
                self._request(h, frame)

    def _request(self, h, frame):
        key = (h["client"], h["boot"], h["channel"])
        seq = h["seq"]
        if seq > self.maxseq.get(key, 0):
            self.maxseq[key] = seq
        keep = []
        for s, f in self.pending[key] + [(seq, frame)]:
            if s <= self.maxseq[key] - 2:
                self._keep_old(f)
            elif len(keep) < 64:
                keep.append((s, f))
        self.pending[key] = keep

    def _keep_old(self, frame):
        if len(self.old) < 4000:
            self.old.append(frame)
        else:
            self.old[self.rng.randrange(len(self.old))] = frame

    def snapshot(self):
        with self.lock:
            return (dict(self.boot), self.version, list(self.old), dict(self.maxseq))


# ---- making hostile datagrams ----

MEMBER_KINDS = ("garbage", "truncated", "bitflip", "badtag", "notag", "extreme", "fragtrain",
                "bootid", "count")
REPLAY_KINDS = ("verbatim", "oldseq", "oldboot", "oldping", "ancientboot", "oldtarget", "dst0",
                "pingnonce")
# Kinds an outsider without the key makes: none of them may carry a right tag.
FORGED = ("garbage", "truncated", "bitflip", "badtag", "notag", "fragtrain", "bootid", "count")
WEIGHTS = {"garbage": 8, "truncated": 8, "bitflip": 8, "badtag": 8, "notag": 4, "extreme": 8,
           "fragtrain": 6, "bootid": 6, "count": 14, "verbatim": 6, "oldseq": 6, "oldboot": 4,
           "oldping": 2, "ancientboot": 3, "oldtarget": 4, "dst0": 4, "pingnonce": 3}


class Forger:
    """Builds the datagrams of each kind. Every one is (payload, sender):
    sender is a node id (its IP and MAC are claimed) or None for a host
    outside the cluster."""

    def __init__(self, a, key, proto, boots, old, maxseq, rng):
        self.a, self.key, self.proto, self.rng = a, key, proto, rng
        self.t = a.target
        self.boots = boots
        self.old = old
        self.chans = [(k, s) for k, s in maxseq.items()
                      if k[1] == boots.get(k[0]) and s >= 3]
        self.claim = [k for k in a.claim if k in boots] or a.claim    # heard ones if any
        self.train = None               # an unfinished fragment train in progress

    # -- helpers --
    def authentic(self, d):
        """Would the target accept d's tag (the last 16 bytes, v2)?"""
        return self.proto >= 2 and len(d) >= HDR_LEN + TAG_LEN and \
            siphash128(self.key, d[:-TAG_LEN]) == d[-TAG_LEN:]

    def tbool(self, p=0.5):
        return self.rng.random() < p

    def seal(self, body):
        """An authentic datagram: v2 appends the tag, v1 has none."""
        return body + siphash128(self.key, body) if self.proto >= 2 else body

    def forge(self, body):
        """A datagram with a tag an outsider could make: random, all zero, or
        made with a wrong key."""
        if self.proto < 2:
            return body
        r = self.rng.random()
        if r < 0.5:
            return body + self.rng.randbytes(TAG_LEN)
        if r < 0.6:
            return body + bytes(TAG_LEN)
        return body + siphash128(self.rng.randbytes(16), body)

    def sender(self):
        """A claimed sender: mostly a member, sometimes a stranger."""
        r = self.rng.random()
        if r < 0.8:
            return self.rng.choice(self.claim)
        if r < 0.95:
            return self.rng.choice([k for k in range(3, 254) if k != self.t])
        return None

    def boot_of(self, k):
        return self.boots.get(k, 0) or self.rng.randrange(1, 1 << 32)

    def request(self, k, op=OP_COUNT, **kw):
        """A well-formed request from node k (a stranger: node 9) to the target."""
        k = 9 if k is None else k
        h = hdr(version=self.proto, op=op, client=k, server=self.t,
                channel=self.rng.randrange(8), seq=self.rng.randrange(1, 1 << 32),
                boot=self.boot_of(k), dst_boot=self.boots.get(self.t, 0))
        h.update(kw)
        return encode(h)

    # -- the kinds an outsider can make --
    def k_garbage(self):
        n = self.rng.choice([0, 1, 8, 47, 48, 63, 64, 65, 200, 1000, 1472,
                             self.rng.randrange(1473)])
        b = self.rng.randbytes(n)
        if n >= 8 and self.tbool():
            b = struct.pack(">IB", MAGIC, self.proto) + b[5:]
        return b, self.sender()

    def k_truncated(self):
        k = self.sender()
        d = self.seal(self.request(k))
        return d[:self.rng.randrange(len(d))], k

    def k_bitflip(self):
        if self.old and self.tbool():
            u = parse_udp(self.rng.choice(self.old))
            d, k = bytearray(u[4]), int(u[2].split(".")[3]) - 1
        else:
            k = self.sender()
            d = bytearray(self.seal(self.request(k)))
        # Distinct bits: two flips of one bit would give back the authentic
        # datagram, a fresh request that would run.
        if self.proto < 2:
            bits = [8 * i + b for i in (4, 5, 7, 9, 11, 13, 19, 20, 23, 27, 31) for b in range(8)]
        else:
            bits = range(8 * len(d))
        for bit in self.rng.sample(bits, self.rng.choice([1, 1, 2, 3])):
            d[bit // 8] ^= 1 << (bit % 8)
        return bytes(d), k

    def k_badtag(self):
        k = self.sender()
        op = self.rng.choice([OP_COUNT, OP_COUNT, OP_ECHO, OP_PING, OP_TIME])
        if op == OP_PING:
            body = self.request(k, op=op, channel=CHAN_PING, mask=self.rng.getrandbits(64))
        elif op == OP_ECHO:
            p = self.rng.randbytes(self.rng.randrange(1, 600))
            body = encode(decode(self.request(k, op=op, total=len(p))), p)
        else:
            body = self.request(k, op=op)
        return self.forge(body), k

    def k_notag(self):
        k = self.sender()
        return self.request(k), k

    def k_extreme(self):
        """Every header breaks at least one rule of docs/rpc.md."""
        k = self.sender()
        h = decode(self.request(k))
        bad = {
            "version": lambda: self.rng.choice([0, self.proto + 1, 0xFF]),
            "flags": lambda: self.rng.choice([0, 0xFF, F_REQUEST | F_REPLY, F_REQUEST | F_CLOSE,
                                              0x40, 0x80]),
            "op": lambda: self.rng.choice([0, 0xFFFF, 99, 0x8000]),
            "client": lambda: self.rng.choice([256, 0x7FFF, 0xFFFF]),
            "server": lambda: self.rng.choice([256, 0xFFFF]),
            "channel": lambda: self.rng.choice([16, 0x100, 0xFFFE]),
            "frag_index": lambda: self.rng.choice([1, 46, 0xFF]),
            "frag_count": lambda: self.rng.choice([0, 2, 0xFF]),
            "boot": lambda: 0,
            "total": lambda: self.rng.choice([65537, 0x7FFFFFFF, 0xFFFFFFFF]),
            "payload_len": lambda: self.rng.choice([1, 1472, 0xFFFF]),
            "reserved": lambda: self.rng.choice([1, 0xFFFF]),
            "error": lambda: self.rng.choice([-1, -4096, -(1 << 31), 1, 0x7FFFFFFF]),
        }
        for f in self.rng.sample(sorted(bad), self.rng.choice([1, 1, 2, 4])):
            h[f] = bad[f]()
        if h["seq"] == 0:
            h["seq"] = 1
        body = HDR.pack(*(h[f] for f in FIELDS))
        return (self.seal(body) if self.tbool() else self.forge(body)), k

    def k_fragtrain(self):
        """Fragments of a big ECHO request, never all of them."""
        fd = frag_data(self.proto)
        if self.train is None or self.train["left"] == 0:
            total = self.rng.randrange(2 * fd, 65537)
            count = -(-total // fd)
            k = self.sender()
            self.train = dict(k=k, total=total, count=count, left=self.rng.randrange(1, count),
                              h=decode(self.request(k, op=OP_ECHO, total=total, frag_count=count,
                                                    flags=F_REQUEST | F_FRAG)))
        tr = self.train
        tr["left"] -= 1
        i = self.rng.randrange(tr["count"] - 1)      # never the last one
        h = dict(tr["h"], frag_index=i, payload_len=fd)
        if self.tbool(0.2):
            h["flags"] |= F_PLEASEACK
        return self.forge(encode(h, self.rng.randbytes(fd))), tr["k"]

    def k_bootid(self):
        k = self.rng.choice(self.claim)
        rep = self.tbool(0.3)
        if rep:
            body = encode(hdr(version=self.proto, flags=F_REPLY, op=OP_PING, client=self.t,
                              server=k, channel=CHAN_PING, boot=self.rng.randrange(1, 1 << 32),
                              dst_boot=self.boots.get(self.t, 0)))
        else:
            body = self.request(k, boot=self.rng.randrange(1, 1 << 32))
        return self.forge(body), k

    def k_count(self):
        k = self.sender()
        kw = {}
        if self.tbool(0.2):
            kw["dst_boot"] = 0
        return self.forge(self.request(k, **kw)), k

    # -- replays: authentic, but old --
    def old_request(self):
        """(header, payload, sender) of a request the target has already
        run: a captured one, else one older than the newest seen on its
        channel."""
        if self.old and self.tbool(0.7):
            u = parse_udp(self.rng.choice(self.old))
            h = decode(u[4])
            return h, u[4][HDR_LEN:HDR_LEN + h["payload_len"]], h["client"]
        if not self.chans:
            return None, b"", None
        (k, boot, ch), top = self.rng.choice(self.chans)
        seq = self.rng.randrange(max(1, top - 2000), top - 1)
        return decode(self.request(k, channel=ch, seq=seq, boot=boot)), b"", k

    def k_verbatim(self):
        if not self.old:
            return self.k_oldseq()
        return None, self.rng.choice(self.old)       # the frame itself

    def k_oldseq(self):
        h, p, k = self.old_request()
        if h is None:
            return self.k_oldboot()
        return self.seal(encode(h, p)), k

    def k_oldboot(self):
        """A request from the previous incarnation of a restarted node."""
        if not self.a.old_boot:
            return self.k_ancientboot()
        k, boot = self.rng.choice(self.a.old_boot)
        op = self.rng.choice([OP_COUNT, OP_COUNT, OP_TIME])
        dst = self.rng.choice([0, self.boots.get(self.t, 0)] + self.a.target_old)
        return self.seal(self.request(k, op=op, boot=boot, dst_boot=dst)), k

    def k_oldping(self):
        """A PING request (a challenge) from the previous incarnation."""
        if not self.a.old_boot:
            return self.k_ancientboot()
        k, boot = self.rng.choice(self.a.old_boot)
        mask = self.rng.getrandbits(64) if self.proto >= 2 else 0
        dst = self.rng.choice([0, self.boots.get(self.t, 0)] + self.a.target_old)
        return self.seal(self.request(k, op=OP_PING, channel=CHAN_PING, boot=boot, dst_boot=dst,
                                      mask=mask)), k

    def k_ancientboot(self):
        """A request recorded from an incarnation before the previous one."""
        k = self.rng.choice(self.claim)
        return self.seal(self.request(k, boot=self.rng.randrange(1, 1 << 32))), k

    def k_oldtarget(self):
        h, p, k = self.old_request()
        if h is None:
            return self.k_ancientboot()
        old = self.a.target_old or [self.rng.randrange(1, 1 << 32)]
        h["dst_boot"] = self.rng.choice(old)
        if h["dst_boot"] == self.boots.get(self.t):
            h["dst_boot"] ^= 1
        return self.seal(encode(h, p)), k

    def k_dst0(self):
        h, p, k = self.old_request()
        if h is None or h["payload_len"]:
            return self.k_ancientboot()
        h["dst_boot"] = 0
        h["op"] = OP_COUNT
        return self.seal(encode(h)), k

    def k_pingnonce(self):
        """A PING reply to the target echoing a nonce it never sent now, from
        a member's current boot id."""
        k = self.rng.choice(self.claim)
        mask = self.rng.getrandbits(64) if self.proto >= 2 else 0
        body = encode(hdr(version=self.proto, flags=F_REPLY, op=OP_PING, client=self.t,
                          server=k, channel=CHAN_PING, seq=self.rng.randrange(1 << 32),
                          boot=self.boot_of(k), dst_boot=self.boots.get(self.t, 0), mask=mask))
        return self.seal(body), k


# ---- running ----

def load_key(statedir):
    path = os.path.join(statedir, "cluster.key")
    try:
        with open(path) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return bytes(16), "no cluster.key: the all-zero key"
    if len(text) != 32:
        raise SystemExit(f"rpc_inject: {path} is not 32 hex digits")
    return bytes.fromhex(text), path


def cluster(statedir, *args):
    return subprocess.run([os.path.join(ROOT, "scripts", "cluster"), "-d", statedir, *args],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def switch_dir(statedir):
    return os.path.join(cluster(statedir, "sockdir"), "switch")


def learn(heard, a):
    """Listen until the target and the claimed members have been heard and
    some of their requests are replayable, or --learn seconds pass."""
    end = time.monotonic() + a.learn
    while time.monotonic() < end:
        boots, version, old, _ = heard.snapshot()
        if version and a.target in boots and all(k in boots for k in a.claim) and len(old) >= 20:
            break
        time.sleep(0.1)
    return heard.snapshot()


def stop(signum, frame):
    raise KeyboardInterrupt


def inject(a):
    key, key_from = load_key(a.dir)
    sent = set()
    heard = Heard(a.target, sent)
    signal.signal(signal.SIGTERM, stop)
    was = cluster(a.dir, "hub")
    if was != "hub":
        cluster(a.dir, "hub", "on")
    try:
        plug = Plug(switch_dir(a.dir), heard.on_frame)
        try:
            print(f"rpc_inject: listening on {a.dir}'s segment", flush=True)
            return run(a, key, key_from, heard, plug, sent)
        except KeyboardInterrupt:
            print("rpc_inject: stopped", flush=True)
            return 130
        finally:
            plug.close()
    finally:
        if was != "hub":        # back to learning; the cluster may be down by now
            subprocess.run([os.path.join(ROOT, "scripts", "cluster"), "-d", a.dir, "hub", "off"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(a, key, key_from, heard, plug, sent):
    boots, version, old, maxseq = learn(heard, a)
    proto = a.proto or version or PROTO_NOW
    print(f"rpc_inject: heard {heard.rpc} RPC datagrams; proto {proto}"
          f"{'' if version else ' (assumed)'}; boot ids "
          + " ".join(f"{k}={b:08x}" for k, b in sorted(boots.items()))
          + f"; {len(old)} replayable requests; key {key_from}", flush=True)
    rng = random.Random(a.seed)
    kinds = [k for k in MEMBER_KINDS + REPLAY_KINDS
             if k not in a.without and (not a.only or k in a.only)]
    weights = [WEIGHTS[k] for k in kinds]
    counts = collections.Counter()
    start = time.monotonic()
    f = None
    ip_id = rng.randrange(1 << 16)
    for i in range(a.count):
        if i % 500 == 0:
            boots, _, old, maxseq = heard.snapshot()
            f = Forger(a, key, proto, boots, old, maxseq, rng)
        kind = rng.choices(kinds, weights)[0]
        d, k = getattr(f, "k_" + kind)()
        while kind in FORGED and f.authentic(d):
            d, k = getattr(f, "k_" + kind)()     # never a fresh authentic datagram
        if d is None:
            frame = k                               # a captured frame, as it was
        else:
            src_mac = mac_of(k) if k is not None else b"\x02" + rng.randbytes(5)
            src_ip = ip_of(k) if k is not None else f"192.0.2.{rng.randrange(1, 255)}"
            frame = udp_frame(src_mac, mac_of(a.target), src_ip, ip_of(a.target), d, ip_id)
            ip_id += 1
        if len(sent) > 100000:
            sent.clear()
        sent.add(hashlib.sha1(frame).digest())
        plug.send(frame)
        counts[kind] += 1
        if i % 16 == 15:
            plug.flush()
            delay = start + (i + 1) / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    plug.flush()
    took = time.monotonic() - start
    time.sleep(0.2)
    print("INJECT total=%d sent_s=%.1f proto=%d " % (a.count, took, proto)
          + " ".join(f"{k}={counts[k]}" for k in kinds), flush=True)
    return 0


# ---- self-test ----

def selftest():
    fails = 0
    key = bytes(range(16))
    for n, want in SIP128_VECTORS.items():
        got = siphash128(key, bytes(range(n))).hex()
        if got != want:
            print(f"selftest: SipHash-2-4-128 of {n} bytes: {got}, want {want}")
            fails += 1
    # A UDP datagram whose checksums verify to zero over what they cover.
    fr = udp_frame(mac_of(1), mac_of(0), ip_of(1), ip_of(0), b"hello, wisp", 7)
    if csum(fr[14:34]) != 0:
        print("selftest: IPv4 header checksum")
        fails += 1
    pseudo = fr[26:34] + struct.pack(">BBH", 0, 17, len(fr) - 34)
    if csum(pseudo + fr[34:]) != 0:
        print("selftest: UDP checksum")
        fails += 1
    u = parse_udp(fr)
    if not u or u[2] != "10.77.0.2" or u[3] != "10.77.0.1" or u[4] != b"hello, wisp":
        print("selftest: parse_udp")
        fails += 1
    h = hdr(seq=0xDEADBEEF, boot=0x12345678, mask=1 << 63, error=-113)
    d = encode(h, b"xy")
    if len(d) != 50 or d[:4] != b"WRPC" or decode(d)["seq"] != 0xDEADBEEF \
            or decode(d)["error"] != -113 or decode(d)["payload_len"] != 2:
        print("selftest: header codec")
        fails += 1
    # The version it speaks unasked is the kernel's: a stale one made every
    # forged datagram die at the version check and nothing was learned.
    ops = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net", "rpc", "rpc_ops.h")
    m = re.search(r"#define RPC_PROTO_VERSION (\d+)", open(ops).read())
    if not m or int(m.group(1)) != PROTO_NOW:
        print(f"selftest: PROTO_NOW {PROTO_NOW}, but rpc_ops.h says {m and m.group(1)}")
        fails += 1
    print(f"selftest: {len(SIP128_VECTORS) + 5 - fails} passed, {fails} failed")
    return 1 if fails else 0


def parse(argv):
    p = argparse.ArgumentParser(prog="scripts/rpc_inject.py",
                                description="Send hostile RPC datagrams at a cluster node.")
    p.add_argument("--selftest", action="store_true", help="check SipHash, checksums, codec")
    p.add_argument("-d", "--dir", help="the cluster's state directory")
    p.add_argument("--target", type=int, default=0, help="node to attack (default 0)")
    p.add_argument("--claim", default="1,2", help="members to impersonate (default 1,2)")
    p.add_argument("--count", type=int, default=30000, help="datagrams to send")
    p.add_argument("--rate", type=float, default=600, help="datagrams per second at most")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--learn", type=float, default=20, help="seconds to listen first, at most")
    p.add_argument("--proto", type=int, choices=range(1, PROTO_NOW + 1), help="default: what the nodes speak")
    p.add_argument("--old-boot", action="append", default=[], metavar="K=BOOT",
                   help="a previous boot id (hex) of member K (repeatable)")
    p.add_argument("--target-old", action="append", default=[], metavar="BOOT",
                   help="a previous boot id (hex) of the target (repeatable)")
    p.add_argument("--without", default="", help="kinds to leave out, comma-separated")
    p.add_argument("--only", default="", help="send only these kinds, comma-separated")
    a = p.parse_args(argv)
    a.claim = [int(x) for x in a.claim.split(",") if x]
    a.old_boot = [(int(k), int(b, 16)) for k, b in (x.split("=") for x in a.old_boot)]
    a.target_old = [int(b, 16) for b in a.target_old]
    a.without = set(x for x in a.without.split(",") if x)
    a.only = set(x for x in a.only.split(",") if x)
    return p, a


def main(argv):
    p, a = parse(argv)
    if a.selftest:
        return selftest()
    if not a.dir:
        p.error("-d DIR is needed")
    unknown = (a.without | a.only) - set(WEIGHTS)
    if unknown:
        p.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    return inject(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
