#!/usr/bin/python3
"""Writes what tests/unit/test_tvresnet.c compares ludwig-c's resnet encoder with: torchvision's
ResNet built by Debian's python3-torchvision (random weights, no download), saved where
torchvision's pretrained file would be (<dir>/hub/checkpoints/<torchvision's file name>), and
its outputs and gradients on real photographs.

Usage: gen_tv_resnet.py DIR. Per case (resnet18 on 224x224, resnet50 on 128x128,
mobilenet_v3_small and _large and efficientnet_b0 on 224x224, efficientnet_v2_s on 128x128,
mobilenet_v2 on 160x160, resnext50_32x4d on 128x128 with four photographs (its batch-norm gradients cancel more), vit_b_16
on 64x64, densenet121 on 96x96 (saved under the old names of torchvision's pretrained file),
squeezenet1_0 on 128x128 and squeezenet1_1 on 100x100 (whole: Ludwig keeps their classifier),
regnet_y_400mf and mnasnet0_5 on 224x224, vgg11_bn on 64x64, alexnet on 160x160,
shufflenet_v2_x0_5 on 128x128 and shufflenet_v2_x1_0 on 64x64, swin_t on 72x72
(random relative position bias tables and LayerNorm affines), convnext_tiny on 64x64
(random layer norms and layer scales),
a small MaxVit on 48x48 (torchvision's MaxVit class: maxvit_t takes 224x224 alone; random
layer norms, bias tables and weights of torch's default scale),
googlenet on 96x96 and inception_v3 on 171x171 (without their auxiliary heads and with
transform_input, as Ludwig has them with the pretrained weights),
their classifier's dropout and stochastic depth off) DIR/<case>.bin
holds little-endian float32 arrays, in order:
  x (B,3,S,S)      B photographs (two; four for resnext) as torchvision's ImageClassification transform makes them
  hw (K,F), hb (K) a linear head on the encoder output; loss = sum(G * (enc @ hw.T + hb))
  g (B,K)
  eval (B,F)       the encoder in eval mode (running statistics)
  train (B,F)      in train mode (batch statistics)
  then, for each tensor of names.txt in order, the loss's gradient in train mode
  then, for each batch norm, running_mean and running_var after that train-mode forward
A gradient tensor of more than 2^24 values (VGG's classifier.0.weight, 25088 x 4096) holds only its
first 2^20 values (row-major), the test compares those (AlexNet's classifier.1.weight, 9216 x
4096, too).
DIR/googlenet_notf.bin, inception_v3_notf.bin: the eval-mode output (B,F) with
transform_input off (the model Ludwig rebuilds from a saved config).
DIR/<case>.txt: B S K F, then one line per parameter tensor: Ludwig's state_dict name and shape.
DIR/wide_resnet50_2.txt, efficientnet_b3.txt, efficientnet_v2_m.txt, vit_b_16.txt (at 224),
densenet161.txt, densenet169.txt, densenet201.txt,
regnet_x_400mf.txt, regnet_x_1_6gf.txt, regnet_y_1_6gf.txt, mnasnet0_75.txt, mnasnet1_0.txt,
mnasnet1_3.txt, vgg11.txt, vgg16.txt, vgg19_bn.txt, shufflenet_v2_x1_5.txt,
shufflenet_v2_x2_0.txt, swin_s.txt, swin_b.txt, convnext_small.txt, convnext_base.txt,
convnext_large.txt, maxvit_t.txt: the same names and shapes
alone (no weights: tens of millions). DIR/regnet_stages.txt: every RegNet variant's stages.
"""
import os
import re
import sys

import torch
import torchvision
from PIL import Image
from torchvision.transforms import functional as TF

PREFIX = "input_features.module_dict.image_path__ludwig.encoder_obj.model."
GRAD_BIG, GRAD_CAP = 1 << 24, 1 << 20  # as test_tvresnet.c


