// The CUDA variants of wst-bench, defined in cuda_benchmarks.cu (nvcc).
#pragma once

namespace bench {

// Registers, when a CUDA device is present (returns whether one was):
//   forward/<config>/<precision>/cuda_b<B> and backward/... (batch 32 and
//   256, 4 host threads: batch 32 is one group of signals on one stream,
//   256 four groups on four), with the peak device memory;
//   fft_floor/<config>/float/cuda_b<B> (cuFFT alone running the FFTs of one
//   forward pass, batched over the signals, in the backend's layouts);
//   reconstruct/seed/float/cuda_b<B> (B = 1, 16, 128 problems solved
//   together) and transfers/seed/float/cuda_b<B> (one round's host-device
//   copies).
bool register_cuda_benchmarks();

}  // namespace bench
