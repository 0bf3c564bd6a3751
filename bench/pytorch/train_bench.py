#!/usr/bin/env python3
"""PyTorch eager reference of sbgan's `bench train` and `bench generate`, to time the two side by side.

The same networks, losses, optimizers, shapes, batches and thread count as the Java benchmarks
(cli/.../bench/TrainBench.java, GenerateBench.java), written from this repository's sources, for the presets
`tiny` and `small` with their default layout recipe (minibatch stddev in D_seg, G_seg EMA 0.999, PixelNorm
without sqrt, no fade blending). One iteration is the stage's G step, then its D step (TrainingStage.timed):

  seg    seg_g_L<top> / seg_d_L<top>  G_seg + D_seg at the top level: -mean D_seg(ST-Gumbel(G_seg(z))), Adam, EMA;
                                      then WGAN-GP (lambda 10, double backprop), Adam
  spade  spade_g / spade_d            G_img + D1: hinge G + feature matching (x10 / num_D), VGG off; hinge D; TTUR
  e2e    e2e_g / e2e_d                10 * D_seg term + 0.1 * D2 term + SPADE losses; 10 * WGAN-GP + D1 + 0.1 * D2
  generate                            SceneGenerator: G_seg, argmax, one-hot, G_img (inference), batch 1 and 16
  conv                                the convolution ceiling: ConvBench's plain 3x3 forward case, N8 C64 -> 64, 64x64
  segmenter  segmenter_train          the U-Net of `segmenter train` (bench segmenter): per-pixel cross-entropy, Adam

Java (graphs/src/main/java/org/sbgan/graphs/...)   Python
  models/SegGenerator, models/SegCritic          layout_gan.SegGenerator, layout_gan.SegCritic, at the top level
                                                 (params_at(top, False): the top level's parameters, no fade head)
  nn/EqualizedConv, EqualizedLinear, PixelNorm,  layout_gan.EqConv, EqLinear, pixel_norm, minibatch_stddev
     MinibatchStddev
  ops/GumbelSoftmaxST                            gumbel_st
  nn/Conv2d (and PatchDiscriminator.PlainConv)   plain_conv
  nn/SNConv + nn/SpectralNorm                    SNConv
  nn/Spade + nn/BatchNorm                        Spade
  nn/SpadeResBlock                               SpadeResBlock
  models/ImageGenerator                          ImageGenerator
  models/PatchDiscriminator + nn/InstanceNorm    PatchDiscriminator
  loss/Losses                                    wgan_gp_d, hinge_d, hinge_g, feature_matching
  optim/Adam                                     torch.optim.Adam (the preset's lr and betas, eps 1e-8)
  optim/Ema                                      Ema
  models/Stages.segG/segD, spadeG/spadeD,        seg_stage, spade_stage, e2e_stage
     e2eG/e2eD (Stages.Frozen: set_trained)
  models/Preset, TrainingStage.adam              PRESETS, ADAM
  runtime/SceneGenerator, InferenceGraphs        bench_generate
  models/Segmenter                               UNet, UNetBlock, segmenter_stage
  loss/Losses.pixelCrossEntropy                  pixel_cross_entropy
  cli/bench/TrainBench, GenerateBench, ConvBench bench_train, bench_generate, bench_conv
  cli/bench/SegmenterBench                       bench_segmenter

  /usr/bin/python3 bench/pytorch/train_bench.py --preset tiny --stage spade --steps 20 --warmup 2 --threads 2 --json
  /usr/bin/python3 bench/pytorch/train_bench.py --preset small --stage generate --scenes 32 --repeats 3 --json
  /usr/bin/python3 bench/pytorch/train_bench.py --preset tiny --params --manifest /tmp/g/manifest.json
  /usr/bin/python3 bench/pytorch/train_bench.py --stage segmenter --steps 20 --warmup 3 --threads 2 --json
"""
import argparse
import json
import math
import os
import resource
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layout_gan  # noqa: E402  (G_seg / D_seg and their layers)
from layout_gan import SegCritic, SegGenerator  # noqa: E402

LRELU = 0.2
GUMBEL_EPS = 1e-5        # GumbelSoftmaxST.EPS
SN_EPS = 1e-12           # SpectralNorm.EPS
GP_LAMBDA, GP_NORM_EPS = 10.0, 1e-12
FEAT_LAMBDA = 10.0
E2E_SEG_WEIGHT, E2E_D2_WEIGHT = 10.0, 0.1
PATCH_KERNEL, PATCH_PAD = 4, 2


@dataclass(frozen=True)
class Preset:
    """The fields of Preset.java the benchmarks use. Both presets: K 8, ar 2, "normal" SPADE upsampling (n_up 5),
    layoutScaling 1, detachSegInBlocks, PatchD numD 2 / nLayersD 3, Gumbel T 1, layout recipe CPU_LAYOUT_RECIPE."""
    name: str
    seg_channels: tuple
    z_dim: int
    ngf: int
    nhidden: int
    ndf: int
    num_classes: int = 8
    aspect_ratio: int = 2
    num_up: int = 5
    layout_scaling: int = 1
    detach_seg_in_blocks: bool = True
    num_d: int = 2
    n_layers_d: int = 3
    minibatch_stddev: bool = True
    pixel_norm_sqrt: bool = False
    ema_beta: float = 0.999
    batch_seg: int = 16
    batch_spade: int = 8
    batch_e2e: int = 8

    @property
    def top(self):
        return len(self.seg_channels) - 1

    @property
    def seg_size(self):
        return 4 << self.top, (4 * self.aspect_ratio) << self.top

    @property
    def image_size(self):
        h, w = self.seg_size
        return h * self.layout_scaling, w * self.layout_scaling

    @property
    def spade_start(self):
        sw = self.image_size[1] >> self.num_up
        return sw // self.aspect_ratio, sw


