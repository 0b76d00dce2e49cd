#!/usr/bin/python3
"""The README's PyTorch exporter (the ```python block holding `def export_aem`).

Usage: test_exporter.py [AEAUDIT [README]]  (defaults: bin/aeaudit and README.md beside
this tests/ folder).  Exit 0 pass, 1 fail, 77 skipped (torch or numpy not importable).
Checks that every construct the engine cannot compute exactly raises ValueError, and that
supported nets with a scaling export to files `aeaudit describe` reads and whose
`aeaudit eval` scores equal torch's ||x' - f(x')||^2 on the scaled points x'."""
import os, re, subprocess, sys, tempfile
from fractions import Fraction

try:
    import numpy as np
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "no torch here"
    print(f"skipped: no torch ({e})")
    sys.exit(77)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
aeaudit = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, "bin", "aeaudit")
readme = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "README.md")
blocks = [b for b in re.findall(r"```python\n(.*?)```", open(readme).read(), re.S)
          if "def export_aem" in b]
if len(blocks) != 1:
    print(f"FAIL: {len(blocks)} python blocks with def export_aem in {readme}")
    sys.exit(1)
ns = {}
exec(compile(blocks[0], readme + ":export_aem", "exec"), ns)
export_aem = ns["export_aem"]
nn = torch.nn
fails = []
tmp = tempfile.mkdtemp(prefix="test_exporter.")
path = os.path.join(tmp, "m.aem")


def lin(a, b):
    return nn.Linear(a, b)


def raises(what, seq, **kw):
    try:
        export_aem(seq, path, **kw)
    except ValueError as e:
        print(f"  raises as it must: {what}: {e}")
        return
    except Exception as e:  # noqa: BLE001 - a crash is a failure, not a pass
        fails.append(f"{what}: {type(e).__name__} ({e}) instead of ValueError")
        return
    fails.append(f"no ValueError for {what}")


torch.manual_seed(12345)
ok2 = lambda *mid: nn.Sequential(lin(2, 3), *mid, lin(3, 2)).eval()
raises("GELU(approximate='tanh')", ok2(nn.GELU(approximate="tanh")))
raises("Softplus(beta=2)", ok2(nn.Softplus(beta=2)))
raises("Softplus(threshold=10)", ok2(nn.Softplus(threshold=10)))
raises("Hardtanh(-2, 2)", ok2(nn.Hardtanh(-2, 2)))
raises("Hardtanh(-1, 2)", ok2(nn.Hardtanh(-1, 2)))
raises("ReLU6 (a Hardtanh subclass)", ok2(nn.ReLU6()))
raises("LeakyReLU() (0.01 is not a float32)", ok2(nn.LeakyReLU()))
raises("ELU(alpha=0.1)", ok2(nn.ELU(alpha=0.1)))
raises("ELU(alpha=-1)", ok2(nn.ELU(alpha=-1.0)))
raises("ELU(alpha=0)", ok2(nn.ELU(alpha=0.0)))
raises("two activations in a row", ok2(nn.ReLU(), nn.Tanh()))
raises("two activations with Identity between", ok2(nn.ReLU(), nn.Identity(), nn.Tanh()))
raises("activation before the first Linear", nn.Sequential(nn.Tanh(), lin(2, 2)).eval())
raises("activation only", nn.Sequential(nn.ReLU()).eval())
raises("Dropout in train mode", ok2(nn.Dropout(0.5)).train())
raises("Identity in train mode", ok2(nn.Identity()).train())
raises("BatchNorm1d (eval mode)", ok2(nn.BatchNorm1d(3)))
raises("CELU", ok2(nn.CELU()))
raises("SELU", ok2(nn.SELU()))
raises("PReLU", ok2(nn.PReLU()))
raises("Linear width mismatch", nn.Sequential(lin(2, 3), lin(4, 2)).eval())
raises("float64 Linear after float32", nn.Sequential(lin(2, 3), lin(3, 2).double()).eval())
raises("float16", ok2().half())
raises("scale of wrong length", ok2(), scale=([0], [1]))
raises("scale with lo > hi", ok2(), scale=([0, 2], [1, 1]))
raises("scale with a float", ok2(), scale=([0, 0.1], [1, 1]))
raises("scale with junk text", ok2(), scale=([0, "x"], [1, 1]))

os.chdir(tmp)   # the commands run from here; no ./data needed for a CSV path
worst = [0.0]


