import json, os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kymatio.numpy import TimeFrequencyScattering as JN
from jtfs_helpers import make_torch_jtfs

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'data', 'reference', 'jtfs')
torch.set_num_threads(2)
def relerr(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))

ok = True
report = {}
for case in sorted(os.listdir(REF)):
    d = os.path.join(REF, case)
    if not os.path.isdir(d):
        continue
    p = json.load(open(os.path.join(d, 'params.json')))['kymatio']
    x = np.load(os.path.join(d, 'x.npy'))
    S_ref = np.load(os.path.join(d, 'S.npy'))
    r = {}
    Sn = JN(**p, format='time')(x)
    r['numpy_time'] = relerr(Sn, S_ref)
    st = make_torch_jtfs(torch.float64, **p, format="time")
    xt = torch.from_numpy(x).requires_grad_(True)
    St = st(xt)
    r['torch_time'] = relerr(St.detach().numpy(), S_ref)
    jp = os.path.join(d, 'S_joint.npy')
    if os.path.exists(jp):
        SJ = np.load(jp)
        r['numpy_joint'] = relerr(JN(**p, format='joint')(x), SJ)
        r['torch_joint'] = relerr(make_torch_jtfs(torch.float64, **p, format="joint")(torch.from_numpy(x)).numpy(), SJ)
    else:
        r['joint'] = 'no reference file (Kymatio failed for this case)'
    gp = os.path.join(d, 'g.npy')
    if os.path.exists(gp):
        g = np.load(gp); gx_ref = np.load(os.path.join(d, 'gx.npy'))
        (St * torch.from_numpy(g)).sum().backward()
        r['torch_grad'] = relerr(xt.grad.numpy(), gx_ref)
    for k, v in r.items():
        if isinstance(v, float):
            lim = 1e-10
            if not v < lim:
                ok = False
    report[case] = r
    print(case, r, flush=True)
json.dump(report, open('validation.json', 'w'), indent=1)
print('ALL OK' if ok else 'FAIL')
