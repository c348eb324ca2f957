// The CUDA variants of wst-bench, defined in cuda_benchmarks.cu (nvcc).
#pragma once

namespace bench {

// Registers forward/<config>/<precision>/cuda_b<batch> (batch 32 and 256)
// and fft_floor/<config>/float/cuda_b256 (cuFFT alone running the FFTs of
// one forward pass, batched over the signals) when a CUDA device is present;
// returns whether one was.
bool register_cuda_benchmarks();

}  // namespace bench
