"""Getting CIFAR-10: a verified, resumable download, or a tarball you already have; safe extraction.

Nothing half-done is ever trusted: the bytes go to ``<archive>.part`` and the file gets its
final name only once its size and md5 match; extraction refuses any member that would land
outside the data folder, and moves ``cifar-10-batches-py/`` into place only when complete.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .cifar10 import COMMAND, FOLDER, DataError, cifar10_folder, cifar10_present, data_root

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_SIZE = 170_498_071
ARCHIVE_NAME = "cifar-10-python.tar.gz"


def md5sum(path, chunk=1 << 20) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _what_to_do(root) -> str:
    return (f"Download {CIFAR10_URL} by other means (browser, another machine) and run "
            f"`{COMMAND} download --from PATH/TO/{ARCHIVE_NAME}`, or set "
            f"CS231N_DATA to a folder that already holds {FOLDER}/ (now: {root}). Without it the "
            "notebooks use the synthetic dataset.")


# --------------------------------------------------------------------------- download
def _fetch(url, part: Path, size, timeout, progress):
    """One attempt: append to ``part`` from where it stops (HTTP Range). Raises on failure."""
    have = part.stat().st_size if part.exists() else 0
    if size and have > size:  # a stale .part larger than the archive can only be garbage
        part.unlink()
        have = 0
    if size and have == size:
        return
    req = urllib.request.Request(url, headers={"User-Agent": "cs231n-helpers"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # asked beyond the end: start over
            part.unlink()
        raise
    with resp:
        status = getattr(resp, "status", 200)
        mode = "ab" if (have and status == 206) else "wb"
        if mode == "wb":
            have = 0
        total = size or (have + int(resp.headers.get("Content-Length") or 0)) or None
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=ARCHIVE_NAME, leave=True)
        try:
            with open(part, mode) as f:
                while True:
                    block = resp.read(1 << 16)
                    if not block:
                        break
                    f.write(block)
                    if bar is not None:
                        bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    got = part.stat().st_size
    if size and got < size:
        raise ConnectionError(f"connection closed after {got:,} of {size:,} bytes")


def download_archive(root=None, url=CIFAR10_URL, md5=CIFAR10_MD5, size=CIFAR10_SIZE, retries=4,
                     timeout=30.0, backoff=2.0, progress=True) -> Path:
    """Download the archive into ``root`` and return its path, verified.

    The bytes go to ``<name>.part``; an interrupted download resumes from there (HTTP Range)
    on the next attempt or the next call. Only once size and md5 match is the file renamed to
    its final name, so a later run never trusts a half-written or corrupt file. HTTP 404 fails
    at once; other errors are retried ``retries`` times with growing pauses.
    """
    root = data_root(root)
    root.mkdir(parents=True, exist_ok=True)
    final = root / Path(urllib.request.urlparse(url).path).name
    part = final.with_name(final.name + ".part")
    if final.exists():
        if md5sum(final) == md5:
            return final
        final.unlink()  # not ours: only verified files are ever renamed to this name
    last = None
    for attempt in range(1, retries + 1):
        try:
            _fetch(url, part, size, timeout, progress)
            last = None
            break
        except urllib.error.HTTPError as exc:
            last = exc
            if exc.code in (401, 403, 404, 410):
                raise DataError(f"{url} answered HTTP {exc.code} {exc.reason}. {_what_to_do(root)}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last = exc
        if attempt < retries:
            wait = backoff * 2 ** (attempt - 1)
            print(f"download attempt {attempt}/{retries} failed ({last}); retrying in {wait:.0f} s")
            time.sleep(wait)
    if last is not None:
        kept = part.stat().st_size if part.exists() else 0
        raise DataError(f"download of {url} failed after {retries} attempts ({last}). "
                        + (f"{kept:,} bytes are kept in {part.name} and the next run resumes from there. " if kept else "")
                        + _what_to_do(root))
    got_size = part.stat().st_size
    digest = md5sum(part)
    if (size and got_size != size) or digest != md5:
        part.unlink()
        raise DataError(f"checksum mismatch for {url}: got md5 {digest} ({got_size:,} bytes), expected "
                        f"{md5} ({size:,} bytes). The file was deleted; run the download again. "
                        + _what_to_do(root))
    os.replace(part, final)
    return final


# --------------------------------------------------------------------------- safe extraction
def _check_member(member: tarfile.TarInfo, dest: Path):
    target = (dest / member.name).resolve()
    if not (target == dest or dest in target.parents):
        raise DataError(f"refusing to extract {member.name!r}: it would land outside {dest}")
    if not (member.isfile() or member.isdir()):
        raise DataError(f"refusing to extract {member.name!r}: only files and folders are expected "
                        "in the CIFAR-10 archive (links and devices are not)")


def safe_extract(archive, dest) -> Path:
    """Extract a tar(.gz) archive into ``dest``, refusing members that would land outside it.

    Extraction goes to a temporary folder first; ``cifar-10-batches-py`` is moved into place
    only when complete.
    """
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    tmp = dest / ".extract-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for m in members:
                _check_member(m, tmp)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.10.12
                tar.extractall(tmp, members=members)
        for item in tmp.iterdir():
            target = dest / item.name
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            os.replace(item, target)
    except tarfile.TarError as exc:
        raise DataError(f"{archive} is not a readable tar archive ({exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------- both together
def download_cifar10(root=None, source=None, url=CIFAR10_URL, md5=None, size=None,
                     progress=True, **kw) -> Path:
    """Make CIFAR-10 available under ``root``: from ``source`` (a local tarball) if given, else
    by downloading it. Verifies the md5 either way; returns the ``cifar-10-batches-py`` folder."""
    root = data_root(root)
    md5 = md5 or CIFAR10_MD5
    size = CIFAR10_SIZE if size is None else size
    if source is not None:
        source = Path(source).expanduser()
        if not source.is_file():
            raise ValueError(f"source must be the path of a {ARCHIVE_NAME} file; {source} does not exist")
        digest = md5sum(source)
        if digest != md5:
            raise DataError(f"{source} has md5 {digest}, expected {md5}: it is not the CIFAR-10 python "
                            "archive, or it is incomplete. Download it again.")
        archive = source
    else:
        archive = download_archive(root, url=url, md5=md5, size=size, progress=progress, **kw)
    safe_extract(archive, root)
    if not cifar10_present(root):
        raise DataError(f"{archive} did not contain {FOLDER}/ with the expected batch files")
    return cifar10_folder(root)
