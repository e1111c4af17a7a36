//===- frontend/kernels/Kernels.h - Calling the Halide kernels --*- C++ -*-===//
//
// The eager ops' view of the Halide kernels: raw float pointers with sizes
// and strides in elements, row-major order (last dim innermost). Outputs
// are always dense. These functions fit any shape to the kernels' fixed
// ranks (coalescing and padding dims, looping over extra ones) and turn a
// kernel failure into nnc::Error.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_KERNELS_KERNELS_H
#define NNC_FRONTEND_KERNELS_KERNELS_H

#include <cstdint>
#include <vector>

namespace nnc::kernels {

/// Equal gives 1 where a == b, else 0; ReluGrad gives a where b > 0, else 0
/// (both serve backward functions).
enum class BinaryOp { Add, Sub, Mul, Div, Equal, ReluGrad };
enum class UnaryOp { Neg, Exp, Log, Tanh, Sigmoid, Relu, Sqrt, Copy };
enum class ReduceOp { Sum, Max };

/// out = a (op) b, all of `shape`. `aStrides`/`bStrides` have one entry per
/// dim of `shape` (0 where the operand is broadcast); `out` is dense.
void binary(BinaryOp op, const std::vector<int64_t> &shape, const float *a,
            const std::vector<int64_t> &aStrides, const float *b,
            const std::vector<int64_t> &bStrides, float *out);

/// out = op(in); `out` is dense. UnaryOp::Copy makes a strided view dense.
void unary(UnaryOp op, const std::vector<int64_t> &shape, const float *in,
           const std::vector<int64_t> &inStrides, float *out);

/// out = in ** exponent; `out` is dense.
void power(const std::vector<int64_t> &shape, const float *in,
           const std::vector<int64_t> &inStrides, float exponent, float *out);

/// Copies between views of any strides (in-place ops write through them).
/// `out` must not overlap `in` or itself.
void copy(const std::vector<int64_t> &shape, const float *in,
          const std::vector<int64_t> &inStrides, float *out,
          const std::vector<int64_t> &outStrides);
void copy(const std::vector<int64_t> &shape, const int64_t *in,
          const std::vector<int64_t> &inStrides, int64_t *out,
          const std::vector<int64_t> &outStrides);

/// out[r] = reduce(in[r * rowStride + c * colStride] for c < cols), times
/// `scale` for Sum; `out` has `rows` dense elements. Max needs cols > 0.
void reduceRows(ReduceOp op, int64_t rows, int64_t cols, const float *in,
                int64_t rowStride, int64_t colStride, float scale, float *out);

/// Dense out[M, N] = a[M, K] x b[K, N]; a has any strides, b's column
/// stride must be 1.
void matmul(int64_t m, int64_t k, int64_t n, const float *a, int64_t aRowStride,
            int64_t aColStride, const float *b, int64_t bRowStride, float *out);

/// Whether Halide's parallel loops run on the runtime's thread pool (they
/// do once any kernel ran; exposed for tests).
bool halideUsesRuntimeThreadPool();

} // namespace nnc::kernels

#endif // NNC_FRONTEND_KERNELS_KERNELS_H
