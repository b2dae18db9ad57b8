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
# This machine is shared, and its speed changes from one minute to the next by up to a factor of two. With --rounds R
# (default 1) the four measurements run R times in turn, so that both sides see the same spells of a busy machine; each
# round gives its own ratio, and the headline is the median of the rounds' ratios.
#
# usage: benchmarks/mnist_vs_pytorch.sh [MNIST_DIR] [--model mlp|cnn] [--hidden N] [--epochs N] [--runs N] [--rounds N]
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
epochs=3 runs=3 rounds=1 model=mlp hidden=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --hidden) hidden="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
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

if [[ "$model" != cnn ]] && ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "PyTorch is not installed for /usr/bin/python3 (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread); no ratio." >&2
  exit 3
fi
pytorch=(/usr/bin/python3 "$reference" "$data" --threads 1 --epochs "$epochs" --runs "$runs")
[[ "$model" == mlp ]] && pytorch+=(--hidden "$hidden")
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0  # libopenblas0-pthread
if [[ "$model" == cnn ]]; then core=""  # oneDNN convolutions: OpenBLAS's kernels do not enter
elif grep -qw avx512_bf16 /proc/cpuinfo; then core=Cooperlake; elif grep -qw avx512f /proc/cpuinfo; then core=SkylakeX; else core=""; fi

# The targets: a quarter of PyTorch's time for the reference network, 0.35 with 1,024 hidden units; other sizes have none.
target=none
[[ "$model" == mlp && "$hidden" == 100 ]] && target=0.25
[[ "$model" == mlp && "$hidden" == 1024 ]] && target=0.35
[[ "$model" == cnn ]] && target=0.50

# One round's four medians, "b1 b2 p q", appended to $rows.
rows=$(mktemp)
trap 'rm -f "$log" "$rows"' EXIT
for ((round = 1; round <= rounds; round++)); do
  [[ "$rounds" -gt 1 ]] && echo "==== round $round of $rounds"
  echo "== Backprop, 1 thread"
  backprop1=$(median_of "${sample[@]}" --threads 1)
  echo "== Backprop, 2 threads"
  backprop2=$(median_of "${sample[@]}" --threads 2)
  if [[ "$model" == cnn ]]; then  # printed first: it needs no PyTorch
    awk -v b1="$backprop1" -v b2="$backprop2" 'BEGIN {
      floor = 233 / 226; b = b1 < b2 ? b1 : b2
      printf "ratio backprop/compute floor (%.2f s per epoch on one core): %.2f (target: at most 3)\n", floor, b / floor
    }'
    if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
      echo "PyTorch is not installed for /usr/bin/python3 (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread); no ratio." >&2
      echo "backprop epoch seconds median: ${backprop1} (1 thread), ${backprop2} (2 threads)"
      exit 3
    fi
  fi
  echo "== PyTorch, 1 thread"
  pytorch_reference=$(median_of env OPENBLAS_VERBOSE=2 "${pytorch[@]}")
  if [[ -n "$core" ]]; then
    echo "== PyTorch, 1 thread, OpenBLAS $core (AVX-512) kernels"
    pytorch_avx512=$(median_of env OPENBLAS_VERBOSE=2 OPENBLAS_CORETYPE="$core" LD_PRELOAD="$openblas" "${pytorch[@]}")
  else
    pytorch_avx512=$pytorch_reference  # no AVX-512: OpenBLAS's own choice is all there is
  fi
  echo "$backprop1 $backprop2 $pytorch_reference $pytorch_avx512" >> "$rows"
done

echo
awk -v target="$target" -v rounds="$rounds" '
  function median(values, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
  }
  {
    n++; b1[n] = $1; b2[n] = $2; p[n] = $3; q[n] = $4
    b = $1 < $2 ? $1 : $2; pb = $3 < $4 ? $3 : $4
    best[n] = b / pb; at1[n] = $1 / $3; at2[n] = $2 / $3; avx1[n] = $1 / $4; avx2[n] = $2 / $4
    if (rounds > 1) printf("round %d: backprop %.3f at 1 thread, %.3f at 2; pytorch %.3f and %.3f; each at its best %.2f\n", n, $1, $2, $3, $4, best[n])
  }
  END {
    mb1 = median(b1, n); mb2 = median(b2, n); mp = median(p, n); mq = median(q, n)
    printf "epoch seconds (median%s): backprop %.3f at 1 thread, %.3f at 2 threads; pytorch %.3f as the reference runs, %.3f with AVX-512 kernels\n", (rounds > 1 ? " of the rounds" : ""), mb1, mb2, mp, mq
    printf "ratio backprop/pytorch, each at its best: %.2f (%s; target: %s)\n", median(best, n), (rounds > 1 ? "median of " n " rounds" : sprintf("%.3f s at %d thread(s) against %.3f s", (mb1 < mb2 ? mb1 : mb2), (mb1 < mb2 ? 1 : 2), (mp < mq ? mp : mq))), (target == "none" ? "none at this size" : "at most " target)
    printf "ratio backprop/pytorch (reference as it runs):    %.2f at 1 thread, %.2f at 2 threads\n", median(at1, n), median(at2, n)
    printf "ratio backprop/pytorch (AVX-512 OpenBLAS kernels): %.2f at 1 thread, %.2f at 2 threads\n", median(avx1, n), median(avx2, n)
  }' "$rows"