def images(n, size, resize):
    """n photographs of test-data (tv_*.jpg: Debian's matplotlib and skimage sample photos)
    through ResizeChannels(3) and the transform."""
    out = []
    for nm in ["test-data/tv_grace_hopper.jpg", "test-data/tv_chelsea.jpg",
               "test-data/tv_coffee_rgba.png", "test-data/tv_camera_gray.png"][:n]:
        t = TF.pil_to_tensor(Image.open(nm))
        if t.shape[0] == 1:
            t = t.repeat(3, 1, 1)
        t = TF.resize(t[:3], [resize], antialias=True)
        t = TF.center_crop(t, [size])
        t = TF.convert_image_dtype(t, torch.float)
        t = TF.normalize(t, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
        out.append(t)
    return torch.stack(out)


def legacy_densenet(sd):
    """A DenseNet state_dict under the names torchvision's pretrained files keep
    (denselayer<i>.norm.1 for norm1, conv.1, norm.2, conv.2: its _load_state_dict renames them)."""
    out = {}
    for k, v in sd.items():
        out[re.sub(r"(denselayer\d+\.(?:norm|conv))([12])\.", r"\1.\2.", k)] = v
    return out


def case(d, name, variant, file, B, S, resize, K, seed, **kw):
    torch.manual_seed(seed)
    if variant == "maxvit_small":  # torchvision's MaxVit class, small (ludwig-c's variant 1)
        m = torchvision.models.maxvit.MaxVit(input_size=(48, 48), stem_channels=8,
                                             partition_size=3, block_channels=[8, 16, 32],
                                             block_layers=[1, 2, 1], head_dim=4,
                                             stochastic_depth_prob=0.2)
    elif isinstance(variant, str):  # mobilenet_v3_small, ...: the builder's name
        m = getattr(torchvision.models, variant)(weights=None, **kw)
    if isinstance(variant, str):
        if variant.startswith("vit"):  # class token and positions that matter (torch: zeros)
            with torch.no_grad():
                m.class_token.normal_(0, 0.5)
        if variant.startswith("swin") or variant.startswith("maxvit"):
            # relative position biases and layer norms that matter
            with torch.no_grad():
                for n, p in m.named_parameters():
                    if n.endswith("relative_position_bias_table"):
                        p.normal_(0, 0.5)
                for mod in m.modules():
                    if isinstance(mod, torch.nn.LayerNorm):
                        mod.weight.uniform_(0.5, 1.5)
                        mod.bias.uniform_(-0.2, 0.2)
    else:
        m = getattr(torchvision.models, f"resnet{variant}")(weights=None)
    # batch norms that do something: random affine and running statistics
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 2.0)
        if isinstance(variant, str) and variant.startswith("convnext"):
            # layer norms and layer scales that do something (torch: 1, 0 and 1e-6)
            for mod in m.modules():
                if isinstance(mod, torch.nn.LayerNorm):
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.2, 0.2)
                elif isinstance(mod, torchvision.models.convnext.CNBlock):
                    mod.layer_scale.uniform_(0.2, 1.0)
        if isinstance(variant, str) and variant.startswith("maxvit"):
            # weights of torch's default scale (MaxVit's N(0, 0.02^2) leaves q k^T near 0 and
            # the branches small beside their residuals), biases that are not 0
            for mod in m.modules():
                if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
                    fan_in = mod.weight[0].numel()
                    mod.weight.normal_(0, fan_in ** -0.5)
                    if mod.bias is not None:
                        mod.bias.uniform_(-0.1, 0.1)
    os.makedirs(os.path.join(d, name, "hub", "checkpoints"), exist_ok=True)
    sd = m.state_dict()
    if isinstance(variant, str) and variant.startswith("densenet"):
        sd = legacy_densenet(sd)
    torch.save(sd, os.path.join(d, name, "hub", "checkpoints", file))
    if isinstance(variant, str) and variant.startswith("densenet"):
        F = m.classifier.in_features  # Ludwig's _remove_softmax_layer: classifier = Identity
        m.classifier = torch.nn.Identity()
    elif isinstance(variant, str) and variant.startswith("squeezenet"):
        # Ludwig's _remove_softmax_layer leaves SqueezeNet whole: the output is the classifier's
        # 1000 averaged maps; its Dropout(0.5) off (the C test turns its own off too)
        F = m.classifier[1].out_channels
        m.classifier[0].p = 0.0
    elif variant == "googlenet":
        # Ludwig's TVGoogLeNetEncoder: aux_logits off, aux1 and aux2 None (the saved file, as
        # torchvision's pretrained one, has them), fc = Identity; transform_input on as
        # torchvision sets it when it loads the pretrained weights; Dropout(0.2) off
        m.aux_logits = False
        m.aux1 = None
        m.aux2 = None
        F = m.fc.in_features
        m.fc = torch.nn.Identity()
        m.dropout.p = 0.0
        m.transform_input = True
    elif variant == "inception_v3":
        # Ludwig's TVInceptionV3Encoder: aux_logits off, AuxLogits None, fc = Identity;
        # transform_input on (the pretrained weights); Dropout(0.5) off
        m.aux_logits = False
        m.AuxLogits = None
        F = m.fc.in_features
        m.fc = torch.nn.Identity()
        m.dropout.p = 0.0
        m.transform_input = True
    elif isinstance(variant, str) and variant.startswith("vit"):
        F = m.heads[-1].in_features  # Ludwig's _remove_softmax_layer: heads[-1] = Identity
        m.heads[-1] = torch.nn.Identity()
    elif isinstance(variant, str) and variant.startswith("swin"):
        F = m.head.in_features  # Ludwig's _remove_softmax_layer: head = Identity
        m.head = torch.nn.Identity()
        for mod in m.modules():  # stochastic depth off (the C test turns its own off too)
            if isinstance(mod, torchvision.ops.StochasticDepth):
                mod.p = 0.0
    elif isinstance(variant, str) and not hasattr(m, "classifier"):  # resnext, regnet: fc
        F = m.fc.in_features
        m.fc = torch.nn.Identity()
    elif isinstance(variant, str):
        # Ludwig's _remove_softmax_layer: classifier[-1] = Identity; the classifier's dropout
        # off so that train mode is deterministic (the C test turns its own off too)
        F = m.classifier[-1].in_features
        m.classifier[-1] = torch.nn.Identity()
        for mod in m.classifier:
            if isinstance(mod, torch.nn.Dropout):
                mod.p = 0.0
        for mod in m.modules():  # EfficientNet's stochastic depth off as well
            if isinstance(mod, torchvision.ops.StochasticDepth):
                mod.p = 0.0
    else:
        m.fc = torch.nn.Identity()
        F = 512 * (4 if variant >= 50 else 1)
    x = images(B, S, resize)
    hw = torch.randn(K, F) * 0.05
    hb = torch.randn(K) * 0.1
    g = torch.randn(B, K)
    m.eval()
    with torch.no_grad():
        ev = m(x)
    if variant in ("googlenet", "inception_v3"):  # the weights without transform_input, eval
        m.transform_input = False
        with torch.no_grad():
            with open(os.path.join(d, name + "_notf.bin"), "wb") as f:
                f.write(m(x).contiguous().numpy().astype("<f4").tobytes())
        m.transform_input = True
    m.train()
    tr = m(x)
    loss = (g * (tr @ hw.T + hb)).sum()
    loss.backward()
    params = [(n, p) for n, p in m.named_parameters()]
    bns = [(n, mod) for n, mod in m.named_modules() if isinstance(mod, torch.nn.BatchNorm2d)]
    with open(os.path.join(d, name + ".bin"), "wb") as f:
        for a in [x, hw, hb, g, ev, tr.detach()] + \
                 [p.grad.flatten()[:GRAD_CAP] if p.numel() > GRAD_BIG else p.grad for _, p in params] + \
                 [t for _, mod in bns for t in (mod.running_mean, mod.running_var)]:
            f.write(a.detach().contiguous().numpy().astype("<f4").tobytes())
    with open(os.path.join(d, name + ".txt"), "w") as f:
        f.write(f"{B} {S} {K} {F}\n")
        for n, p in params:
            f.write(PREFIX + n + " " + " ".join(str(s) for s in p.shape) + "\n")
        f.write("buffers\n")
        for n, _ in bns:
            f.write(PREFIX + n + "\n")