PRESETS = {
    "tiny": Preset("tiny", (64, 64, 32, 16), 128, ngf=16, nhidden=32, ndf=16),
    "small": Preset("small", (128, 128, 128, 64, 32), 256, ngf=32, nhidden=64, ndf=32),
}

# TrainingStage.adam with Preset.Optim.paper(1e-4): (lr, beta1, beta2) of each Adam group in each stage.
ADAM = {
    "seg": {"gseg": (1e-3, 0.0, 0.99), "dseg": (1e-3, 0.0, 0.99)},
    "spade": {"gimg": (1e-4, 0.0, 0.9), "d1": (4e-4, 0.0, 0.9)},
    "e2e": {"gseg": (1e-4, 0.0, 0.99), "dseg": (1e-4, 0.0, 0.99), "gimg": (1e-4, 0.0, 0.9), "d1": (4e-4, 0.0, 0.9),
            "d2": (2e-4, 0.0, 0.99)},
}


# ------------------------------------------------------------------------------------------------------- layers

def plain_conv(cin, cout, k, stride, pad):
    """nn/Conv2d: weight xavier-normal with gain 0.02, bias 0 (also PatchDiscriminator's PlainConv)."""
    conv = nn.Conv2d(cin, cout, k, stride, pad)
    nn.init.xavier_normal_(conv.weight, gain=0.02)
    nn.init.zeros_(conv.bias)
    return conv


def normalize(x):
    return x / (x.norm() + SN_EPS)


class SNConv(nn.Module):
    """nn/SNConv + nn/SpectralNorm: W / sigma with one power iteration per forward from the buffer u [O] on a constant
    copy of W (v = normalize(W^T u), u' = normalize(W v)), sigma = u'^T W v differentiated through W only; u' is
    written back only while the network is trained (writes_state), as Stages.Frozen leaves it otherwise."""

    def __init__(self, cin, cout, k, stride, pad, bias=True):
        super().__init__()
        self.weight = nn.Parameter(nn.init.xavier_normal_(torch.empty(cout, cin, k, k), gain=0.02))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.register_buffer("u", normalize(torch.randn(cout)))
        self.stride, self.pad = stride, pad
        self.writes_state = True

    def forward(self, x):
        wm = self.weight.reshape(self.weight.shape[0], -1)
        with torch.no_grad():
            v = normalize(self.u[None] @ wm)  # [1, M]
            u = normalize(v @ wm.t())         # [1, O]
        sigma = (u * (v @ wm.t())).sum()
        if self.writes_state:
            self.u.copy_(u[0])
        return F.conv2d(x, self.weight / sigma, self.bias, self.stride, self.pad)


def resize_nearest(x, h, w):
    """Spade.resizeNearest: a strided slice down (Graph.downsampleNearest), nearest (floor) up, by integer factors."""
    hs, ws = x.shape[2], x.shape[3]
    if (hs, ws) == (h, w):
        return x
    if hs >= h:
        return x[:, :, ::hs // h, ::ws // w]
    return F.interpolate(x, scale_factor=(h // hs, w // ws), mode="nearest")


def upsample_layout(layout, s):
    """Stages.upsampleLayout: nearest x layoutScaling from G_seg's top size to SPADE's image size."""
    return layout if s == 1 else F.interpolate(layout, scale_factor=s, mode="nearest")


class Spade(nn.Module):
    """nn/Spade: BN(x) * (1 + gamma) + beta, BN parameter-free (nn/BatchNorm: batch statistics in training, running
    statistics with momentum 0.1 and eps 1e-5 written only while trained; the running ones in inference),
    gamma/beta = 3x3 convs of ReLU(3x3 conv K -> nhidden of the nearest-resized layout)."""

    def __init__(self, channels, label_channels, nhidden):
        super().__init__()
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))
        self.mlp_shared = plain_conv(label_channels, nhidden, 3, 1, 1)
        self.mlp_gamma = plain_conv(nhidden, channels, 3, 1, 1)
        self.mlp_beta = plain_conv(nhidden, channels, 3, 1, 1)
        self.writes_state = True

    def forward(self, x, seg):
        if not self.training:
            normalized = F.batch_norm(x, self.running_mean, self.running_var, training=False, eps=1e-5)
        elif self.writes_state:
            normalized = F.batch_norm(x, self.running_mean, self.running_var, training=True, momentum=0.1, eps=1e-5)
        else:
            normalized = F.batch_norm(x, None, None, training=True, eps=1e-5)
        actv = F.relu(self.mlp_shared(resize_nearest(seg, x.shape[2], x.shape[3])))
        return normalized * (1 + self.mlp_gamma(actv)) + self.mlp_beta(actv)


class SpadeResBlock(nn.Module):
    """nn/SpadeResBlock: fmid = min(fin, fout); shortcut = conv_s(norm_s(x)) (1x1 SN, no bias) if fin != fout;
    dx = conv_1(lrelu(norm_1(conv_0(lrelu(norm_0(x)))))) with 3x3 SN convs; the layout detached if detach_seg."""

    def __init__(self, fin, fout, label_channels, nhidden, detach_seg):
        super().__init__()
        fmid = min(fin, fout)
        self.detach_seg = detach_seg
        self.conv_0 = SNConv(fin, fmid, 3, 1, 1)
        self.conv_1 = SNConv(fmid, fout, 3, 1, 1)
        self.norm_0 = Spade(fin, label_channels, nhidden)
        self.norm_1 = Spade(fmid, label_channels, nhidden)
        self.learned_shortcut = fin != fout
        if self.learned_shortcut:
            self.conv_s = SNConv(fin, fout, 1, 1, 0, bias=False)
            self.norm_s = Spade(fin, label_channels, nhidden)

    def forward(self, x, seg):
        sg = seg.detach() if self.detach_seg else seg
        shortcut = self.conv_s(self.norm_s(x, sg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, sg), LRELU))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, sg), LRELU))
        return shortcut + dx