def check(name, seq, lo, hi, X, softplus_big=False):
    try:
        export_aem(seq, path, scale=(lo, hi))
    except Exception as e:  # noqa: BLE001
        fails.append(f"{name}: export raised {type(e).__name__}: {e}")
        return None
    r = subprocess.run([aeaudit, "describe", path], capture_output=True, text=True)
    if r.returncode != 0:
        fails.append(f"{name}: describe exited {r.returncode}: {r.stderr.strip()}")
        return
    csv = os.path.join(tmp, name + ".csv")
    with open(csv, "w") as f:
        f.write(",".join(f"x{j}" for j in range(len(lo))) + ",label\n")
        for i, row in enumerate(X):
            f.write(",".join(row) + f",{i % 2}\n")
    r = subprocess.run([aeaudit, "eval", path, "--data", csv], capture_output=True, text=True)
    if r.returncode != 0:
        fails.append(f"{name}: eval exited {r.returncode}: {r.stderr.strip()}")
        return
    got = [float(l.split()[2]) for l in r.stdout.splitlines()
           if l and l[0].isdigit()]
    lo_q, hi_q = [Fraction(v) for v in lo], [Fraction(v) for v in hi]
    xs = np.array([[float((Fraction(v) - a) / (b - a) if b != a else Fraction(v) - a)
                    for v, a, b in zip(row, lo_q, hi_q)] for row in X],
                  dtype=np.float64 if next(seq.parameters()).dtype == torch.float64 else np.float32)
    with torch.no_grad():
        t = torch.from_numpy(xs)
        want = ((t.double() - seq(t).double()) ** 2).sum(1).numpy()
    if len(got) != len(want):
        fails.append(f"{name}: eval printed {len(got)} scores for {len(want)} rows")
        return
    for i, (g, w) in enumerate(zip(got, want)):
        err = abs(g - w)
        worst[0] = max(worst[0], err / (1e-5 * abs(w) + 1e-6))
        if err > 1e-5 * abs(w) + 1e-6:
            fails.append(f"{name}: row {i}: aeaudit {g!r} torch {w!r}")
    print(f"  {name}: {len(got)} scores match torch (max |diff| "
          f"{max(abs(g - w) for g, w in zip(got, want)):.3g})")
    return t


rng = np.random.default_rng(2026)
X = [[f"{v:.3f}" for v in row] for row in rng.uniform(-3, 5, size=(40, 2))]
net1 = nn.Sequential(lin(2, 5), nn.ReLU(), lin(5, 4), nn.LeakyReLU(0.125), lin(4, 1), nn.Tanh(),
                     lin(1, 4), nn.Sigmoid(), lin(4, 5), nn.Hardtanh(), nn.Dropout(0.3),
                     nn.Identity(), lin(5, 2)).eval()
check("net1", net1, ["-3", Fraction(-5, 2)], [5, "4.75"], X)
# Softplus / GELU / ELU / SiLU, with weights large enough that the Softplus sees inputs
# above torch's threshold 20 (torch returns x there, the engine x + log1p(e^-x)).
net2 = nn.Sequential(lin(2, 6), nn.Softplus(), lin(6, 6), nn.GELU(), lin(6, 6), nn.ELU(0.5),
                     lin(6, 6), nn.SiLU(), lin(6, 2)).eval()
with torch.no_grad():
    net2[0].weight.mul_(40)
t2 = check("net2", net2, ["0", "0"], ["1", "2"], [[f"{v:.4f}" for v in row]
                                                 for row in rng.uniform(0, 2, size=(40, 2))])
if t2 is not None:
    with torch.no_grad():
        z = net2[0](t2)
    above = int((z > 20).sum())
    print(f"  net2: {above} Softplus inputs above torch's threshold 20 (max {float(z.max()):.1f})")
    if above == 0:
        fails.append("net2 never exercises Softplus above its threshold")
net3 = nn.Sequential(lin(2, 5), nn.ReLU(), lin(5, 2)).double().eval()
raises("float64 Softplus threshold 20", nn.Sequential(lin(2, 2), nn.Softplus(), lin(2, 2)).double())
check("net3_float64", net3, ["-3", "-3"], ["5", "5"], X)
print(f"  worst |diff| / (1e-5 |torch| + 1e-6) = {worst[0]:.3g}")

for f in os.listdir(tmp):
    os.remove(os.path.join(tmp, f))
os.rmdir(tmp)
if fails:
    for f in fails:
        print("FAIL:", f)
    sys.exit(1)
print("test_exporter: all passed")
