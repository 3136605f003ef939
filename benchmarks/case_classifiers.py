"""kNN distances (against one matrix product, and no-loop against two-loop) and the
vectorized SVM / softmax losses (against PyTorch autograd: ``cs231n_helpers.reference``)."""
import numpy as np

from benchmarks.core import Target, case, check_all
from cs231n_helpers import reference


@case("knn", "kNN distances, 5,000 train x 500 test x 3,072, float32")
def knn_distances(bench):
    from cs231n_helpers.knn import KNearestNeighbor as KNN

    rng = np.random.default_rng(0)
    X_train = rng.uniform(0, 255, size=(5000, 3072)).astype(np.float32)
    y_train = rng.integers(0, 10, 5000)
    X_test = rng.uniform(0, 255, size=(500, 3072)).astype(np.float32)
    clf = KNN()
    clf.train(X_train, y_train)

    def check():
        ours = clf.compute_distances_no_loops(X_test[:20])
        train = X_train.astype(np.float64)  # row by row: the broadcast (20, 5000, 3072) would take 2.5 GB
        exact = np.stack([np.sqrt(((train - row) ** 2).sum(1)) for row in X_test[:20].astype(np.float64)])
        return check_all([("distances", ours, exact)], 1e-4)

    bench.compare("no loops vs one matmul", lambda: clf.compute_distances_no_loops(X_test),
                  lambda: X_test @ X_train.T, "X_test @ X_train.T", Target("ratio", 1.3), check=check)

    k = 2 if bench.quick else 5
    bench.compare(f"no loops vs two loops (two loops on {k} test rows, x{500 // k})",
                  lambda: clf.compute_distances_no_loops(X_test),
                  lambda: clf.compute_distances_two_loops(X_test[:k]), "two loops", Target("speedup", 50),
                  ref_scale=500 / k,
                  check=lambda: check_all([("two loops", clf.compute_distances_two_loops(X_test[:3]),
                                            clf.compute_distances_no_loops(X_test[:3]))], 1e-4))


def _linear_data(dtype, N=500, D=3073, C=10):
    rng = np.random.default_rng(1)
    X = rng.uniform(-128, 128, size=(N, D)).astype(dtype)
    X[:, -1] = 1  # bias trick
    y = rng.integers(0, C, N)
    W = (rng.standard_normal((D, C)) * 1e-4).astype(dtype)
    return W, X, y


@case("linear", "SVM and softmax vectorized loss + gradient, 500 x 3,073 x 10")
def linear_losses(bench):
    from cs231n_helpers.linear_classifier import softmax_loss_naive, softmax_loss_vectorized as softmax, \
        svm_loss_naive, svm_loss_vectorized as svm

    reg = 5e-6
    for dtype, tol in ((np.float32, 1e-4), (np.float64, 1e-9)):
        W, X, y = _linear_data(dtype)
        for name, ours, op in (("SVM", svm, reference.linear_svm_loss_op(reg)),
                               ("softmax", softmax, reference.linear_softmax_loss_op(reg))):
            theirs = reference.Autograd(op, (W, X, y), 1.0, (True, False, False))

            def check(ours=ours, theirs=theirs):
                loss, dW = ours(W, X, y, reg)
                theirs.run()
                tl, tdW = theirs.results()
                return check_all([("loss", loss, tl), ("dW", dW, tdW)], tol)

            bench.compare(f"{name} {np.dtype(dtype).name}", lambda ours=ours: ours(W, X, y, reg), theirs.run,
                          "torch autograd", Target("ratio", 1.5), check=check)

    # issue 4: the vectorized losses against the naive loops, on the float32 dev-set shape the
    # notebook uses; the loops run on a sample of rows and are scaled (cost is linear in N)
    W, X, y = _linear_data(np.float32)
    n = 50 if bench.quick else 100
    for name, fast, naive in (("SVM", svm, svm_loss_naive), ("softmax", softmax, softmax_loss_naive)):
        def check(fast=fast, naive=naive):
            (l1, g1), (l2, g2) = fast(W, X[:n], y[:n], reg), naive(W, X[:n], y[:n], reg)
            return check_all([("loss", l1, l2), ("dW", g1, g2)], 1e-4)

        bench.compare(f"{name} vectorized vs naive loops, float32 (loops on {n} rows, x{len(X) // n})",
                      lambda fast=fast: fast(W, X, y, reg), lambda naive=naive: naive(W, X[:n], y[:n], reg),
                      "naive loops", Target("speedup", 50), ref_scale=len(X) / n, check=check)