class ImageGenerator(nn.Module):
    """models/ImageGenerator ("normal" upsampling): fc 3x3 conv of the layout resized to the start size, head_0, up,
    G_middle_0, G_middle_1, up, up_0, up, up_1, up, up_2, up, up_3, LReLU, conv_img 3x3, tanh."""

    def __init__(self, p):
        super().__init__()
        k, ngf, nh, det = p.num_classes, p.ngf, p.nhidden, p.detach_seg_in_blocks
        self.start = p.spade_start
        self.fc = plain_conv(k, 16 * ngf, 3, 1, 1)
        self.head_0 = SpadeResBlock(16 * ngf, 16 * ngf, k, nh, det)
        self.G_middle_0 = SpadeResBlock(16 * ngf, 16 * ngf, k, nh, det)
        self.G_middle_1 = SpadeResBlock(16 * ngf, 16 * ngf, k, nh, det)
        self.up_0 = SpadeResBlock(16 * ngf, 8 * ngf, k, nh, det)
        self.up_1 = SpadeResBlock(8 * ngf, 4 * ngf, k, nh, det)
        self.up_2 = SpadeResBlock(4 * ngf, 2 * ngf, k, nh, det)
        self.up_3 = SpadeResBlock(2 * ngf, ngf, k, nh, det)
        self.conv_img = plain_conv(ngf, 3, 3, 1, 1)

    def forward(self, layout):
        up = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")  # noqa: E731
        x = self.fc(resize_nearest(layout, *self.start))
        x = up(self.head_0(x, layout))
        x = self.G_middle_0(x, layout)
        x = up(self.G_middle_1(x, layout))
        x = up(self.up_0(x, layout))
        x = up(self.up_1(x, layout))
        x = up(self.up_2(x, layout))
        x = self.up_3(x, layout)
        return torch.tanh(self.conv_img(F.leaky_relu(x, LRELU)))


class PatchDiscriminator(nn.Module):
    """models/PatchDiscriminator: num_d scales, scale d > 0 on AvgPool(3, 2, 1, padding not counted) of scale d-1's
    input; per scale layer0 conv(in -> ndf, s2) + LReLU, layers 1..n-1 SNConv(no bias; s2, the last s1) + InstanceNorm
    + LReLU, then conv(nf -> 1, s1); kernel 4, pad 2. forward: per scale the n intermediate features, then the score."""

    def __init__(self, cin, ndf, num_d, n_layers):
        super().__init__()
        self.scales = nn.ModuleList()
        for _ in range(num_d):
            nf = ndf
            layers = [plain_conv(cin, nf, PATCH_KERNEL, 2, PATCH_PAD)]
            for n in range(1, n_layers):
                prev, nf = nf, min(nf * 2, 512)
                stride = 1 if n == n_layers - 1 else 2
                layers.append(SNConv(prev, nf, PATCH_KERNEL, stride, PATCH_PAD, bias=False))
            layers.append(plain_conv(nf, 1, PATCH_KERNEL, 1, PATCH_PAD))
            self.scales.append(nn.ModuleList(layers))

    def forward(self, x):
        outs = []
        for d, layers in enumerate(self.scales):
            if d > 0:
                x = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
            h = F.leaky_relu(layers[0](x), LRELU)
            feats = [h]
            for conv in layers[1:-1]:
                h = F.leaky_relu(F.instance_norm(conv(h), eps=1e-5), LRELU)
                feats.append(h)
            feats.append(layers[-1](h))
            outs.append(feats)
        return outs


def gumbel_st(p, noise):
    """ops/GumbelSoftmaxST (T = 1 at both presets): one-hot(argmax(log(p + 1e-5) + noise)) forward, the gradient of
    softmax(log(p + 1e-5) + noise). Without a gradient to carry (the D steps) only the one-hot is computed, as the
    Java's stop-gradient sample runs the op's forward body alone."""
    logits = torch.log(p + GUMBEL_EPS) + noise
    hard = torch.zeros_like(p).scatter_(1, logits.argmax(1, keepdim=True), 1.0)
    if not (torch.is_grad_enabled() and p.requires_grad):
        return hard
    soft = F.softmax(logits, 1)
    return hard - soft.detach() + soft


# ------------------------------------------------------------------------------------------------------- losses

def wgan_gp_d(critic, real, fake, alpha):
    """Losses.wganGpD: mean D(fake) - mean D(real) + 10 mean((||grad D(xhat)|| - 1)^2), D called on real, fake, xhat."""
    d_real, d_fake = critic(real), critic(fake)
    xhat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
    norm = (grad.pow(2).sum([1, 2, 3]) + GP_NORM_EPS).sqrt()
    return d_fake.mean() - d_real.mean() + GP_LAMBDA * (norm - 1).pow(2).mean()


