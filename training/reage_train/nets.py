"""Age-cGAN networks (Antipov et al. 2017), DCGAN-style, 64x64.

These definitions are mirrored layer for layer by src/main/engine/nets.ts; the
exporter (export.py) and the parity test (test/engine/parity.test.ts) keep the
two from drifting apart. Change one, change the other.

Shapes (NHWC in tfjs, NCHW here):
  G(z[100], y[6])   -> x[3,64,64] in [-1, 1]     condition at G's input
  D(x, y)           -> logit                     condition after D's first conv
  E(x)              -> z[100]
"""
import torch
import torch.nn as nn

Z_DIM = 100
N_AGES = 6
IMAGE_SIZE = 64
AGE_CATEGORIES = ["0-18", "19-29", "30-39", "40-49", "50-59", "60+"]
BN_EPS = 1e-5  # tfjs batchNormalization is built with the same epsilon


def age_category(age: int) -> int:
    """Map an age in years to the paper's six categories."""
    if age <= 18:
        return 0
    if age <= 29:
        return 1
    if age <= 39:
        return 2
    if age <= 49:
        return 3
    if age <= 59:
        return 4
    return 5


class Generator(nn.Module):
    def __init__(self, width: int = 64):
        super().__init__()
        w = width
        # Transposed convs with k4 s2 p1 match tfjs conv2dTranspose(k4, s2, 'same').
        self.net = nn.Sequential(
            nn.ConvTranspose2d(Z_DIM + N_AGES, w * 8, 4, 1, 0, bias=False),  # 4x4
            nn.BatchNorm2d(w * 8, eps=BN_EPS), nn.ReLU(True),
            nn.ConvTranspose2d(w * 8, w * 4, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(w * 4, eps=BN_EPS), nn.ReLU(True),
            nn.ConvTranspose2d(w * 4, w * 2, 4, 2, 1, bias=False),  # 16x16
            nn.BatchNorm2d(w * 2, eps=BN_EPS), nn.ReLU(True),
            nn.ConvTranspose2d(w * 2, w, 4, 2, 1, bias=False),  # 32x32
            nn.BatchNorm2d(w, eps=BN_EPS), nn.ReLU(True),
            nn.ConvTranspose2d(w, 3, 4, 2, 1, bias=True),  # 64x64
            nn.Tanh(),
        )

    def forward(self, z, y):
        h = torch.cat([z, y], dim=1)[:, :, None, None]
        return self.net(h)


class Discriminator(nn.Module):
    def __init__(self, width: int = 64):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(3, w, 4, 2, 1, bias=True)  # 32x32
        self.rest = nn.Sequential(
            nn.Conv2d(w + N_AGES, w * 2, 4, 2, 1, bias=False),  # 16x16
            nn.BatchNorm2d(w * 2, eps=BN_EPS), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w * 2, w * 4, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(w * 4, eps=BN_EPS), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w * 4, w * 8, 4, 2, 1, bias=False),  # 4x4
            nn.BatchNorm2d(w * 8, eps=BN_EPS), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w * 8, 1, 4, 1, 0, bias=True),  # 1x1 logit
        )

    def forward(self, x, y):
        h = nn.functional.leaky_relu(self.conv1(x), 0.2)
        # The age condition joins at the first conv layer: one-hot tiled over the map.
        ymap = y[:, :, None, None].expand(-1, -1, h.shape[2], h.shape[3])
        return self.rest(torch.cat([h, ymap], dim=1)).view(-1)


class Encoder(nn.Module):
    def __init__(self, width: int = 64):
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(3, w, 4, 2, 1, bias=True), nn.LeakyReLU(0.2, True),  # 32
            nn.Conv2d(w, w * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 2, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 16
            nn.Conv2d(w * 2, w * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 4, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 8
            nn.Conv2d(w * 4, w * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 8, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 4
            nn.Conv2d(w * 8, Z_DIM, 4, 1, 0, bias=True),  # 1x1x100
        )

    def forward(self, x):
        return self.net(x).view(-1, Z_DIM)


def init_weights(m):
    """DCGAN initialisation: N(0, 0.02) convs, N(1, 0.02) BN scales."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
