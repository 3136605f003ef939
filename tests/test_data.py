"""cs231n_helpers.data: download (against a local HTTP server on 127.0.0.1), safe extraction,
restricted unpickling, loading, splits and the synthetic fallback."""
import hashlib
import io
import os
import pickle
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from cs231n_helpers import data as D
from cs231n_helpers.data import download as D_download

SUBSET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "cifar10-subset"


# ----------------------------------------------------------------------------- fixtures
def _batch_bytes(n, seed):
    rng = np.random.default_rng(seed)
    d = {"batch_label": "test batch", "labels": rng.integers(0, 10, n).tolist(),
         "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "filenames": [f"{i}.png" for i in range(n)]}
    return pickle.dumps(d, protocol=2)


def make_archive(tmp_path, n=7, extra=None):
    """A tiny tarball shaped like the official one (short batches)."""
    path = tmp_path / "src" / "cifar-10-python.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        files = {f"cifar-10-batches-py/{f}": _batch_bytes(n, i) for i, f in enumerate(D.TRAIN_FILES + [D.TEST_FILE])}
        files["cifar-10-batches-py/batches.meta"] = pickle.dumps({"label_names": D.CLASS_NAMES}, protocol=2)
        files.update(extra or {})
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    blob = path.read_bytes()
    return path, blob, hashlib.md5(blob).hexdigest()


class Server:
    """Serves one payload with HTTP Range support; ``mode`` scripts failures per request."""

    def __init__(self, payload):
        self.payload = payload
        self.modes = []  # consumed one per request; default "ok"
        self.ranges = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                mode = server.modes.pop(0) if server.modes else "ok"
                rng = self.headers.get("Range")
                server.ranges.append(rng)
                if mode in ("404", "503"):
                    self.send_error(int(mode))
                    return
                body = server.payload if mode != "corrupt" else bytes(len(server.payload))
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                chunk = body[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(chunk)))
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                if mode == "cut":  # send a third, then drop the connection
                    self.wfile.write(chunk[: len(chunk) // 3])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(chunk)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cifar-10-python.tar.gz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _dl(root, server, blob, md5, **kw):
    kw.setdefault("retries", 1)
    return D.download_cifar10(root, url=server.url, md5=md5, size=len(blob), progress=False,
                              backoff=0.0, timeout=5, **kw)


# ----------------------------------------------------------------------------- download
def test_download_complete(tmp_path):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    with Server(blob) as srv:
        folder = _dl(root, srv, blob, md5)
    assert folder == root / "cifar-10-batches-py"
    assert D.cifar10_present(root)
    assert D.md5sum(root / "cifar-10-python.tar.gz") == md5
    assert not (root / "cifar-10-python.tar.gz.part").exists()
    Xtr, ytr, Xte, yte = D.load_CIFAR10(root)
    assert Xtr.shape == (35, 32, 32, 3) and Xte.shape == (7, 32, 32, 3)


def test_download_interrupted_then_resumed(tmp_path):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    with Server(blob) as srv:
        srv.modes = ["cut"]
        with pytest.raises(D.DataError, match="next run resumes"):
            _dl(root, srv, blob, md5)
        part = root / "cifar-10-python.tar.gz.part"
        kept = part.stat().st_size
        assert 0 < kept < len(blob)
        assert not (root / "cifar-10-python.tar.gz").exists(), "no final file before verification"
        assert not D.cifar10_present(root)
        _dl(root, srv, blob, md5)  # resumes
        assert srv.ranges[-1] == f"bytes={kept}-", "the second request must resume with a Range header"
    assert D.md5sum(root / "cifar-10-python.tar.gz") == md5
    assert D.cifar10_present(root)


def test_download_retries_within_one_call(tmp_path):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    with Server(blob) as srv:
        srv.modes = ["503", "cut", "ok"]
        _dl(root, srv, blob, md5, retries=3)
        assert len(srv.ranges) == 3 and srv.ranges[2] is not None
    assert D.cifar10_present(root)


def test_wrong_checksum_leaves_nothing_trusted(tmp_path):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    with Server(blob) as srv:
        srv.modes = ["corrupt"]
        with pytest.raises(D.DataError, match="checksum mismatch"):
            _dl(root, srv, blob, md5)
    leftovers = sorted(p.name for p in root.iterdir()) if root.exists() else []
    assert leftovers == [], f"nothing may be left behind, found {leftovers}"
    assert not D.cifar10_present(root)


@pytest.mark.parametrize("code", ["404", "503"])
def test_http_errors_are_clear(tmp_path, code):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    with Server(blob) as srv:
        srv.modes = [code] * 5
        with pytest.raises(D.DataError) as info:
            _dl(root, srv, blob, md5, retries=2)
        msg = str(info.value)
        assert code in msg and "--from" in msg, msg
        # 404 is final (no retry), 503 is retried
        assert len(srv.ranges) == (1 if code == "404" else 2)
    assert not (root / "cifar-10-python.tar.gz").exists()


def test_existing_archive_is_reverified(tmp_path):
    _, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    root.mkdir()
    (root / "cifar-10-python.tar.gz").write_bytes(b"not the archive")
    with Server(blob) as srv:
        _dl(root, srv, blob, md5)
        assert len(srv.ranges) == 1
    assert D.md5sum(root / "cifar-10-python.tar.gz") == md5


def test_import_from_local_tarball(tmp_path, capsys):
    src, blob, md5 = make_archive(tmp_path)
    root = tmp_path / "data"
    folder = D.download_cifar10(root, source=src, md5=md5)
    assert D.cifar10_present(root) and folder.name == "cifar-10-batches-py"
    with pytest.raises(D.DataError, match="md5"):
        D.download_cifar10(tmp_path / "other", source=src)  # the real md5 does not match
    with pytest.raises(ValueError, match="source"):
        D.download_cifar10(root, source=tmp_path / "missing.tar.gz")


def test_cli_from_and_status(tmp_path, monkeypatch, capsys):
    src, blob, md5 = make_archive(tmp_path)
    monkeypatch.setenv("CS231N_DATA", str(tmp_path / "data"))
    assert D.main(["status"]) == 0
    assert "not present" in capsys.readouterr().out
    assert D.main(["download", "--from", str(src)]) == 1  # md5 is not the official one
    assert "md5" in capsys.readouterr().err
    monkeypatch.setattr(D_download, "CIFAR10_MD5", md5)  # where download_cifar10 looks it up
    assert D.main(["download", "--from", str(src)]) == 0
    assert D.main(["status"]) == 0
    assert "35 train / 7 test images (a CIFAR-10 subset)" in capsys.readouterr().out
    assert D.main(["verify"]) == 0


# ----------------------------------------------------------------------------- safe extraction
@pytest.mark.parametrize("evil", ["../escape.txt", "cifar-10-batches-py/../../escape.txt", "/tmp/abs-escape.txt"])
def test_tarball_member_escaping_is_refused(tmp_path, evil):
    src, _, md5 = make_archive(tmp_path, extra={evil: b"gotcha"})
    root = tmp_path / "data"
    with pytest.raises(D.DataError, match="outside"):
        D.download_cifar10(root, source=src, md5=md5)
    assert not (tmp_path / "escape.txt").exists()
    assert not D.cifar10_present(root)


def test_tarball_symlink_is_refused(tmp_path):
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(D.DataError):
        D.safe_extract(path, tmp_path / "data")


# ----------------------------------------------------------------------------- loading
class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_forbidden_global_is_refused(tmp_path):
    p = tmp_path / "data_batch_1"
    p.write_bytes(pickle.dumps({"data": np.zeros((1, 3072), np.uint8), "labels": [0], "x": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system|refusing to load os.system|refusing to load nt.system"):
        D.load_batch(p)


def test_short_batches_load(tmp_path):
    p = tmp_path / "b"
    p.write_bytes(_batch_bytes(3, 0))
    X, y = D.load_batch(p)
    assert X.shape == (3, 32, 32, 3) and X.dtype == np.uint8 and y.shape == (3,)
    # channel planes: row = R plane, G plane, B plane
    raw = pickle.loads(p.read_bytes())["data"][0]
    assert X[0, 0, 0, 0] == raw[0] and X[0, 0, 0, 1] == raw[1024] and X[0, 0, 0, 2] == raw[2048]
    assert X[0, 0, 1, 0] == raw[1] and X[0, 1, 0, 0] == raw[32]


def test_bad_batch_is_explained(tmp_path):
    p = tmp_path / "b"
    p.write_bytes(pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, protocol=2))
    with pytest.raises(D.DataError, match="3072"):
        D.load_batch(p)


@pytest.mark.skipif(not SUBSET.exists(), reason="shared CIFAR-10 subset not available")
def test_real_subset_loads_and_splits(monkeypatch, capsys):
    monkeypatch.setenv("CS231N_DATA", str(SUBSET))
    ds = D.load_dataset()
    assert ds.name == "cifar10-subset" and len(ds.X_train) == 5085 and len(ds.X_test) == 1017
    assert ds.class_names[0] == "airplane"
    d = D.get_cifar10_data(dataset=ds)
    out = capsys.readouterr().out
    assert "note: asked for 49,000" in out
    assert d["X_train"].shape == (4085, 3, 32, 32) and d["X_train"].dtype == np.float32
    assert abs(float(d["X_train"].mean())) < 1e-3  # mean image subtracted


def test_splits_layouts_and_validation():
    ds = D.Dataset(*D.make_synthetic(200, 50), name="synthetic")
    d = D.get_cifar10_data(100, 20, 30, num_dev=10, layout="flat", bias_trick=True, dataset=ds, verbose=False)
    assert d["X_train"].shape == (100, 3073) and d["X_val"].shape == (20, 3073) and d["X_dev"].shape == (10, 3073)
    assert np.all(d["X_test"][:, -1] == 1)
    d = D.get_cifar10_data(100, 0, 30, subtract_mean=False, layout="NHWC", dataset=ds, verbose=False)
    np.testing.assert_array_equal(d["X_train"], ds.X_train[:100].astype(np.float32))
    for kw, word in [({"layout": "CHW"}, "layout"), ({"bias_trick": True}, "bias_trick"),
                     ({"num_training": -1}, "num_training"), ({"num_test": 2.5}, "num_test")]:
        with pytest.raises(ValueError, match=word):
            D.get_cifar10_data(dataset=ds, verbose=False, **kw)


def test_synthetic_is_deterministic_fast_and_balanced(monkeypatch, capsys):
    t = time.perf_counter()
    a = D.make_synthetic()
    elapsed = time.perf_counter() - t
    b = D.make_synthetic()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    Xtr, ytr, Xte, yte = a
    assert Xtr.shape == (10_000, 32, 32, 3) and Xtr.dtype == np.uint8 and Xte.shape == (2_000, 32, 32, 3)
    assert np.bincount(ytr, minlength=10).min() > 800
    assert elapsed < 10, elapsed  # ~1 s on a quiet 2-core machine; generous under load
    monkeypatch.setenv("CS231N_DATASET", "synthetic")
    ds = D.load_dataset()
    assert ds.name == "synthetic" and "synthetic" in capsys.readouterr().out
    monkeypatch.setenv("CS231N_DATASET", "mnist")
    with pytest.raises(ValueError, match="CS231N_DATASET"):
        D.load_dataset()


def test_fallback_is_loud_when_nothing_found(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CS231N_DATA", str(tmp_path))
    monkeypatch.delenv("CS231N_DATASET", raising=False)
    ds = D.load_dataset(download=False)
    assert ds.name == "synthetic"
    assert "NOT CIFAR-10 numbers" in capsys.readouterr().out