def hinge_g(fake_scores):
    """Losses.hingeG over scales: -mean D(fake), averaged over the scales."""
    return sum(-s.mean() for s in fake_scores) / len(fake_scores)


def hinge_d(real_scores, fake_scores):
    """Losses.hingeD over scales: mean relu(1 - D(real)) + mean relu(1 + D(fake)), averaged over the scales."""
    terms = [F.relu(1 - r).mean() + F.relu(1 + f).mean() for r, f in zip(real_scores, fake_scores)]
    return sum(terms) / len(terms)


def feature_matching(fake_feats, real_feats):
    """Losses.featureMatching: sum over scales and intermediate layers of L1(fake, real detached) * 10 / num_D."""
    l1 = sum((f - r.detach()).abs().mean() for fs, rs in zip(fake_feats, real_feats) for f, r in zip(fs, rs))
    return l1 * (FEAT_LAMBDA / len(fake_feats))


def split_outputs(outs, n):
    """Stages.splitOutputs: a multi-scale D run on [first; second] into the two halves."""
    return [[t[:n] for t in s] for s in outs], [[t[n:] for t in s] for s in outs]


def spade_g_losses(d1, layout, fake, real):
    """Stages.spadeGLosses: D1 once on [(layout, fake); (layout, real)] -> hinge G and feature matching."""
    pairs = torch.cat([torch.cat([layout, fake], 1), torch.cat([layout, real], 1)])
    f, r = split_outputs(d1(pairs), fake.shape[0])
    return hinge_g([s[-1] for s in f]), feature_matching([s[:-1] for s in f], [s[:-1] for s in r])


def hinge_d_fused(d, fake, real):
    """Stages.hingeDFused: D once on [fake; real] (fake already constant) -> multi-scale hinge D."""
    f, r = split_outputs(d(torch.cat([fake, real])), fake.shape[0])
    return hinge_d([s[-1] for s in r], [s[-1] for s in f])


# ----------------------------------------------------------------------------------------------------- training

class Ema:
    """optim/Ema: after Adam's update, ema <- ema + (theta - ema)(1 - beta_t), beta_t = min(beta, (1+t)/(10+t)) with t
    the group's new Adam step count."""

    def __init__(self, params, beta):
        self.params, self.beta, self.t = params, beta, 0
        self.avg = [p.detach().clone() for p in params]

    @torch.no_grad()
    def update(self):
        self.t += 1
        keep = min(self.beta, (1 + self.t) / (10 + self.t))
        for a, p in zip(self.avg, self.params):
            a.lerp_(p, 1 - keep)


def adam(params, stage, group):
    # optim/Adam keeps no first moment when beta1 = 0; torch.optim.Adam keeps exp_avg (= the gradient) anyway.
    lr, b1, b2 = ADAM[stage][group]
    return torch.optim.Adam(params, lr=lr, betas=(b1, b2), eps=1e-8)


def set_trained(net, trained):
    """Trained: parameters need gradients, spectral-norm u and BatchNorm running statistics are written. Otherwise
    Stages.Frozen: parameters read as constants, batch statistics and the current u used, buffers left alone."""
    for prm in net.parameters():
        prm.requires_grad_(trained)
    for m in net.modules():
        if isinstance(m, (SNConv, Spade)):
            m.writes_state = trained


def train_only(trained, frozen):
    for net in trained:
        set_trained(net, True)
    for net in frozen:
        set_trained(net, False)


def descend(loss, *opts):
    """One backward pass of the loss, then each group's Adam update (Stages.update)."""
    for o in opts:
        o.zero_grad(set_to_none=True)
    loss.backward()
    for o in opts:
        o.step()
    return loss.detach()


def random_layouts(gen, n, k, h, w):
    """TrainBench.oneHot: one-hot [n, k, h, w] maps of 6 random rectangles of random classes on a random background."""
    ri = lambda m: int(torch.randint(m, (), generator=gen))  # noqa: E731
    cls = torch.empty(n, h, w, dtype=torch.long)
    for b in range(n):
        cls[b] = ri(k)
        for _ in range(6):
            y0, x0 = ri(h), ri(w)
            y1, x1 = y0 + 1 + ri(h - y0), x0 + 1 + ri(w - x0)
            cls[b, y0:y1, x0:x1] = ri(k)
    return torch.zeros(n, k, h, w).scatter_(1, cls[:, None], 1.0)


def draw_inputs(p, names, batch, layout_size, gen):
    """TrainBench.fillInputs: every batch and noise input of a step, drawn once before timing."""
    h, w = p.image_size
    sh, sw = p.seg_size
    draw = {
        "real_layout": lambda: random_layouts(gen, batch, p.num_classes, *layout_size),
        "real_image": lambda: torch.rand(batch, 3, h, w, generator=gen) * 2 - 1,
        "d2_real_image": lambda: torch.rand(batch, 3, h, w, generator=gen) * 2 - 1,
        "z": lambda: torch.randn(batch, p.z_dim, generator=gen),
        "gumbel": lambda: -torch.log(torch.empty(batch, p.num_classes, sh, sw).exponential_(generator=gen) + 1e-10),
        "alpha": lambda: torch.rand(batch, 1, 1, 1, generator=gen),
    }
    return [draw[n]() for n in names]


