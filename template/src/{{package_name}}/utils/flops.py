"""Peak FLOP rates of known accelerators, for model FLOPs utilisation (MFU)."""

import re

import torch

# Dense peak TFLOPS per device, as (bf16/fp16 tensor cores, fp32), from the vendors' data
# sheets (SXM parts where there are several). Names are matched as whole words against
# torch.cuda.get_device_name ("L4" is not an L40, "A100" not an RTX A1000), most specific first.
PEAK_TFLOPS: dict[str, tuple[float, float]] = {
    "H200": (989.0, 67.0),
    "H100 PCIe": (756.0, 51.0),
    "H100 NVL": (835.0, 60.0),
    "H100": (989.0, 67.0),
    "A100": (312.0, 19.5),
    "L40S": (362.0, 91.6),
    "L4": (121.0, 30.3),
    "A10G": (70.0, 31.2),
    "A10": (125.0, 31.2),
    "RTX 4090": (165.2, 82.6),
    "RTX 3090": (71.0, 35.6),
    "V100": (125.0, 15.7),
    "T4": (65.0, 8.1),
}


def peak_flops(device: torch.device, half_precision: bool) -> float | None:
    """The device's peak FLOP/s for the precision, or None when unknown (CPU, MPS, other GPUs)."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, (half, full) in PEAK_TFLOPS.items():
        if re.search(rf"\b{re.escape(key)}\b", name):
            return (half if half_precision else full) * 1e12
    return None
