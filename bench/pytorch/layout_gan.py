#!/usr/bin/env python3
"""PyTorch replica of sbgan's layout GAN (G_seg / D_seg, SBGAN-SPEC §1) for fast recipe sweeps.

Written from our own Java sources (graphs/.../models/{SegGenerator,SegCritic,Stages,Preset}.java,
nn/{EqualizedConv,EqualizedLinear,PixelNorm}.java, loss/Losses.java, ops/GumbelSoftmaxST.java,
optim/Adam.java, trainer/.../train/{Schedule,Trainer,Noise}.java, data/loader/Transforms.java,
runtime/.../labels/LabelSpaces.java). Defaults = the released recipe of the tiny preset:

  * G_seg / D_seg with equalized lr (weights N(0,1) scaled by gain/sqrt(fan_in) at run time, biases 0),
    PixelNorm without sqrt, LeakyReLU 0.2, toSeg 1x1 (gain 1) + softmax, critic final block
    conv3x3 stride (1, ar) -> conv4x4 -> linear;
  * straight-through Gumbel-softmax (log(p+1e-5), -log(E+1e-10), T only in the soft part);
  * WGAN-GP (lambda 10) on one-hot real maps (nearest-resized as Transforms does, random h-flip) against the
    detached ST sample; G loss -mean D(ST sample); Adam lr 1e-3 betas (0, 0.99) eps 1e-8;
  * one G step then one D step per iteration with fresh z / noise for each; Adam state reset at each new level;
  * level 0 stabilize, then fade + stabilize per level, E epochs x (240 // batch) iterations per phase, fade
    phases without blending (released code).

At the end: 200 maps from fixed z (seed 12345), argmax of p and a Gumbel-sampled one-hot, compared with the
60 val maps at 32x64 (TV of class histograms, pairwise diversity, per-class presence at >= 0.4 % of the
pixels, nearest-neighbour disagreement to the 240 train maps and their mirrors). One JSON line on stdout.

  /usr/bin/python3 bench/pytorch/layout_gan.py --phase-epochs 16 --mbstd --pn-sqrt --fade-blend --device cuda
  /usr/bin/python3 bench/pytorch/layout_gan.py --eval-real
"""
import argparse
import glob
import json
import math
import os
import struct
import sys
import time
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

SQRT2 = math.sqrt(2.0)
LRELU = 0.2
GUMBEL_EPS = 1e-5
CATEGORIES = ["void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"]
# Cityscapes label id -> category id (LabelSpaces 'cityscapes-8': column categoryId of ids 0..33; 255 -> void).
CATEGORY_OF_ID = [0] * 7 + [1] * 4 + [2] * 6 + [3] * 4 + [4] * 2 + [5] + [6] * 2 + [7] * 8
assert len(CATEGORY_OF_ID) == 34
PRESENCE_SHARE = 0.004

PRESETS = {
    # channels per level (level 0 = 4 x 8), z size
    "tiny": dict(channels=[64, 64, 32, 16], z=128),
    "small": dict(channels=[128, 128, 128, 64, 32], z=256),
}
AR = 2
K = 8


# ----------------------------------------------------------------------------------------------------------- data