def build_nets(p, names):
    """The networks at the preset's sizes; G_seg and D_seg hold every level, the top level's parameters are used."""
    make = {
        "G_seg": lambda: SegGenerator(list(p.seg_channels), p.z_dim, p.pixel_norm_sqrt),
        "D_seg": lambda: SegCritic(list(p.seg_channels), p.minibatch_stddev),
        "G_img": lambda: ImageGenerator(p),
        "D1": lambda: PatchDiscriminator(p.num_classes + 3, p.ndf, p.num_d, p.n_layers_d),
        "D2": lambda: PatchDiscriminator(3, p.ndf, p.num_d, p.n_layers_d),
    }
    return {n: make[n]() for n in names}


def params_of(p, name, net):
    """The trained parameters of a network (G_seg / D_seg: the top level's, as the top-level step graphs declare)."""
    if name in ("G_seg", "D_seg"):
        return net.params_at(p.top, False)
    return list(net.parameters())


def count(params):
    return sum(t.numel() for t in params)


@dataclass
class Stage:
    g_name: str
    d_name: str
    batch: int
    g_step: object
    d_step: object
    param_count_g: int
    param_count_d: int


def seg_stage(p, gen):
    """Stages.segG / segD at the top level (stabilize, no fade alpha with the default recipe)."""
    top, b = p.top, p.batch_seg
    nets = build_nets(p, ["G_seg", "D_seg"])
    G, D = nets["G_seg"], nets["D_seg"]
    gp, dp = params_of(p, "G_seg", G), params_of(p, "D_seg", D)
    opt_g, opt_d = adam(gp, "seg", "gseg"), adam(dp, "seg", "dseg")
    ema = Ema(gp, p.ema_beta)
    z_g, gn_g = draw_inputs(p, ["z", "gumbel"], b, p.seg_size, gen)
    real, z_d, gn_d, alpha = draw_inputs(p, ["real_layout", "z", "gumbel", "alpha"], b, p.seg_size, gen)

    def g_step():
        train_only([G], [D])
        loss = -D(gumbel_st(G(z_g, top), gn_g), top).mean()
        loss = descend(loss, opt_g)
        ema.update()  # part of the G step graph (Stages.segG)
        return loss

    def d_step():
        train_only([D], [G])
        with torch.no_grad():
            fake = gumbel_st(G(z_d, top), gn_d)
        return descend(wgan_gp_d(lambda x: D(x, top), real, fake, alpha), opt_d)

    return Stage(f"seg_g_L{top}", f"seg_d_L{top}", b, g_step, d_step, count(gp), count(dp))


def spade_stage(p, gen):
    """Stages.spadeG / spadeD (VGG off)."""
    b = p.batch_spade
    nets = build_nets(p, ["G_img", "D1"])
    Gi, D1 = nets["G_img"], nets["D1"]
    opt_g, opt_d = adam(Gi.parameters(), "spade", "gimg"), adam(D1.parameters(), "spade", "d1")
    layout_g, image_g = draw_inputs(p, ["real_layout", "real_image"], b, p.image_size, gen)
    layout_d, image_d = draw_inputs(p, ["real_layout", "real_image"], b, p.image_size, gen)

    def g_step():
        train_only([Gi], [D1])
        hinge, fm = spade_g_losses(D1, layout_g, Gi(layout_g), image_g)
        return descend(hinge + fm, opt_g)

    def d_step():
        train_only([D1], [Gi])
        with torch.no_grad():
            fake = Gi(layout_d)
        return descend(hinge_d_fused(D1, torch.cat([layout_d, fake], 1), torch.cat([layout_d, image_d], 1)), opt_d)

    return Stage("spade_g", "spade_d", b, g_step, d_step, count(Gi.parameters()), count(D1.parameters()))


def e2e_stage(p, gen):
    """Stages.e2eG / e2eD (VGG off): G_img runs once on the 2N batch [upsample(y); real layouts] and is split."""
    top, b, s = p.top, p.batch_e2e, p.layout_scaling
    nets = build_nets(p, ["G_seg", "D_seg", "G_img", "D1", "D2"])
    G, D, Gi, D1, D2 = (nets[n] for n in ["G_seg", "D_seg", "G_img", "D1", "D2"])
    gp, dp = params_of(p, "G_seg", G), params_of(p, "D_seg", D)
    opt_gseg, opt_gimg = adam(gp, "e2e", "gseg"), adam(Gi.parameters(), "e2e", "gimg")
    opt_dseg, opt_d1, opt_d2 = adam(dp, "e2e", "dseg"), adam(D1.parameters(), "e2e", "d1"), adam(D2.parameters(), "e2e", "d2")
    layout_g, image_g, z_g, gn_g = draw_inputs(p, ["real_layout", "real_image", "z", "gumbel"], b, p.image_size, gen)
    layout_d, image_d, d2_real, z_d, gn_d, alpha = draw_inputs(
        p, ["real_layout", "real_image", "d2_real_image", "z", "gumbel", "alpha"], b, p.image_size, gen)

    def g_step():
        train_only([G, Gi], [D, D1, D2])
        y = gumbel_st(G(z_g, top), gn_g)
        seg_loss = -D(y, top).mean()
        sampled, from_real = Gi(torch.cat([upsample_layout(y, s), layout_g])).split(b)
        d2_loss = hinge_g([sc[-1] for sc in D2(sampled)])
        hinge, fm = spade_g_losses(D1, layout_g, from_real, image_g)
        loss = E2E_SEG_WEIGHT * seg_loss + E2E_D2_WEIGHT * d2_loss + (hinge + fm)
        return descend(loss, opt_gseg, opt_gimg)

    def d_step():
        train_only([D, D1, D2], [G, Gi])
        with torch.no_grad():
            y = gumbel_st(G(z_d, top), gn_d)
            sampled, from_real = Gi(torch.cat([upsample_layout(y, s), layout_d])).split(b)
        real_seg = layout_d[:, :, ::s, ::s]  # Stages.e2eD: the image-size layout nearest-downsampled by layoutScaling
        wgan = wgan_gp_d(lambda x: D(x, top), real_seg, y, alpha)
        d1_loss = hinge_d_fused(D1, torch.cat([layout_d, from_real], 1), torch.cat([layout_d, image_d], 1))
        d2_loss = hinge_d_fused(D2, sampled, d2_real)
        return descend(E2E_SEG_WEIGHT * wgan + d1_loss + E2E_D2_WEIGHT * d2_loss, opt_dseg, opt_d1, opt_d2)

    return Stage("e2e_g", "e2e_d", b, g_step, d_step, count(gp) + count(Gi.parameters()),
                 count(dp) + count(D1.parameters()) + count(D2.parameters()))


