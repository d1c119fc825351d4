// Kernels for the runtime's GPU smoke test: two formulations of out += x,
// and one that cannot launch (too many threads per block is set by the
// host). Compiled here to a cubin: nvcc -cubin -arch=sm_90.
extern "C" __global__ void accumulate_scalar(float *out, const float *x,
                                             long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  long long stride = (long long)gridDim.x * blockDim.x;
  for (; i < n; i += stride)
    out[i] += x[i];
}

extern "C" __global__ void accumulate_vec4(float *out, const float *x,
                                           long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  long long vectors = n / 4;
  if (i < vectors) {
    float4 a = reinterpret_cast<float4 *>(out)[i];
    float4 b = reinterpret_cast<const float4 *>(x)[i];
    a.x += b.x;
    a.y += b.y;
    a.z += b.z;
    a.w += b.w;
    reinterpret_cast<float4 *>(out)[i] = a;
  }
  // The tail, by the first threads.
  long long tail = vectors * 4 + i;
  if (tail < n && i < 4)
    out[tail] += x[tail];
}
