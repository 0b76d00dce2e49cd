#!/usr/bin/python3
"""Peer for bench_train: the same training run in PyTorch (CPU), timed.

usage: peer_train_torch.py toy   MODEL.aem DATA.txt STEPS
       peer_train_torch.py fmnist MODEL.aem IDX_DIR BATCH

MODEL.aem is aeaudit's initial model (the same initial weights as aeaudit's run); the
toy DATA.txt has one row per line of C99 hex floats.  Trains with Adam (lr from the
model's record), MSE loss, float32, with 1 and with 2 threads, and prints one line
    peer_s=S peer_loss=L threads=T
with the best (smallest) time; for toy the loss is the last step's, for fmnist the mean
over the epoch's samples (as aeaudit reports).  Prints "peer_s=NA" when torch is missing.
"""
import gzip
import os
import sys
import time
import zlib


def read_aem(path):
    """Parses an aeaudit model file (format version 1) into (sizes, acts, layers, record)."""
    with open(path, "rb") as f:
        raw = f.read()
    body, _, last = raw.rstrip(b"\n").rpartition(b"\n")
    body += b"\n"
    tag = last.decode().split()
    assert tag[:2] == ["end", "crc32"] and int(tag[2], 16) == zlib.crc32(body), "bad checksum"
    lines = body.decode().split("\n")
    assert lines[0] == "aeaudit-model 1"
    it = iter(lines[1:])
    prec = next(it).split()[1]
    L = int(next(it).split()[1])
    sizes = [int(v) for v in next(it).split()[1:]]
    acts = []
    for _ in range(L):
        t = next(it).split()
        acts.append((t[2], float.fromhex(t[3]) if len(t) > 3 else None))
    bias = [v == "1" for v in next(it).split()[1:]]
    rec = {}
    line = next(it)
    while line.startswith("record "):
        k, _, v = line[7:].partition(" ")
        rec[k] = v
        line = next(it)
    k = int(line.split()[1])
    for _ in range(k):
        next(it)
    layers = []
    for l in range(L):
        _, _, R, C = next(it).split()
        W = [[float.fromhex(v) for v in next(it).split()] for _ in range(int(R))]
        b = None
        if bias[l]:
            next(it)
            b = [float.fromhex(v) for v in next(it).split()]
        layers.append((W, b))
    return prec, sizes, acts, layers, rec


def build(torch, sizes, acts, layers):
    nn = torch.nn
    mods = []
    table = {"identity": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
             "softplus": nn.Softplus, "gelu": nn.GELU, "silu": nn.SiLU, "hardtanh": nn.Hardtanh}
    for l, ((W, b), (name, p)) in enumerate(zip(layers, acts)):
        lin = nn.Linear(sizes[l], sizes[l + 1], bias=b is not None)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W, dtype=torch.float32))
            if b is not None:
                lin.bias.copy_(torch.tensor(b, dtype=torch.float32))
        mods.append(lin)
        if name == "leaky_relu":
            mods.append(nn.LeakyReLU(p))
        elif name == "elu":
            mods.append(nn.ELU(p))
        else:
            mods.append(table[name]())
    return nn.Sequential(*mods)


def load_idx_images(d):
    import numpy as np
    with gzip.open(d.rstrip("/") + "/train-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    n, r, c = (int.from_bytes(raw[4 * i + 4:4 * i + 8], "big") for i in range(3))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, r * c)


def run(torch, task, model, data, arg, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    prec, sizes, acts, layers, rec = read_aem(model)
    net = build(torch, sizes, acts, layers)
    lr = float.fromhex(rec["lr"])
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    lossf = torch.nn.MSELoss()
    if task == "toy":
        with open(data) as f:
            X = torch.tensor([[float.fromhex(v) for v in line.split()] for line in f if line.strip()],
                             dtype=torch.float32)
        steps = int(arg)
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = lossf(net(X), X)
            loss.backward()
            opt.step()
        t = time.perf_counter() - t0
        return t, loss.item()
    X = torch.from_numpy(load_idx_images(data).astype("float32")) / 255.0
    batch = int(arg)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X), batch_size=batch,
                                         shuffle=True)
    t0 = time.perf_counter()
    total, n = 0.0, 0
    for (xb,) in loader:
        opt.zero_grad()
        loss = lossf(net(xb), xb)
        loss.backward()
        opt.step()
        total += loss.item() * xb.shape[0]
        n += xb.shape[0]
    t = time.perf_counter() - t0
    return t, total / n


def main():
    try:
        import torch
    except Exception:
        print("peer_s=NA peer_loss=NA threads=NA")
        return
    task, model, data, arg = sys.argv[1:5]
    best = None
    reps = max(1, int(os.environ.get("BENCH_REPS", "2")))   # as bench_train.c
    for _ in range(reps):
        for threads in (1, 2):
            t, loss = run(torch, task, model, data, arg, threads)
            if best is None or t < best[0]:
                best = (t, loss, threads)
    print("peer_s=%.3f peer_loss=%.6g threads=%d" % best)


if __name__ == "__main__":
    main()
