"""Pick the compute device (CUDA, then Apple MPS, then CPU) and describe it in one line.

Nothing in the notebooks assumes a GPU: they call :func:`pick_device` once and read the
precision and memory layout to use from :func:`fast_settings`::

    device = pick_device()            # or pick_device("cuda"), or CS231N_DEVICE=cpu
    print(device_summary(device))     # cuda:0 NVIDIA H100 80GB HBM3, 79.1 GiB, bf16 autocast, channels_last

Asking for a device that is not there (``pick_device("cuda")`` on a laptop) prints a clear
fallback message and returns the best device that exists; it does not crash.
"""
from __future__ import annotations

import os
import warnings

import torch

_KINDS = ("cuda", "mps", "cpu")


def mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> list[str]:
    """Device kinds usable here, best first (always ends with ``"cpu"``)."""
    out = []
    if torch.cuda.is_available():
        out.append("cuda")
    if mps_available():
        out.append("mps")
    return out + ["cpu"]


def pick_device(prefer=None, verbose: bool = True) -> torch.device:
    """Return a ``torch.device``: ``prefer`` if it exists, else CUDA, then MPS, then CPU.

    prefer: ``None`` (use ``$CS231N_DEVICE`` if set, else the best device), ``"cuda"``,
    ``"cuda:1"``, ``"mps"``, ``"cpu"`` or a ``torch.device``. When the preferred kind is not
    available, a one-line message says so and which device is used instead.
    """
    if prefer is None:
        prefer = os.environ.get("CS231N_DEVICE", "").strip() or None
    if prefer is None:
        return torch.device(available_devices()[0])
    if isinstance(prefer, torch.device):
        want = prefer
    elif isinstance(prefer, str):
        try:
            want = torch.device(prefer.strip().lower())
        except RuntimeError:
            raise ValueError(f"prefer must be one of {_KINDS} (optionally 'cuda:N') or None, got {prefer!r}") from None
    else:
        raise ValueError(f"prefer must be a str, a torch.device or None, got {type(prefer).__name__}")
    if want.type not in _KINDS:
        raise ValueError(f"prefer must be one of {_KINDS} (optionally 'cuda:N') or None, got {prefer!r}")
    have = available_devices()
    if want.type in have:
        if want.type == "cuda" and want.index is not None and want.index >= torch.cuda.device_count():
            fallback = torch.device("cuda", 0)
            msg = (f"asked for {want} but only {torch.cuda.device_count()} CUDA device(s) exist: "
                   f"using {fallback}")
        else:
            return want
    else:
        fallback = torch.device(have[0])
        why = {
            "cuda": ("this PyTorch build has no CUDA support" if torch.version.cuda is None
                     else "no CUDA GPU is visible (driver missing or CUDA_VISIBLE_DEVICES empty?)"),
            "mps": "Apple MPS is not available (needs macOS on Apple silicon and a PyTorch build with MPS)",
        }[want.type]
        msg = f"asked for {want.type.upper()} but {why}: falling back to {fallback.type.upper()}"
    if verbose:
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
        print(msg)
    return fallback


def fast_settings(device) -> dict:
    """The fast path for ``device``: ``amp_dtype`` (autocast dtype or None) and ``channels_last``.

    CUDA: bf16 autocast where the GPU supports it (Ampere and newer), channels_last memory
    format (Tensor Cores like NHWC). MPS and CPU: plain float32, NCHW (bf16 autocast on most
    CPUs is slower than float32, and MPS autocast support varies between PyTorch versions).
    """
    device = torch.device(device)
    if device.type == "cuda":
        bf16 = torch.cuda.is_bf16_supported() if torch.cuda.is_available() else False
        return {"amp_dtype": torch.bfloat16 if bf16 else None, "channels_last": True}
    return {"amp_dtype": None, "channels_last": False}


def _gib(nbytes) -> str:
    return f"{nbytes / 2**30:.1f} GiB"


def _host_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def device_summary(device, amp_dtype="auto") -> str:
    """One line: device name, memory, precision (and layout) used for training.

    amp_dtype: ``"auto"`` (what :func:`fast_settings` picks), ``None`` (float32) or a dtype.
    """
    device = torch.device(device)
    fs = fast_settings(device)
    amp = fs["amp_dtype"] if amp_dtype == "auto" else amp_dtype
    prec = f"{str(amp).replace('torch.', '').replace('bfloat16', 'bf16').replace('float16', 'fp16')} autocast" if amp else "float32"
    layout = "channels_last" if fs["channels_last"] else "NCHW"
    if device.type == "cuda":
        idx = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(idx)
        return f"cuda:{idx} {props.name}, {_gib(props.total_memory)}, {prec}, {layout}"
    host = _host_memory()
    mem = f"{_gib(host)} RAM" if host else "RAM unknown"
    if device.type == "mps":
        return f"mps (Apple GPU), {mem} unified memory, {prec}, {layout}"
    return f"cpu ({torch.get_num_threads()} threads), {mem}, {prec}, {layout}"
