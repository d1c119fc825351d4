// The floor of the host-time benchmark: a kernel that does nothing.
extern "C" __global__ void empty() {}
