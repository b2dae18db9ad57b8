#!/usr/bin/env bash
# One MNIST training epoch, Backprop against PyTorch, side by side in one run.
#
# Both sides train the same network on the same data with the same settings: 784-100-10 ReLU, softmax
# cross-entropy, float32, weights 0.01·N(0, 1), zero biases, batch 100, plain SGD at lr 0.1. Each trains
# warm-up epochs (PyTorch one, Backprop three, until its JIT has optimised the hot methods), then RUNS runs of
# EPOCHS epochs from fresh weights, and reports the median epoch time. PyTorch runs at 1 thread, its fastest on
# this 2-core machine (see the reference's header); Backprop is measured at 1 thread and at 2. Each side at its
# best: the headline ratio is Backprop's faster median over PyTorch's faster one; below 0.5 means Backprop takes
# less than half PyTorch's time. The ratios at each thread count follow it.
#
# PyTorch is measured twice. First exactly as the reference runs: it clears OPENBLAS_CORETYPE and lets
# OpenBLAS choose its kernels, and OpenBLAS 0.3.21 takes this virtual CPU for a Prescott (SSE3) and picks
# those (OPENBLAS_VERBOSE=2 shows "Core: Prescott"). Then with OpenBLAS's AVX-512 kernels, chosen from the
# CPU flags as benchmarks/numpy_gemm.py does (Cooperlake with avx512_bf16, else SkylakeX): the library is
# preloaded with OPENBLAS_CORETYPE set, so it has chosen before the script clears the variable. The
# second is PyTorch at its best here, and the fair anchor.
#
# With --model cnn the network is instead the sample's CNN against ../shared/bench/pytorch_cnn.py (conv 5×5×16,
# pool 2, conv 5×5×32, pool 2, linear 512-10; He weights, zero biases, batch 100, SGD with momentum 0.9 at 0.05).
# Backprop warms up one epoch there; PyTorch's convolutions are oneDNN's, not OpenBLAS's, so it is measured once,
# as the reference runs. The last line then also sets Backprop's epoch against the compute floor: about 233 GFLOP
# per epoch (forward and backward) at 226 GFLOP/s per core, 1.03 s on one core.
#
# usage: benchmarks/mnist_vs_pytorch.sh [MNIST_DIR] [--model mlp|cnn] [--hidden N] [--epochs N] [--runs N]
#   --hidden: the MLP's hidden units on both sides (pytorch_mlp.py --hidden); 100, the reference's, by default.
#   MNIST_DIR: the four uncompressed IDX files; default $BACKPROP_DATA, then the sample's cache
#   (${XDG_CACHE_HOME:-~/.cache}/backprop/mnist, filled by the first `dotnet run --project src/Backprop.Sample`).
#   PYTORCH_REFERENCE: the reference script; default ../shared/bench/pytorch_mlp.py beside the repository, or
#   pytorch_cnn.py there for the CNN.
# Needs Debian's python3-torch, python3-numpy and libopenblas0-pthread for the PyTorch side.
set -euo pipefail
cd "$(dirname "$0")/.."

data="${BACKPROP_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/backprop/mnist}"
if [[ $# -gt 0 && "$1" != --* ]]; then data="$1"; shift; fi
epochs=3 runs=3 model=mlp hidden=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --hidden) hidden="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$model" in
  mlp|cnn) ;;
  *) echo "unknown model: $model (mlp or cnn)" >&2; exit 2 ;;
esac
reference="${PYTORCH_REFERENCE:-../shared/bench/pytorch_$model.py}"  # from the repository's root, where the script runs

dotnet build src/Backprop.Sample -c Release -nologo -v quiet >/dev/null
sample=(dotnet src/Backprop.Sample/bin/Release/net10.0/Backprop.Sample.dll benchmark --model "$model" --data "$data" --epochs "$epochs" --runs "$runs" --hidden "$hidden")

# Shows a command's output as it runs and prints the median epoch seconds from its last line.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
median_of() { "$@" 2>&1 | tee "$log" >&2; grep -Eo 'epoch seconds median: [0-9.]+' "$log" | grep -Eo '[0-9.]+$'; }

echo "== Backprop, 1 thread"
backprop1=$(median_of "${sample[@]}" --threads 1)
echo "== Backprop, 2 threads"
backprop2=$(median_of "${sample[@]}" --threads 2)

if [[ "$model" == cnn ]]; then  # printed first: it needs no PyTorch
  awk -v b1="$backprop1" -v b2="$backprop2" 'BEGIN {
    floor = 233 / 226; b = b1 < b2 ? b1 : b2
    printf "ratio backprop/compute floor (%.2f s per epoch on one core): %.2f (target: at most 3)\n", floor, b / floor
  }'
fi

echo "== PyTorch, 1 thread"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "PyTorch is not installed for /usr/bin/python3 (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread); no ratio." >&2
  echo "backprop epoch seconds median: ${backprop1} (1 thread), ${backprop2} (2 threads)"
  exit 3
fi
pytorch=(/usr/bin/python3 "$reference" "$data" --threads 1 --epochs "$epochs" --runs "$runs")
[[ "$model" == mlp ]] && pytorch+=(--hidden "$hidden")
pytorch_reference=$(median_of env OPENBLAS_VERBOSE=2 "${pytorch[@]}")
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0  # libopenblas0-pthread
if [[ "$model" == cnn ]]; then core=""  # oneDNN convolutions: OpenBLAS's kernels do not enter
elif grep -qw avx512_bf16 /proc/cpuinfo; then core=Cooperlake; elif grep -qw avx512f /proc/cpuinfo; then core=SkylakeX; else core=""; fi
if [[ -n "$core" ]]; then
  echo "== PyTorch, 1 thread, OpenBLAS $core (AVX-512) kernels"
  pytorch_avx512=$(median_of env OPENBLAS_VERBOSE=2 OPENBLAS_CORETYPE="$core" LD_PRELOAD="$openblas" "${pytorch[@]}")
else
  pytorch_avx512=$pytorch_reference  # no AVX-512: OpenBLAS's own choice is all there is
fi

echo
# The targets: a quarter of PyTorch's time for the reference network, 0.35 with 1,024 hidden units; other sizes have none.
target=none
[[ "$model" == mlp && "$hidden" == 100 ]] && target=0.25
[[ "$model" == mlp && "$hidden" == 1024 ]] && target=0.35
[[ "$model" == cnn ]] && target=0.50
awk -v b1="$backprop1" -v b2="$backprop2" -v p="$pytorch_reference" -v q="$pytorch_avx512" -v target="$target" 'BEGIN {
  printf "epoch seconds (median): backprop %.3f at 1 thread, %.3f at 2 threads; pytorch %.3f as the reference runs, %.3f with AVX-512 kernels\n", b1, b2, p, q
  b = b1 < b2 ? b1 : b2; pb = p < q ? p : q
  printf "ratio backprop/pytorch, each at its best: %.2f (%.3f s at %d thread(s) against %.3f s; target: %s)\n", b / pb, b, b1 < b2 ? 1 : 2, pb, target == "none" ? "none at this size" : "at most " target
  printf "ratio backprop/pytorch (reference as it runs):    %.2f at 1 thread, %.2f at 2 threads\n", b1 / p, b2 / p
  printf "ratio backprop/pytorch (AVX-512 OpenBLAS kernels): %.2f at 1 thread, %.2f at 2 threads\n", b1 / q, b2 / q
}'