class _NoInit:
    """Skips torch's and torchvision's initialisation (names and shapes need no values: VGG's
    130 million take seconds)."""
    FNS = ["normal_", "kaiming_normal_", "kaiming_uniform_", "constant_", "uniform_", "zeros_",
           "ones_", "trunc_normal_", "xavier_uniform_"]

    def __enter__(self):
        self.saved = {f: getattr(torch.nn.init, f) for f in self.FNS}
        for f in self.FNS:
            setattr(torch.nn.init, f, lambda t, *a, **k: t)

    def __exit__(self, *exc):
        for f, fn in self.saved.items():
            setattr(torch.nn.init, f, fn)


def names_only(d, name, build, head="fc.", no_init=False):
    """DIR/<name>.txt alone: the state_dict's parameter names and shapes (less the head Ludwig
    replaces), then its batch norms."""
    if no_init:
        with _NoInit():
            m = build(weights=None)
    else:
        m = build(weights=None)
    with open(os.path.join(d, name + ".txt"), "w") as f:
        f.write("1 32 2 2048\n")
        for n, p in m.named_parameters():
            if not n.startswith(head):
                f.write(PREFIX + n + " " + " ".join(str(s) for s in p.shape) + "\n")
        f.write("buffers\n")
        for n, mod in m.named_modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                f.write(PREFIX + n + "\n")


