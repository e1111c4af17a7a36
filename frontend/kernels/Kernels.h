//===- frontend/kernels/Kernels.h - Calling the Halide kernels --*- C++ -*-===//
//
// The eager ops' view of the Halide kernels: raw pointers with sizes
// and strides in elements, row-major order (last dim innermost). Outputs
// are always dense. These functions fit any shape to the kernels' fixed
// ranks (coalescing and padding dims, looping over extra ones) and turn a
// kernel failure into nnc::Error.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_KERNELS_KERNELS_H
#define NNC_FRONTEND_KERNELS_KERNELS_H

#include "frontend/ScalarType.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace nnc::kernels {

/// Equal gives 1 where a == b, else 0; ReluGrad gives a where b > 0, else 0
/// (both serve backward functions).
enum class BinaryOp { Add, Sub, Mul, Div, Equal, ReluGrad };
enum class UnaryOp { Neg, Exp, Log, Tanh, Sigmoid, Relu, Sqrt, Copy };
enum class ReduceOp { Sum, Max, Min };

// The math kernels take `type` kFloat32 or kFloat64 (anything else is an
// internal error: callers convert 16-bit floats to float32 first); all
// pointers point at elements of that type.

/// out = a (op) b, all of `shape`. `aStrides`/`bStrides` have one entry per
/// dim of `shape` (0 where the operand is broadcast); `out` is dense.
void binary(BinaryOp op, ScalarType type, const std::vector<int64_t> &shape,
            const void *a, const std::vector<int64_t> &aStrides, const void *b,
            const std::vector<int64_t> &bStrides, void *out);

/// out = op(in); `out` is dense. UnaryOp::Copy makes a strided view dense.
void unary(UnaryOp op, ScalarType type, const std::vector<int64_t> &shape,
           const void *in, const std::vector<int64_t> &inStrides, void *out);

/// out = in ** exponent; `out` is dense.
void power(ScalarType type, const std::vector<int64_t> &shape, const void *in,
           const std::vector<int64_t> &inStrides, double exponent, void *out);

/// Copies elements of any dtype between views of any strides (in-place
/// ops write through them). `out` must not overlap `in` or itself.
void copy(ScalarType type, const std::vector<int64_t> &shape, const void *in,
          const std::vector<int64_t> &inStrides, void *out,
          const std::vector<int64_t> &outStrides);

/// out[r] = reduce(in[r * rowStride + c * colStride] for c < cols), times
/// `scale` for Sum; `out` has `rows` dense elements. Max and Min need
/// cols > 0.
void reduceRows(ReduceOp op, ScalarType type, int64_t rows, int64_t cols,
                const void *in, int64_t rowStride, int64_t colStride,
                double scale, void *out);

/// Dense out[M, N] = a[M, K] x b[K, N]; a has any strides, b's column
/// stride must be 1.
void matmul(ScalarType type, int64_t m, int64_t k, int64_t n, const void *a,
            int64_t aRowStride, int64_t aColStride, const void *b,
            int64_t bRowStride, void *out);

/// Whether Halide's parallel loops run on the runtime's thread pool (they
/// do once any kernel ran; exposed for tests).
bool halideUsesRuntimeThreadPool();

/// Runs `pipeline` (one call of a Halide pipeline, returning its status)
/// with the hooks above installed; a failure becomes nnc::Error naming
/// `kernel`. For the kernels called from other files (ConvKernels.cpp).
void runHalidePipeline(const char *kernel,
                       const std::function<int()> &pipeline);

} // namespace nnc::kernels

#endif // NNC_FRONTEND_KERNELS_KERNELS_H