STAGES = {"seg": seg_stage, "spade": spade_stage, "e2e": e2e_stage}


def percentile(values, pct):
    """TrainBench.percentile: linear interpolation between order statistics."""
    s = sorted(values)
    pos = pct / 100 * (len(s) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_train(args, p):
    gen = torch.Generator().manual_seed(args.seed * 31 + 7)
    st = STAGES[args.stage](p, gen)
    for _ in range(args.warmup):
        st.g_step()
        st.d_step()
    it, g_ms, d_ms, losses = [], [], [], []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        lg = st.g_step()
        t1 = time.perf_counter()
        ld = st.d_step()
        t2 = time.perf_counter()
        g_ms.append((t1 - t0) * 1e3)
        d_ms.append((t2 - t1) * 1e3)
        it.append((t2 - t0) * 1e3)
        losses += [lg, ld]
    if not all(torch.isfinite(v) for v in losses):
        raise SystemExit(f"{args.stage}: a loss is not finite after the timed steps")
    median = percentile(it, 50)
    r = {"impl": "pytorch", "torch": torch.__version__, "preset": p.name, "stage": args.stage, "g_step": st.g_name,
         "d_step": st.d_name, "batch": st.batch, "threads": args.threads, "warmup": args.warmup, "steps": args.steps,
         "median_ms": median, "p10_ms": percentile(it, 10), "p90_ms": percentile(it, 90),
         "g_median_ms": percentile(g_ms, 50), "d_median_ms": percentile(d_ms, 50), "images_per_s": st.batch / (median / 1e3),
         "param_count_g": st.param_count_g, "param_count_d": st.param_count_d, "peak_rss_mb": peak_rss_mb()}
    print(f"pytorch {torch.__version__}, {args.threads} threads; preset {p.name}, stage {args.stage} ({st.g_name} + "
          f"{st.d_name}), batch {st.batch}: median {median:.1f} ms (p10 {r['p10_ms']:.1f}, p90 {r['p90_ms']:.1f}), "
          f"G / D {r['g_median_ms']:.1f} / {r['d_median_ms']:.1f} ms, {r['images_per_s']:.2f} images/s", file=sys.stderr)
    return r


def bench_generate(args, p):
    """GenerateBench through SceneGenerator: z ~ N(0, 1) -> G_seg (its EMA weights in a bundle: the same network)
    -> argmax -> one-hot (x layoutScaling) -> G_img with running statistics and the stored u; inference mode.
    As the inference graphs are written, the spectral norm (one power iteration from the stored u, not written back)
    and the equalized-lr weight scaling run in every forward pass. ONNX Runtime constant-folds both away when it loads
    the bundle, whose weights are initializers; here they are kept, as eager PyTorch runs them (~10 % of a batch-1
    scene on tiny, nothing measurable at batch 16)."""
    top, k = p.top, p.num_classes
    nets = build_nets(p, ["G_seg", "G_img"])
    G, Gi = nets["G_seg"], nets["G_img"]
    for net in (G, Gi):
        net.eval()
        set_trained(net, False)
    gen = torch.Generator().manual_seed(args.seed)

    @torch.inference_mode()
    def scenes(total, batch):
        for done in range(0, total, batch):
            n = min(batch, total - done)
            labels = G(torch.randn(n, p.z_dim, generator=gen), top).argmax(1, keepdim=True)
            layout = torch.zeros(n, k, *p.seg_size).scatter_(1, labels, 1.0)
            Gi(upsample_layout(layout, p.layout_scaling))

    r = {"impl": "pytorch", "torch": torch.__version__, "preset": p.name, "stage": "generate", "threads": args.threads,
         "scenes": args.scenes, "repeats": args.repeats,
         "param_count_g": count(params_of(p, "G_seg", G)) + count(Gi.parameters())}
    for batch in (1, 16):
        scenes(max(batch, 4), batch)  # warm-up, as GenerateBench
        ms = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            scenes(args.scenes, batch)
            ms.append((time.perf_counter() - t) * 1e3 / args.scenes)
        med = percentile(ms, 50)
        r[f"median_ms_per_scene_b{batch}"], r[f"scenes_per_s_b{batch}"] = med, 1000 / med
        print(f"pytorch {torch.__version__}, {args.threads} threads; preset {p.name}, generate batch {batch}: "
              f"{med:.2f} ms/scene, {1000 / med:.1f} scenes/s (median of {args.repeats} runs of {args.scenes})", file=sys.stderr)
    r["peak_rss_mb"] = peak_rss_mb()
    return r


def bench_conv(args, _preset):
    """The convolution ceiling beside ConvBench's plain ORT Conv session: forward of a 3x3 conv, N8 C64 -> 64, 64x64,
    stride 1, pad 1, no bias; --warmup untimed runs, then --steps timed ones. FLOPs 2 N O C kh kw Ho Wo."""
    gen = torch.Generator().manual_seed(args.seed)
    x, w = torch.randn(8, 64, 64, 64, generator=gen), torch.randn(64, 64, 3, 3, generator=gen)
    flops = 2.0 * 8 * 64 * 64 * 3 * 3 * 64 * 64
    ms = []
    with torch.inference_mode():
        for i in range(args.warmup + args.steps):
            t = time.perf_counter()
            F.conv2d(x, w, None, 1, 1)
            if i >= args.warmup:
                ms.append((time.perf_counter() - t) * 1e3)
    med = percentile(ms, 50)
    print(f"pytorch {torch.__version__}, {args.threads} threads; conv N8 C64->64 64x64 3x3 stride 1 pad 1 forward: "
          f"median {med:.2f} ms, {flops / med / 1e6:.1f} GFLOP/s", file=sys.stderr)
    return {"impl": "pytorch", "torch": torch.__version__, "stage": "conv", "threads": args.threads, "steps": args.steps,
            "case": "N8 C64->64 64x64 3x3 stride (1,1) pad 1", "median_ms": med, "min_ms": min(ms), "gflops": flops / med / 1e6}


# ---------------------------------------------------------------------------------------------------- segmenter

SEG_LR = 2e-3  # SegmenterBench.LR: segmenter train's default --lr


class UNetBlock(nn.Module):
    """Segmenter.Block: 3x3 conv (no bias, Kaiming-normal fan-in) -> nn/BatchNorm (parameter-free, batch statistics,
    running statistics written with momentum 0.1, eps 1e-5) -> per-channel scale gamma (1) and shift beta (0) -> ReLU."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        nn.init.kaiming_normal_(self.conv.weight, mode="fan_in", nonlinearity="relu")
        self.gamma = nn.Parameter(torch.ones(cout))
        self.beta = nn.Parameter(torch.zeros(cout))
        self.register_buffer("running_mean", torch.zeros(cout))
        self.register_buffer("running_var", torch.ones(cout))

    def forward(self, x):
        y = F.batch_norm(self.conv(x), self.running_mean, self.running_var, training=True, momentum=0.1, eps=1e-5)
        return F.relu(y * self.gamma[None, :, None, None] + self.beta[None, :, None, None])


class UNet(nn.Module):
    """models/Segmenter: channels base * 2^level; encoder levels of two blocks with 2x2 max pooling between them;
    decoder: nearest x2 upsampling, concat [upsampled; skip of that level], two blocks; 1x1 conv head (bias) to K."""

    def __init__(self, k, base, depth):
        super().__init__()
        self.down, self.up = nn.ModuleList(), nn.ModuleList()
        cin = 3
        for level in range(depth):
            c = base << level
            self.down.append(nn.Sequential(UNetBlock(cin, c), UNetBlock(c, c)))
            cin = c
        for level in range(depth - 2, -1, -1):
            c = base << level
            self.up.append(nn.Sequential(UNetBlock(cin + c, c), UNetBlock(c, c)))
            cin = c
        self.head = nn.Conv2d(cin, k, 1)
        nn.init.kaiming_normal_(self.head.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        skips = []
        for level, blocks in enumerate(self.down):
            if level > 0:
                x = F.max_pool2d(x, 2, 2)
            x = blocks(x)
            skips.append(x)
        for i, blocks in enumerate(self.up):
            x = blocks(torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips[len(skips) - 2 - i]], 1))
        return self.head(x)


def pixel_cross_entropy(logits, one_hot):
    """Losses.pixelCrossEntropy without class weights: mean over pixels of -sum_k y_k log softmax(logits)_k."""
    return -(one_hot * F.log_softmax(logits, 1)).sum(1).mean()


def parse_size(s):
    h, w = s.lower().replace("\u00d7", "x").split("x")
    return int(h), int(w)


def bench_segmenter(args, _preset):
    """SegmenterBench: Segmenter.trainStep (classes, size, base, depth; batch), one step = forward, pixel cross-entropy,
    pixel accuracy (a metric of the Java step), backward, torch.optim.Adam(lr 2e-3, betas 0.9/0.999, eps 1e-8).
    Inputs drawn once before timing: images uniform in [-1, 1], one-hot layouts of random rectangles."""
    h, w = parse_size(args.size)
    if h % (1 << (args.depth - 1)) or w % (1 << (args.depth - 1)):
        raise SystemExit(f"segmenter input {h}x{w} must be divisible by {1 << (args.depth - 1)} (depth {args.depth})")
    gen = torch.Generator().manual_seed(args.seed * 31 + 7)
    net = UNet(args.classes, args.base, args.depth)
    params = count(net.parameters())
    if args.expect_params is not None and args.expect_params != params:
        raise SystemExit(f"segmenter: {params} parameters here, {args.expect_params} expected (the Java step's)")
    opt = torch.optim.Adam(net.parameters(), lr=SEG_LR, betas=(0.9, 0.999), eps=1e-8)
    image = torch.rand(args.batch, 3, h, w, generator=gen) * 2 - 1
    layout = random_layouts(gen, args.batch, args.classes, h, w)

    def step():
        logits = net(image)
        loss = pixel_cross_entropy(logits, layout)
        with torch.no_grad():
            acc = (logits.argmax(1) == layout.argmax(1)).float().mean()  # noqa: F841  (as the Java step's metric)
        return descend(loss, opt)

    for _ in range(args.warmup):
        step()
    ms, loss = [], None
    for _ in range(args.steps):
        t = time.perf_counter()
        loss = step()
        ms.append((time.perf_counter() - t) * 1e3)
    if not torch.isfinite(loss):
        raise SystemExit("segmenter: the loss is not finite after the timed steps")
    median = percentile(ms, 50)
    r = {"impl": "pytorch", "torch": torch.__version__, "stage": "segmenter", "step": "segmenter_train", "threads": args.threads,
         "batch": args.batch, "classes": args.classes, "height": h, "width": w, "base": args.base, "depth": args.depth,
         "warmup": args.warmup, "steps": args.steps, "seed": args.seed, "median_ms": median, "p10_ms": percentile(ms, 10),
         "p90_ms": percentile(ms, 90), "images_per_s": args.batch / (median / 1e3), "params": params, "loss": float(loss),
         "peak_rss_mb": peak_rss_mb()}
    print(f"pytorch {torch.__version__}, {args.threads} threads; segmenter {args.classes} classes, {h}x{w}, base {args.base}, "
          f"depth {args.depth}, batch {args.batch}: median {median:.1f} ms (p10 {r['p10_ms']:.1f}, p90 {r['p90_ms']:.1f}), "
          f"{r['images_per_s']:.1f} images/s, {params} parameters"
          + (f" (Java: {args.expect_params}, equal)" if args.expect_params is not None else ""), file=sys.stderr)
    return r


def print_params(args, p):
    """Per-network parameter counts; with --manifest, beside the Java graphs' (build-graphs' manifest.json). The table
    goes to stdout, or to stderr with --json (then one JSON line on stdout). True when every count equals the Java's."""
    nets = build_nets(p, ["G_seg", "D_seg", "G_img", "D1", "D2"])
    ours = {n: count(params_of(p, n, net)) for n, net in nets.items()}
    java = None
    if args.manifest:
        with open(args.manifest) as f:
            java = {n: v["parameters"] for n, v in json.load(f)["networks"].items()}
    out = sys.stderr if args.json else sys.stdout
    print(f"preset {p.name}\n{'network':8} {'pytorch':>10}" + (f" {'java':>10}" if java else ""), file=out)
    for n, c in ours.items():
        row = f"{n:8} {c:>10}"
        if java:
            row += f" {java.get(n, '-'):>10}  {'equal' if java.get(n) == c else 'DIFFERENT'}"
        print(row, file=out)
    if args.json:
        print(json.dumps({"impl": "pytorch", "preset": p.name, "params": ours, **({"java_params": java} if java else {})}))
    return java is None or all(java.get(n) == c for n, c in ours.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--stage", choices=[*STAGES, "generate", "conv", "segmenter"], default="seg")
    ap.add_argument("--steps", type=int, default=20, help="timed iterations (G step + D step; conv: timed runs)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations (conv: runs) first")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (inter-op: 1)")
    ap.add_argument("--seed", type=int, default=1, help="parameter and input seed")
    ap.add_argument("--scenes", type=int, default=64, help="generate: scenes per timed run")
    ap.add_argument("--repeats", type=int, default=5, help="generate: timed runs per batch size (median)")
    ap.add_argument("--batch", type=int, default=16, help="segmenter: images per step")
    ap.add_argument("--size", default="32x64", help="segmenter: input size HxW")
    ap.add_argument("--classes", type=int, default=8, help="segmenter: classes K")
    ap.add_argument("--base", type=int, default=16, help="segmenter: channels of the first U-Net level")
    ap.add_argument("--depth", type=int, default=3, help="segmenter: U-Net levels")
    ap.add_argument("--expect-params", type=int, help="segmenter: the Java step's parameter count; exit 1 if ours differs")
    ap.add_argument("--json", action="store_true", help="one JSON line on stdout")
    ap.add_argument("--params", action="store_true", help="print per-network parameter counts and exit")
    ap.add_argument("--manifest", help="with --params: build-graphs' manifest.json to compare with")
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.threads < 1 or args.scenes < 1 or args.repeats < 1 or args.batch < 1:
        ap.error("steps, threads, scenes, repeats and batch must be at least 1 and warmup at least 0")
    if args.classes < 2 or args.base < 1 or not 1 <= args.depth <= 6:
        ap.error("segmenter: classes must be at least 2, base at least 1 and depth 1..6")
    if args.manifest and not args.params:
        ap.error("--manifest goes with --params")
    p = PRESETS[args.preset]
    assert (p.num_classes, p.aspect_ratio) == (layout_gan.K, layout_gan.AR), "layout_gan.py is built for K 8, ar 2"
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    if args.params:
        sys.exit(0 if print_params(args, p) else 1)
    r = {"generate": bench_generate, "conv": bench_conv, "segmenter": bench_segmenter}.get(args.stage, bench_train)(args, p)
    if args.json:
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