def regnet_stages(d):
    """DIR/regnet_stages.txt: per RegNet variant Ludwig lists, the stages torchvision's
    regnet_<v>() builds (its BlockParams, caught before the model is made: y_128gf alone is
    644 million parameters): the variant, then per stage blocks, width and group width."""
    from torchvision.models import regnet
    built = regnet._regnet
    regnet._regnet = lambda params, weights, progress, **kw: params
    try:
        with open(os.path.join(d, "regnet_stages.txt"), "w") as f:
            for v in ["x_400mf", "x_800mf", "x_1_6gf", "x_3_2gf", "x_8gf", "x_16gf", "x_32gf",
                      "y_400mf", "y_800mf", "y_1_6gf", "y_3_2gf", "y_8gf", "y_16gf", "y_32gf",
                      "y_128gf"]:
                p = getattr(regnet, "regnet_" + v)(weights=None)
                f.write(v + "".join(f" {n} {w} {g}" for n, w, g in
                                    zip(p.depths, p.widths, p.group_widths)) + "\n")
    finally:
        regnet._regnet = built


def main():
    d = sys.argv[1]
    case(d, "resnet18", 18, "resnet18-f37072fd.pth", 2, 224, 256, 3, 1)
    case(d, "resnet50", 50, "resnet50-11ad3fa6.pth", 2, 128, 146, 3, 2)
    case(d, "mobilenet_v3_small", "mobilenet_v3_small", "mobilenet_v3_small-047dcff4.pth", 2, 224, 256, 3, 3)
    case(d, "mobilenet_v3_large", "mobilenet_v3_large", "mobilenet_v3_large-5c1a4163.pth", 2, 224, 232, 3, 4)
    case(d, "efficientnet_b0", "efficientnet_b0", "efficientnet_b0_rwightman-3dd342df.pth", 2, 224, 256, 3, 5)
    case(d, "efficientnet_v2_s", "efficientnet_v2_s", "efficientnet_v2_s-dd5fe13b.pth", 2, 128, 146, 3, 6)
    case(d, "mobilenet_v2", "mobilenet_v2", "mobilenet_v2-7ebf99e0.pth", 2, 160, 183, 3, 9)
    case(d, "resnext50_32x4d", "resnext50_32x4d", "resnext50_32x4d-1a0047aa.pth", 4, 128, 146, 3, 8)
    # ViT-B/16 on 64x64 (16 patches and the class token: the same code as at 224, in seconds)
    case(d, "vit_b_16_64", "vit_b_16", "vit_b_16-c867db91.pth", 2, 64, 73, 3, 7, image_size=64)
    names_only(d, "wide_resnet50_2", torchvision.models.wide_resnet50_2)
    names_only(d, "efficientnet_b3", torchvision.models.efficientnet_b3, "classifier.1.")
    names_only(d, "efficientnet_v2_m", torchvision.models.efficientnet_v2_m, "classifier.1.")
    names_only(d, "vit_b_16", torchvision.models.vit_b_16, "heads.")
    # DenseNet-121 on 96x96 (a 3x3 map at norm5), its file under the old layer names;
    # SqueezeNet 1_0 on 128 and 1_1 on 100, sizes where a ceil-mode max pool adds a row
    case(d, "densenet121", "densenet121", "densenet121-a639ec97.pth", 2, 96, 110, 3, 10)
    case(d, "squeezenet1_0", "squeezenet1_0", "squeezenet1_0-b66bff10.pth", 2, 128, 146, 3, 11)
    case(d, "squeezenet1_1", "squeezenet1_1", "squeezenet1_1-b8a52dc0.pth", 2, 100, 114, 3, 12)
    names_only(d, "densenet161", torchvision.models.densenet161, "classifier.")
    names_only(d, "densenet169", torchvision.models.densenet169, "classifier.")
    names_only(d, "densenet201", torchvision.models.densenet201, "classifier.")
    # RegNetY-400MF (squeeze-excitation, grouped 3x3, projections) on 128x128; X-400MF, X-1.6GF
    # (Ludwig's default) and Y-1.6GF by names and shapes; every variant's stages
    case(d, "regnet_y_400mf", "regnet_y_400mf", "regnet_y_400mf-e6988f5f.pth", 2, 224, 232, 3, 10)
    names_only(d, "regnet_x_400mf", torchvision.models.regnet_x_400mf)
    names_only(d, "regnet_x_1_6gf", torchvision.models.regnet_x_1_6gf)
    names_only(d, "regnet_y_1_6gf", torchvision.models.regnet_y_1_6gf)
    regnet_stages(d)
    # MNASNet 0_5 (Ludwig's default) on 224x224; 0_75, 1_0, 1_3 (their rounded depths) by names
    case(d, "mnasnet0_5", "mnasnet0_5", "mnasnet0.5_top1_67.823-3ffadce67e.pth", 2, 224, 256, 3, 11)
    names_only(d, "mnasnet0_75", torchvision.models.mnasnet0_75, "classifier.1.")
    names_only(d, "mnasnet1_0", torchvision.models.mnasnet1_0, "classifier.1.")
    names_only(d, "mnasnet1_3", torchvision.models.mnasnet1_3, "classifier.1.")
    # VGG 11 with batch norms on 64x64: the last map 2x2, so AdaptiveAvgPool2d((7, 7)) averages
    # overlapping windows; the classifier's 25088 x 4096 Linear makes the .pth 530 MB
    case(d, "vgg11_bn", "vgg11_bn", "vgg11_bn-6002323d.pth", 2, 64, 73, 3, 10)
    names_only(d, "vgg11", torchvision.models.vgg11, "classifier.6.", True)
    names_only(d, "vgg16", torchvision.models.vgg16, "classifier.6.", True)
    names_only(d, "vgg19_bn", torchvision.models.vgg19_bn, "classifier.6.", True)
    # AlexNet on 160x160: the last map 4x4, AdaptiveAvgPool2d((6, 6))'s windows of 1 and 2
    case(d, "alexnet", "alexnet", "alexnet-owt-7be5be79.pth", 2, 160, 183, 3, 11)
    # ShuffleNetV2 x0_5 (Ludwig's default) on 128x128 (conv5's map 4x4) and x1_0 on 64x64 (2x2):
    # channel split, concatenation and shuffle; x1_5 and x2_0 by names and shapes
    case(d, "shufflenet_v2_x0_5", "shufflenet_v2_x0_5", "shufflenetv2_x0.5-f707e7126e.pth", 2, 128, 146, 3, 12)
    case(d, "shufflenet_v2_x1_0", "shufflenet_v2_x1_0", "shufflenetv2_x1-5666bf0f80.pth", 2, 64, 73, 3, 13)
    names_only(d, "shufflenet_v2_x1_5", torchvision.models.shufflenet_v2_x1_5)
    names_only(d, "shufflenet_v2_x2_0", torchvision.models.shufflenet_v2_x2_0)
    # Swin-T on 72x72: 18x18 tokens padded to 21x21 with shifted windows, 9x9 (padded to 14,
    # shifted) merged with an odd side to 5x5 and 3x3 (one window, no shift); s and b by names
    case(d, "swin_t_72", "swin_t", "swin_t-704ceda3.pth", 2, 72, 75, 3, 12)
    names_only(d, "swin_s", torchvision.models.swin_s, "head.", True)
    names_only(d, "swin_b", torchvision.models.swin_b, "head.", True)
    # ConvNeXt tiny on 64x64 (maps 16, 8, 4, 2: the 7x7 depthwise convs see padding everywhere),
    # its stochastic depth off; small, base, large (Ludwig's default) by names and shapes
    case(d, "convnext_tiny_64", "convnext_tiny", "convnext_tiny-983f1562.pth", 2, 64, 67, 3, 12)
    names_only(d, "convnext_small", torchvision.models.convnext_small, "classifier.2.", True)
    names_only(d, "convnext_base", torchvision.models.convnext_base, "classifier.2.", True)
    names_only(d, "convnext_large", torchvision.models.convnext_large, "classifier.2.", True)
    # GoogLeNet on 96x96: its ceil-mode max pools 48 -> 24 -> 12 -> 6 -> 3 (floor mode: 23, 11,
    # 5, 2); init_weights as torchvision's default (True) without its FutureWarning
    case(d, "googlenet", "googlenet", "googlenet-1378be20.pth", 2, 96, 110, 3, 12, init_weights=True)
    # Inception v3 on 171x171 (a 4x4 map after Mixed_7a), resize 196 (its transform's 342 /
    # 299): at 75x75, torchvision's min_size, the 1x1 maps' train-mode batch norms over two
    # values make torch's own float32 output 0.8 from float64's (at 107: 4e-4, at 139: 4e-5 and
    # its gradients 1.5% in all, 4.9% per tensor; at 171: 0.6% and 1.3%)
    case(d, "inception_v3", "inception_v3", "inception_v3_google-0cc3c7bd.pth", 2, 171, 196, 3, 13,
         init_weights=True)
    # MaxViT: torchvision's MaxVit class at 48x48 (stem 8, blocks 8, 16, 32 of 1, 2, 1 layers,
    # head_dim 4, partition 3: maps 12, 6, 3, so windows and grids differ in the first block)
    # under maxvit_t's file name; maxvit_t itself (224x224 alone) by names and shapes
    case(d, "maxvit_small", "maxvit_small", "maxvit_t-bc5ab103.pth", 2, 48, 48, 3, 14)
    names_only(d, "maxvit_t", torchvision.models.maxvit_t, "classifier.5.", True)


if __name__ == "__main__":
    main()