def read_png_gray8(path):
    """Minimal decoder for 8-bit grayscale, non-interlaced PNGs (the labelIds files); no PIL needed."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(path + ": not a PNG")
    pos, idat, w, h = 8, [], None, None
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        pos += 12 + ln
        if typ == b"IHDR":
            w, h, bd, ct, _, _, il = struct.unpack(">IIBBBBB", body)
            if bd != 8 or ct != 0 or il != 0:
                raise ValueError(f"{path}: need 8-bit gray non-interlaced, got depth {bd} type {ct} interlace {il}")
        elif typ == b"IDAT":
            idat.append(body)
        elif typ == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    out = bytearray(w * h)
    prev = bytearray(w)
    stride = w + 1
    for y in range(h):
        f = raw[y * stride]
        line = bytearray(raw[y * stride + 1:(y + 1) * stride])
        if f == 1:
            for x in range(1, w):
                line[x] = (line[x] + line[x - 1]) & 255
        elif f == 2:
            for x in range(w):
                line[x] = (line[x] + prev[x]) & 255
        elif f == 3:
            for x in range(w):
                left = line[x - 1] if x else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(w):
                a = line[x - 1] if x else 0
                b = prev[x]
                c = prev[x - 1] if x else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        elif f != 0:
            raise ValueError(f"{path}: bad filter {f}")
        out[y * w:(y + 1) * w] = line
        prev = line
    return h, w, out


def load_split(root, split):
    files = sorted(glob.glob(os.path.join(root, "gtFine", split, "*", "*_gtFine_labelIds.png")))
    if not files:
        raise SystemExit(f"no label maps under {root}/gtFine/{split}")
    lut = bytes([CATEGORY_OF_ID[i] if i < 34 else 0 for i in range(256)])
    maps, hw = [], None
    for f in files:
        h, w, px = read_png_gray8(f)
        if hw is None:
            hw = (h, w)
        elif hw != (h, w):
            raise SystemExit(f"{f}: size {h}x{w} differs from {hw}")
        maps.append(torch.frombuffer(bytearray(px.translate(lut)), dtype=torch.uint8).view(h, w).clone())
    return torch.stack(maps)


def load_data(root, cache):
    if cache and os.path.exists(cache):
        d = torch.load(cache)
        return d["train"], d["val"]
    train, val = load_split(root, "train"), load_split(root, "val")
    if cache:
        os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
        tmp = cache + f".{os.getpid()}.tmp"
        torch.save({"train": train, "val": val}, tmp)
        os.replace(tmp, cache)
    return train, val


def nearest_index(src, resized, n):
    """Transforms.nearestIndex: half-pixel centres, floor, clamped (no crop, no flip)."""
    scale = src / resized
    return torch.tensor([min(src - 1, int(math.floor((i + 0.5) * scale))) for i in range(n)], dtype=torch.long)


def resize_nearest(maps, oh, ow):
    """[N, H, W] class maps -> [N, oh, ow] as Transforms (resize to cover, centre crop; here the aspect matches)."""
    n, h, w = maps.shape
    s = max(oh / h, ow / w)
    rh, rw = max(oh, round(h * s)), max(ow, round(w * s))
    if (rh, rw) != (oh, ow):
        raise ValueError(f"aspect of {h}x{w} does not match {oh}x{ow}")
    ys, xs = nearest_index(h, oh, oh), nearest_index(w, ow, ow)
    return maps[:, ys][:, :, xs]


# -------------------------------------------------------------------------------------------------------- networks

class EqConv(nn.Module):
    def __init__(self, cin, cout, k, pad, gain=SQRT2, stride=(1, 1)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin * k * k)
        self.stride, self.pad = stride, pad

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, self.stride, self.pad)


class EqLinear(nn.Module):
    def __init__(self, cin, cout, gain=SQRT2):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


def pixel_norm(x, sqrt):
    d = x.pow(2).mean(1, keepdim=True) + 1e-8
    return x / (d.sqrt() if sqrt else d)


class SegGenerator(nn.Module):
    """All levels of G_seg; forward(z, level[, alpha]) uses blocks 0..level and toSeg<level> (+ toSeg<level-1>)."""

    def __init__(self, channels, zdim, pn_sqrt):
        super().__init__()
        self.c, self.zdim, self.pn_sqrt = channels, zdim, pn_sqrt
        c0 = channels[0]
        self.fc = EqLinear(zdim, c0 * 4 * 4 * AR, gain=SQRT2 / 4)
        self.conv0 = EqConv(c0, c0, 3, 1)
        self.blocks = nn.ModuleList()
        for l in range(1, len(channels)):
            self.blocks.append(nn.ModuleList([EqConv(channels[l - 1], channels[l], 3, 1), EqConv(channels[l], channels[l], 3, 1)]))
        self.to_seg = nn.ModuleList([EqConv(c, K, 1, 0, gain=1.0) for c in channels])

    def params_at(self, level, blend):
        ps = list(self.fc.parameters()) + list(self.conv0.parameters())
        for l in range(1, level + 1):
            ps += list(self.blocks[l - 1].parameters())
        ps += list(self.to_seg[level].parameters())
        if blend and level > 0:
            ps += list(self.to_seg[level - 1].parameters())
        return ps

    def forward(self, z, level, alpha=None):
        pn = lambda t: pixel_norm(t, self.pn_sqrt)
        x = self.fc(pn(z)).view(-1, self.c[0], 4, 4 * AR)
        x = pn(F.leaky_relu(x, LRELU))
        x = pn(F.leaky_relu(self.conv0(x), LRELU))
        prev = None
        for l in range(1, level + 1):
            if l == level:
                prev = x
            c1, c2 = self.blocks[l - 1]
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = pn(F.leaky_relu(c1(x), LRELU))
            x = pn(F.leaky_relu(c2(x), LRELU))
        p = F.softmax(self.to_seg[level](x), 1)
        if alpha is None or level == 0:
            return p
        pp = F.interpolate(F.softmax(self.to_seg[level - 1](prev), 1), scale_factor=2, mode="nearest")
        return (1 - alpha) * pp + alpha * p


def minibatch_stddev(x, group):
    n, c, h, w = x.shape
    g = min(group, n)
    if n % g:
        g = n
    y = x.reshape(g, -1, c, h, w)
    y = y - y.mean(0, keepdim=True)
    y = (y.pow(2).mean(0) + 1e-8).sqrt().mean([1, 2, 3])  # [n // g]: sample i belongs to group i % (n // g)
    y = y.reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
    return torch.cat([x, y], 1)


class SegCritic(nn.Module):
    """All levels of D_seg; forward(x, level[, alpha])."""

    def __init__(self, channels, mbstd):
        super().__init__()
        self.c, self.mbstd = channels, mbstd
        self.from_seg = nn.ModuleList([EqConv(K, c, 1, 0, gain=1.0) for c in channels])
        self.blocks = nn.ModuleList()
        for l in range(1, len(channels)):
            self.blocks.append(nn.ModuleList([EqConv(channels[l], channels[l], 3, 1), EqConv(channels[l], channels[l - 1], 3, 1)]))
        c0 = channels[0]
        self.final1 = EqConv(c0 + (1 if mbstd else 0), c0, 3, 1, stride=(1, AR))
        self.final2 = EqConv(c0, c0, 4, 0)
        self.fc = EqLinear(c0, 1)

    def params_at(self, level, blend):
        ps = list(self.from_seg[level].parameters())
        if blend and level > 0:
            ps += list(self.from_seg[level - 1].parameters())
        for l in range(1, level + 1):
            ps += list(self.blocks[l - 1].parameters())
        return ps + list(self.final1.parameters()) + list(self.final2.parameters()) + list(self.fc.parameters())

    def forward(self, x, level, alpha=None):
        h = F.leaky_relu(self.from_seg[level](x), LRELU)
        for l in range(level, 0, -1):
            c1, c2 = self.blocks[l - 1]
            h = F.leaky_relu(c1(h), LRELU)
            h = F.leaky_relu(c2(h), LRELU)
            h = F.avg_pool2d(h, 2)
            if alpha is not None and l == level:
                prev = F.leaky_relu(self.from_seg[level - 1](F.avg_pool2d(x, 2)), LRELU)
                h = (1 - alpha) * prev + alpha * h
        if self.mbstd:
            h = minibatch_stddev(h, 4)
        h = F.leaky_relu(self.final1(h), LRELU)
        h = F.leaky_relu(self.final2(h), LRELU)
        return self.fc(h.flatten(1))


def gumbel_st(p, temperature):
    """GumbelSoftmaxST: forward one-hot(argmax((log(p+1e-5)+g)/T)), gradient of the tempered softmax."""
    logits = torch.log(p + GUMBEL_EPS)
    e = torch.empty_like(p).exponential_()
    g = -torch.log(e + 1e-10)
    z = logits + g
    soft = F.softmax(z / temperature if temperature != 1.0 else z, 1)
    hard = torch.zeros_like(soft).scatter_(1, soft.argmax(1, keepdim=True), 1.0)  # no host sync (F.one_hot checks)
    return hard - soft.detach() + soft


# ----------------------------------------------------------------------------------------------------------- metrics

def onehot_flat(maps):
    return F.one_hot(maps.long(), K).permute(0, 3, 1, 2).reshape(maps.shape[0], -1).float()


def metrics(maps, val, train_aug, exclude_self=False):
    """maps, val: [M, h, w] class maps at the eval size; train_aug: train maps and their mirrors [2T, h, w]."""
    m, px = maps.shape[0], maps.shape[1] * maps.shape[2]
    hist = torch.bincount(maps.reshape(-1).long(), minlength=K).double()
    hist /= hist.sum()
    vh = torch.bincount(val.reshape(-1).long(), minlength=K).double()
    vh /= vh.sum()
    x = onehot_flat(maps)
    agree = x @ x.t() / px
    iu = torch.triu_indices(m, m, 1)
    div = (1 - agree[iu[0], iu[1]]).mean().item()
    share = torch.stack([torch.bincount(mp.reshape(-1).long(), minlength=K) for mp in maps]).double() / px
    pres = (share >= PRESENCE_SHARE).double().mean(0)
    t = onehot_flat(train_aug)
    at = x @ t.t() / px
    if exclude_self:  # maps are the train maps themselves: drop each one and its mirror
        n = at.shape[1] // 2
        idx = torch.arange(m)
        at[idx, idx] = -1
        at[idx, idx + n] = -1
    nn_dis = (1 - at.max(1).values).mean().item()
    return {
        "tv": round(0.5 * (hist - vh).abs().sum().item(), 4),
        "div": round(div, 4),
        "pres_vehicle": round(pres[7].item(), 3),
        "pres_human": round(pres[6].item(), 3),
        "pres_object": round(pres[3].item(), 3),
        "nn": round(nn_dis, 4),
        "presence": [round(v, 3) for v in pres.tolist()],
        "hist": [round(v, 4) for v in hist.tolist()],
    }


# ---------------------------------------------------------------------------------------------------------- training

def build_schedule(levels, epochs, batches_per_epoch, top_extra):
    n = max(1, round(epochs * batches_per_epoch))
    phases = []
    for l in range(levels):
        if l > 0:
            phases.append(("fade", l, n))
        phases.append(("stabilize", l, max(1, round(n * top_extra)) if l == levels - 1 else n))
    return phases


def make_adam(params, lr, dev):
    kw = dict(lr=lr, betas=(0.0, 0.99), eps=1e-8)
    if dev.type == "cuda" and int(torch.__version__.split(".")[0]) >= 2:
        kw["fused"] = True
    return torch.optim.Adam(params, **kw)


def set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = g


def train(args, train_maps, dev):
    torch.manual_seed(args.seed)
    pre = PRESETS[args.preset]
    chans, zdim = pre["channels"], pre["z"]
    levels = len(chans)
    top = levels - 1
    dchans = [c * args.d_width for c in chans]
    G = SegGenerator(chans, zdim, args.pn_sqrt).to(dev)
    D = SegCritic(dchans, args.mbstd).to(dev)
    G_ema = None
    if args.ema > 0:
        G_ema = SegGenerator(chans, zdim, args.pn_sqrt).to(dev)
        G_ema.load_state_dict(G.state_dict())
        for p in G_ema.parameters():
            p.requires_grad_(False)

    n_train = train_maps.shape[0]
    b = args.batch
    bpe = n_train // b
    phases = build_schedule(levels, args.phase_epochs, bpe, args.top_extra)
    total = sum(p[2] for p in phases)
    # real maps per level (and mirrors) on the device
    per_level = {}
    for l in range(levels):
        h, w = 4 << l, (4 * AR) << l
        r = resize_nearest(train_maps, h, w).to(dev)
        per_level[l] = (r, r.flip(-1))
    gen = torch.Generator(device=dev)
    gen.manual_seed(args.seed * 7919 + 17)

    stats = []  # per phase: sums of (wasserstein, gp, loss_g) on the device, one sync at the end
    t0 = time.time()
    deadline = t0 + args.deadline_s if args.deadline_s > 0 else None
    done, truncated = 0, False
    opt_g = opt_d = None
    cur_level = -1
    batch_pos, perm = bpe, None  # the loader stream: epoch permutations cut into full batches
    for kind, level, iters in phases:
        blend = args.fade_blend and level > 0
        new_level = level != cur_level
        gp_params, dp_params = G.params_at(level, blend), D.params_at(level, blend)
        if new_level:
            lr_g = args.lr_g_top if (level == top and args.lr_g_top > 0) else args.lr_g
            if opt_g is None or not args.carry_adam:
                opt_g, opt_d = make_adam(gp_params, lr_g, dev), make_adam(dp_params, args.lr_d, dev)
            else:  # carry: one optimizer per network over every parameter it has used so far
                have_g = {id(p) for grp in opt_g.param_groups for p in grp["params"]}
                new_g = [p for p in gp_params if id(p) not in have_g]
                if new_g:
                    opt_g.add_param_group({"params": new_g})
                have_d = {id(p) for grp in opt_d.param_groups for p in grp["params"]}
                new_d = [p for p in dp_params if id(p) not in have_d]
                if new_d:
                    opt_d.add_param_group({"params": new_d})
                for grp in opt_g.param_groups:
                    grp["lr"] = lr_g
            if G_ema is not None:  # new-level parameters start from the live ones
                with torch.no_grad():
                    live = dict(G.named_parameters())
                    for name, pe in G_ema.named_parameters():
                        if name.startswith(f"blocks.{level - 1}.") or name.startswith(f"to_seg.{level}.") or level == 0:
                            pe.copy_(live[name])
                ema_t = 0
            cur_level = level
        real_l, real_f = per_level[level]
        acc = torch.zeros(3, device=dev)
        n_phase = 0
        for it in range(iters):
            if deadline is not None and time.time() > deadline:
                truncated = True
                break
            alpha = (it + 1) / iters if (blend and kind == "fade") else (1.0 if blend else None)
            # ---- G step
            z = torch.randn(b, zdim, device=dev, generator=gen)
            fake = gumbel_st(G(z, level, alpha), args.temperature)
            loss_g = -D(fake, level, alpha).mean()
            set_grads(gp_params, torch.autograd.grad(loss_g, gp_params))
            opt_g.step()
            if G_ema is not None:
                beta = min(args.ema, (1 + ema_t) / (10 + ema_t))
                ema_t += 1
                with torch.no_grad():
                    live = dict(G.named_parameters())
                    for name, pe in G_ema.named_parameters():
                        pe.lerp_(live[name], 1 - beta)
            # ---- D step(s)
            for _ in range(args.n_critic):
                if batch_pos >= bpe:
                    perm = torch.randperm(n_train, device=dev, generator=gen)
                    batch_pos = 0
                idx = perm[batch_pos * b:(batch_pos + 1) * b]
                batch_pos += 1
                flip = torch.rand(b, device=dev, generator=gen) < 0.5
                lab = torch.where(flip[:, None, None], real_f[idx], real_l[idx])
                real = torch.zeros(b, K, *lab.shape[1:], device=dev).scatter_(1, lab.long().unsqueeze(1), 1.0)
                with torch.no_grad():
                    z = torch.randn(b, zdim, device=dev, generator=gen)
                    fake = gumbel_st(G(z, level, alpha), args.temperature)
                if args.mbstd:  # batch statistics: one call per input, as the Java step does
                    d_real, d_fake = D(real, level, alpha), D(fake, level, alpha)
                else:
                    d_both = D(torch.cat([real, fake]), level, alpha)
                    d_real, d_fake = d_both[:b], d_both[b:]
                wdist = d_fake.mean() - d_real.mean()
                a = torch.rand(b, 1, 1, 1, device=dev, generator=gen)
                xhat = (a * real + (1 - a) * fake).requires_grad_(True)
                grad, = torch.autograd.grad(D(xhat, level, alpha).sum(), xhat, create_graph=True)
                norm = (grad.pow(2).sum([1, 2, 3]) + 1e-12).sqrt()
                gp = args.gp_lambda * (norm - 1).pow(2).mean()
                loss_d = wdist + gp
                set_grads(dp_params, torch.autograd.grad(loss_d, dp_params))
                opt_d.step()
            acc += torch.stack([wdist.detach(), gp.detach(), loss_g.detach()])
            done += 1
            n_phase += 1
        stats.append((kind, level, max(1, n_phase), acc))
        if truncated:
            break
    train_s = time.time() - t0
    phase_stats = []
    for kind, level, n, acc in stats:
        w, g, lg = (acc / n).tolist()
        phase_stats.append({"phase": f"L{level}/{kind}", "wdist": round(w, 4), "gp": round(g, 4), "loss_g": round(lg, 4)})
    return (G_ema if G_ema is not None else G), cur_level, dict(level_reached=cur_level, iterations=done, planned_iterations=total, truncated=truncated,
                                                          train_s=round(train_s, 2), it_per_s=round(done / max(train_s, 1e-9), 1),
                                                          phases=phase_stats)


@torch.no_grad()
def generate(G, level, zdim, dev, n=200):
    gz = torch.Generator().manual_seed(12345)
    z = torch.randn(n, zdim, generator=gz).to(dev)
    p = torch.cat([G(z[i:i + 100], level) for i in range(0, n, 100)]).float().cpu()
    gn = torch.Generator().manual_seed(12346)
    e = torch.empty(p.shape).exponential_(generator=gn)
    sampled = (torch.log(p + GUMBEL_EPS) - torch.log(e + 1e-10)).argmax(1)
    return p.argmax(1), sampled, p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata"))
    ap.add_argument("--cache", default=None, help="decoded label maps (.pt), written if missing")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--phase-epochs", type=float, default=4.0, help="E: epochs per phase (tiny default 4)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mbstd", action="store_true", help="minibatch-stddev in D_seg's final block")
    ap.add_argument("--pn-sqrt", action="store_true", help="textbook PixelNorm x/sqrt(mean x^2 + 1e-8)")
    ap.add_argument("--fade-blend", action="store_true", help="textbook ProGAN fade-in blending")
    ap.add_argument("--ema", type=float, default=0.0, help="EMA decay of G_seg weights used for evaluation (0 = off)")
    ap.add_argument("--n-critic", type=int, default=1, help="D steps per G step (each takes a fresh real batch)")
    ap.add_argument("--lr-g", type=float, default=1e-3)
    ap.add_argument("--lr-d", type=float, default=1e-3)
    ap.add_argument("--lr-g-top", type=float, default=0.0, help="G lr at the top level (0 = --lr-g)")
    ap.add_argument("--temperature", type=float, default=1.0, help="Gumbel-softmax T (soft part only)")
    ap.add_argument("--carry-adam", action="store_true", help="keep Adam state across levels")
    ap.add_argument("--top-extra", type=float, default=1.0, help="length factor of the top level's stabilize phase")
    ap.add_argument("--d-width", type=int, default=1, help="multiply D_seg's channels")
    ap.add_argument("--gp-lambda", type=float, default=10.0)
    ap.add_argument("--eval-size", default="32x64", help="HxW at which generated and real maps are compared")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--deadline-s", type=float, default=0.0, help="stop training after this many seconds, then evaluate")
    ap.add_argument("--eval-real", action="store_true", help="print reference metrics of the real val and train maps")
    ap.add_argument("--name", default="", help="label copied into the JSON line")
    ap.add_argument("--save-maps", default="", help="write generated argmax maps (.pt) here")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    train_maps, val_maps = load_data(args.data, args.cache)
    eh, ew = (int(v) for v in args.eval_size.split("x"))
    val_e = resize_nearest(val_maps, eh, ew)
    train_e = resize_nearest(train_maps, eh, ew)
    train_aug = torch.cat([train_e, train_e.flip(-1)])

    if args.eval_real:
        print(json.dumps({"name": "real_val", **metrics(val_e, val_e, train_aug)}))
        print(json.dumps({"name": "real_train", **metrics(train_e, val_e, train_aug, exclude_self=True)}))
        return

    G, top, info = train(args, train_maps, dev)
    amax, samp, p = generate(G, top, PRESETS[args.preset]["z"], dev)
    if amax.shape[1] < eh:  # truncated run evaluated at a lower level: nearest upsampling
        f = eh // amax.shape[1]
        amax = amax.repeat_interleave(f, 1).repeat_interleave(f, 2)
        samp = samp.repeat_interleave(f, 1).repeat_interleave(f, 2)
    if amax.shape[1:] != (eh, ew):
        amax, samp = resize_nearest(amax, eh, ew), resize_nearest(samp, eh, ew)
    if args.save_maps:
        torch.save({"argmax": amax.to(torch.uint8), "sampled": samp.to(torch.uint8)}, args.save_maps)
    cfg = {k: v for k, v in vars(args).items() if k not in ("data", "cache", "eval_real", "save_maps", "threads")}
    out = {"name": args.name, "config": cfg, "argmax": metrics(amax, val_e, train_aug),
           "sampled": metrics(samp, val_e, train_aug),
           "mean_max_p": round(p.max(1).values.mean().item(), 4), **info, "wall_s": round(time.time() - t_start, 2)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
