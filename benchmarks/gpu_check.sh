#!/usr/bin/env bash
# The GPU checks, as one script for a machine with a CUDA GPU, cupy, numpy, scipy,
# pytest and hypothesis: every op and gradient on cupy against the CPU, the GPU tests of
# the eager engine and of graph mode, and the graph-mode GPU benchmark. Results (JUnit XML
# and logs) go to ${OUT:-artifacts/gpu}.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-artifacts/gpu}"
mkdir -p "$out"
export PYTHONPATH="$PWD/engine${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python3 -c "import cupy, numpy; print('cupy', cupy.__version__, 'numpy', numpy.__version__, 'devices', cupy.cuda.runtime.getDeviceCount())" | tee "$out/versions.txt"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee -a "$out/versions.txt"
python3 -m pytest -q -p no:cacheprovider -o addopts="" \
  tests/engine/test_gpu_ops.py tests/engine/test_tensor_api.py tests/engine/test_neural_ops.py \
  tests/engine/graph/test_gpu.py --junitxml="$out/gpu-tests.xml" 2>&1 | tee "$out/gpu-tests.log" | tail -25
status=${PIPESTATUS[0]}
timeout 120 python3 benchmarks/bench_graph_gpu.py 2>&1 | tee "$out/bench_graph_gpu.log" | tail -20
exit "$status"
