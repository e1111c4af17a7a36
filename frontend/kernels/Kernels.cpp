//===- frontend/kernels/Kernels.cpp - Calling the Halide kernels ----------===//
//
// Builds halide_buffer_t descriptors over tensor memory and calls the
// ahead-of-time compiled pipelines. Before the first call it routes Halide's
// parallel loops into the runtime's thread pool and its error messages into
// nnc::Error, so there is one threading system and no message on stderr.
//
//===----------------------------------------------------------------------===//
#include "frontend/kernels/Kernels.h"

#include "frontend/Error.h"
#include "runtime/ThreadPool.h"

#include "HalideRuntime.h"
#include "nnc_halide_add.h"
#include "nnc_halide_add_f64.h"
#include "nnc_halide_copy.h"
#include "nnc_halide_copy_b16.h"
#include "nnc_halide_copy_b32.h"
#include "nnc_halide_copy_b64.h"
#include "nnc_halide_copy_b8.h"
#include "nnc_halide_div.h"
#include "nnc_halide_div_f64.h"
#include "nnc_halide_eq.h"
#include "nnc_halide_eq_f64.h"
#include "nnc_halide_exp.h"
#include "nnc_halide_exp_f64.h"
#include "nnc_halide_log.h"
#include "nnc_halide_log_f64.h"
#include "nnc_halide_matmul.h"
#include "nnc_halide_matmul_f64.h"
#include "nnc_halide_max.h"
#include "nnc_halide_max_f64.h"
#include "nnc_halide_min.h"
#include "nnc_halide_min_f64.h"
#include "nnc_halide_mul.h"
#include "nnc_halide_mul_f64.h"
#include "nnc_halide_neg.h"
#include "nnc_halide_neg_f64.h"
#include "nnc_halide_pow.h"
#include "nnc_halide_pow_f64.h"
#include "nnc_halide_relu.h"
#include "nnc_halide_relu_f64.h"
#include "nnc_halide_relu_grad.h"
#include "nnc_halide_relu_grad_f64.h"
#include "nnc_halide_sigmoid.h"
#include "nnc_halide_sigmoid_f64.h"
#include "nnc_halide_sqrt.h"
#include "nnc_halide_sqrt_f64.h"
#include "nnc_halide_sub.h"
#include "nnc_halide_sub_f64.h"
#include "nnc_halide_sum.h"
#include "nnc_halide_sum_f64.h"
#include "nnc_halide_tanh.h"
#include "nnc_halide_tanh_f64.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <string>

namespace nnc::kernels {

//===----------------------------------------------------------------------===//
// Halide runtime hooks
//===----------------------------------------------------------------------===//

namespace {

/// The last Halide error message on this thread (Halide reports a message,
/// then the pipeline returns an error code).
thread_local std::string lastHalideError;

void recordHalideError(void * /*userContext*/, const char *message) {
  lastHalideError = message;
}

int parallelForOnThreadPool(void *userContext, halide_task_t task, int min,
                            int extent, uint8_t *closure) {
  std::atomic<int> failure{0};
  runtime::parallelFor(min, int64_t(min) + extent, [&](int64_t index) {
    if (int result = task(userContext, static_cast<int>(index), closure))
      failure = result;
  });
  return failure;
}

void installHalideHooks() {
  static const bool installed = [] {
    halide_set_custom_do_par_for(parallelForOnThreadPool);
    halide_set_error_handler(recordHalideError);
    return true;
  }();
  (void)installed;
}

/// Calls a Halide pipeline; a nonzero result becomes nnc::Error.
template <class Pipeline, class... Args>
void callKernel(const char *name, Pipeline pipeline, Args... args) {
  installHalideHooks();
  lastHalideError.clear();
  if (int result = pipeline(args...))
    throw Error(std::string("internal error: Halide kernel ") + name +
                " failed (" + std::to_string(result) + "): " + lastHalideError);
}

int32_t toInt32(int64_t value, const char *what) {
  if (value > INT32_MAX || value < INT32_MIN)
    throw Error(std::string("eager kernels: ") + what + " " +
                std::to_string(value) +
                " does not fit the kernels' 32-bit indexing");
  return static_cast<int32_t>(value);
}

/// Halide's description of `type`'s elements.
halide_type_t halideTypeOf(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return halide_type_t(halide_type_float, 32, 1);
  case ScalarType::Float64:
    return halide_type_t(halide_type_float, 64, 1);
  default:
    throw Error(std::string("internal error: no Halide math kernel for ") +
                toString(type));
  }
}

/// The copy kernels' type for elements of `bytes` bytes.
halide_type_t bitsType(std::size_t bytes) {
  return halide_type_t(halide_type_uint, static_cast<uint8_t>(8 * bytes), 1);
}

/// A halide_buffer_t over existing memory of elements of `type`. Dims are
/// given innermost first, as Halide numbers them. Not copyable: the buffer
/// points at dims_.
class HalideView {
public:
  static constexpr int kMaxRank = 4;

  HalideView(halide_type_t type, const void *data, int rank,
             const int64_t *extents, const int64_t *strides) {
    std::memset(&buffer_, 0, sizeof(buffer_));
    std::memset(dims_, 0, sizeof(dims_));
    buffer_.host = static_cast<uint8_t *>(const_cast<void *>(data));
    buffer_.type = type;
    buffer_.dimensions = rank;
    buffer_.dim = dims_;
    for (int d = 0; d < rank; ++d) {
      dims_[d].min = 0;
      dims_[d].extent = toInt32(extents[d], "size");
      dims_[d].stride = toInt32(strides[d], "stride");
    }
  }
  HalideView(const HalideView &) = delete;
  HalideView &operator=(const HalideView &) = delete;

  halide_buffer_t *get() { return &buffer_; }

private:
  halide_buffer_t buffer_;
  halide_dimension_t dims_[kMaxRank];
};

/// `base` advanced by `offset` elements of `bytes` bytes.
const void *advance(const void *base, int64_t offset, std::size_t bytes) {
  return static_cast<const char *>(base) + offset * static_cast<int64_t>(bytes);
}
void *advance(void *base, int64_t offset, std::size_t bytes) {
  return static_cast<char *>(base) + offset * static_cast<int64_t>(bytes);
}

//===----------------------------------------------------------------------===//
// Fitting any shape to the rank-4 elementwise kernels
//===----------------------------------------------------------------------===//

/// An elementwise loop nest over up to three operands (inputs, then the
/// dense output), outermost dim first.
struct LoopDim {
  int64_t size;
  int64_t strides[3];
};

/// Drops size-1 dims and merges neighbours that every operand walks as one
/// (stride of the outer = size * stride of the inner), so a dense or simply
/// broadcast operation becomes one or two long dims.
std::vector<LoopDim>
coalesce(const std::vector<int64_t> &shape,
         const std::vector<const std::vector<int64_t> *> &operandStrides) {
  size_t operands = operandStrides.size();
  std::vector<LoopDim> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1)
      continue;
    LoopDim next{shape[d], {0, 0, 0}};
    for (size_t o = 0; o < operands; ++o)
      next.strides[o] = (*operandStrides[o])[d];
    bool mergeable = !dims.empty();
    for (size_t o = 0; o < operands && mergeable; ++o)
      mergeable = dims.back().strides[o] == next.strides[o] * next.size;
    if (mergeable) {
      dims.back().size *= next.size;
      for (size_t o = 0; o < operands; ++o)
        dims.back().strides[o] = next.strides[o];
    } else {
      dims.push_back(next);
    }
  }
  return dims;
}

/// Calls `kernel(offsets, innerDims)` once per index of the dims beyond the
/// kernel's four innermost; `innerDims` is exactly four dims (padded with
/// size 1 at the outside) and `offsets` the operands' element offsets.
template <class Kernel>
void forEachKernelCall(const std::vector<LoopDim> &dims, size_t operands,
                       Kernel &&kernel) {
  constexpr size_t kRank = HalideView::kMaxRank;
  size_t outer = dims.size() > kRank ? dims.size() - kRank : 0;
  // Padding dims have size 1, so their strides only need to satisfy
  // Halide's default constraint that an output's dim 0 has stride 1 (the
  // padding is innermost when every dim was coalesced away).
  std::vector<LoopDim> inner(kRank, LoopDim{1, {1, 1, 1}});
  std::copy(dims.begin() + outer, dims.end(),
            inner.begin() + (kRank - (dims.size() - outer)));

  std::vector<int64_t> index(outer, 0);
  int64_t offsets[3] = {0, 0, 0};
  while (true) {
    kernel(offsets, inner);
    // Odometer over the outer dims.
    size_t d = outer;
    while (d > 0) {
      --d;
      for (size_t o = 0; o < operands; ++o)
        offsets[o] += dims[d].strides[o];
      if (++index[d] < dims[d].size)
        break;
      for (size_t o = 0; o < operands; ++o)
        offsets[o] -= dims[d].strides[o] * dims[d].size;
      index[d] = 0;
      if (d == 0)
        return;
    }
    if (outer == 0)
      return;
  }
}

/// Halide's order of `inner` (innermost first) for operand `o`.
void halideGeometry(const std::vector<LoopDim> &inner, size_t o,
                    int64_t *extents, int64_t *strides) {
  size_t rank = inner.size();
  for (size_t d = 0; d < rank; ++d) {
    extents[d] = inner[rank - 1 - d].size;
    strides[d] = inner[rank - 1 - d].strides[o];
  }
}

int64_t numelOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

std::vector<int64_t> denseStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= std::max<int64_t>(shape[d], 1);
  }
  return strides;
}

using BinaryPipeline = int (*)(halide_buffer_t *, halide_buffer_t *,
                               halide_buffer_t *);
using UnaryPipeline = int (*)(halide_buffer_t *, halide_buffer_t *);
using ReducePipeline = int (*)(halide_buffer_t *, double, halide_buffer_t *);

BinaryPipeline pipelineFor(BinaryOp op, ScalarType type, const char *&name) {
  bool f64 = type == kFloat64;
  switch (op) {
  case BinaryOp::Add:
    name = "add";
    return f64 ? nnc_halide_add_f64 : nnc_halide_add;
  case BinaryOp::Sub:
    name = "sub";
    return f64 ? nnc_halide_sub_f64 : nnc_halide_sub;
  case BinaryOp::Mul:
    name = "mul";
    return f64 ? nnc_halide_mul_f64 : nnc_halide_mul;
  case BinaryOp::Div:
    name = "div";
    return f64 ? nnc_halide_div_f64 : nnc_halide_div;
  case BinaryOp::Equal:
    name = "eq";
    return f64 ? nnc_halide_eq_f64 : nnc_halide_eq;
  case BinaryOp::ReluGrad:
    name = "relu_grad";
    return f64 ? nnc_halide_relu_grad_f64 : nnc_halide_relu_grad;
  }
  throw Error("internal error: unknown binary kernel");
}

UnaryPipeline pipelineFor(UnaryOp op, ScalarType type, const char *&name) {
  bool f64 = type == kFloat64;
  switch (op) {
  case UnaryOp::Neg:
    name = "neg";
    return f64 ? nnc_halide_neg_f64 : nnc_halide_neg;
  case UnaryOp::Exp:
    name = "exp";
    return f64 ? nnc_halide_exp_f64 : nnc_halide_exp;
  case UnaryOp::Log:
    name = "log";
    return f64 ? nnc_halide_log_f64 : nnc_halide_log;
  case UnaryOp::Tanh:
    name = "tanh";
    return f64 ? nnc_halide_tanh_f64 : nnc_halide_tanh;
  case UnaryOp::Sigmoid:
    name = "sigmoid";
    return f64 ? nnc_halide_sigmoid_f64 : nnc_halide_sigmoid;
  case UnaryOp::Relu:
    name = "relu";
    return f64 ? nnc_halide_relu_f64 : nnc_halide_relu;
  case UnaryOp::Sqrt:
    name = "sqrt";
    return f64 ? nnc_halide_sqrt_f64 : nnc_halide_sqrt;
  case UnaryOp::Copy:
    name = "copy";
    if (f64)
      return nnc_halide_copy_b64; // copying doubles is copying their bits
    return nnc_halide_copy;
  }
  throw Error("internal error: unknown unary kernel");
}

ReducePipeline pipelineFor(ReduceOp op, ScalarType type, const char *&name) {
  bool f64 = type == kFloat64;
  switch (op) {
  case ReduceOp::Sum:
    name = "sum";
    return f64 ? nnc_halide_sum_f64 : nnc_halide_sum;
  case ReduceOp::Max:
    name = "max";
    return f64 ? nnc_halide_max_f64 : nnc_halide_max;
  case ReduceOp::Min:
    name = "min";
    return f64 ? nnc_halide_min_f64 : nnc_halide_min;
  }
  throw Error("internal error: unknown reduce kernel");
}

UnaryPipeline copyPipelineFor(std::size_t bytes) {
  switch (bytes) {
  case 1:
    return nnc_halide_copy_b8;
  case 2:
    return nnc_halide_copy_b16;
  case 4:
    return nnc_halide_copy_b32;
  case 8:
    return nnc_halide_copy_b64;
  }
  throw Error("internal error: no copy kernel for " + std::to_string(bytes) +
              "-byte elements");
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void binary(BinaryOp op, ScalarType type, const std::vector<int64_t> &shape,
            const void *a, const std::vector<int64_t> &aStrides, const void *b,
            const std::vector<int64_t> &bStrides, void *out) {
  halide_type_t htype = halideTypeOf(type);
  if (numelOf(shape) == 0)
    return;
  std::size_t bytes = elementSize(type);
  const char *name = nullptr;
  BinaryPipeline pipeline = pipelineFor(op, type, name);
  std::vector<int64_t> outStrides = denseStrides(shape);
  std::vector<LoopDim> dims =
      coalesce(shape, {&aStrides, &bStrides, &outStrides});
  forEachKernelCall(
      dims, 3, [&](const int64_t *offsets, const std::vector<LoopDim> &inner) {
        int64_t extents[4], strides[3][4];
        for (size_t o = 0; o < 3; ++o)
          halideGeometry(inner, o, extents, strides[o]);
        HalideView av(htype, advance(a, offsets[0], bytes), 4, extents,
                      strides[0]);
        HalideView bv(htype, advance(b, offsets[1], bytes), 4, extents,
                      strides[1]);
        HalideView ov(htype, advance(out, offsets[2], bytes), 4, extents,
                      strides[2]);
        callKernel(name, pipeline, av.get(), bv.get(), ov.get());
      });
}

namespace {

/// Runs a two-operand elementwise pipeline (in -> out, any strides) over
/// `shape` with elements of `htype` (`bytes` bytes each); `call(in, out)`
/// invokes it on halide_buffer_t descriptors.
template <class Call>
void elementwise(halide_type_t htype, std::size_t bytes,
                 const std::vector<int64_t> &shape, const void *in,
                 const std::vector<int64_t> &inStrides, void *out,
                 const std::vector<int64_t> &outStrides, Call &&call) {
  if (numelOf(shape) == 0)
    return;
  std::vector<LoopDim> dims = coalesce(shape, {&inStrides, &outStrides});
  forEachKernelCall(
      dims, 2, [&](const int64_t *offsets, const std::vector<LoopDim> &inner) {
        int64_t extents[4], strides[2][4];
        for (size_t o = 0; o < 2; ++o)
          halideGeometry(inner, o, extents, strides[o]);
        HalideView iv(htype, advance(in, offsets[0], bytes), 4, extents,
                      strides[0]);
        HalideView ov(htype, advance(out, offsets[1], bytes), 4, extents,
                      strides[1]);
        call(iv.get(), ov.get());
      });
}

} // namespace

void unary(UnaryOp op, ScalarType type, const std::vector<int64_t> &shape,
           const void *in, const std::vector<int64_t> &inStrides, void *out) {
  const char *name = nullptr;
  UnaryPipeline pipeline = pipelineFor(op, type, name);
  halide_type_t htype = halideTypeOf(type);
  if (op == UnaryOp::Copy && type == kFloat64)
    htype = bitsType(8);
  elementwise(htype, elementSize(type), shape, in, inStrides, out,
              denseStrides(shape),
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel(name, pipeline, iv, ov);
              });
}

void power(ScalarType type, const std::vector<int64_t> &shape, const void *in,
           const std::vector<int64_t> &inStrides, double exponent, void *out) {
  auto pipeline = type == kFloat64 ? nnc_halide_pow_f64 : nnc_halide_pow;
  elementwise(halideTypeOf(type), elementSize(type), shape, in, inStrides, out,
              denseStrides(shape),
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel("pow", pipeline, iv, exponent, ov);
              });
}

void copy(ScalarType type, const std::vector<int64_t> &shape, const void *in,
          const std::vector<int64_t> &inStrides, void *out,
          const std::vector<int64_t> &outStrides) {
  std::size_t bytes = elementSize(type);
  UnaryPipeline pipeline = copyPipelineFor(bytes);
  elementwise(bitsType(bytes), bytes, shape, in, inStrides, out, outStrides,
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel("copy", pipeline, iv, ov);
              });
}

void reduceRows(ReduceOp op, ScalarType type, int64_t rows, int64_t cols,
                const void *in, int64_t rowStride, int64_t colStride,
                double scale, void *out) {
  halide_type_t htype = halideTypeOf(type);
  if (rows == 0)
    return;
  if (cols == 0) {
    if (op != ReduceOp::Sum)
      throw Error("internal error: max or min over an empty dim");
    // An empty sum is 0; an empty mean (scale 1/0) is NaN, as in PyTorch.
    if (type == kFloat64)
      std::fill_n(static_cast<double *>(out), rows, 0.0 * scale);
    else
      std::fill_n(static_cast<float *>(out), rows,
                  0.0f * static_cast<float>(scale));
    return;
  }
  const char *name = nullptr;
  ReducePipeline pipeline = pipelineFor(op, type, name);
  int64_t inExtents[2] = {cols, rows}, inStrides[2] = {colStride, rowStride};
  int64_t outExtents[1] = {rows}, outStrides[1] = {1};
  HalideView iv(htype, in, 2, inExtents, inStrides);
  HalideView ov(htype, out, 1, outExtents, outStrides);
  callKernel(name, pipeline, iv.get(), scale, ov.get());
}

void matmul(ScalarType type, int64_t m, int64_t k, int64_t n, const void *a,
            int64_t aRowStride, int64_t aColStride, const void *b,
            int64_t bRowStride, void *out) {
  halide_type_t htype = halideTypeOf(type);
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    std::memset(out, 0, static_cast<std::size_t>(m * n) * elementSize(type));
    return;
  }
  int64_t aExtents[2] = {k, m}, aStrides[2] = {aColStride, aRowStride};
  int64_t bExtents[2] = {n, k}, bStrides[2] = {1, bRowStride};
  int64_t outExtents[2] = {n, m}, outStrides[2] = {1, n};
  HalideView av(htype, a, 2, aExtents, aStrides);
  HalideView bv(htype, b, 2, bExtents, bStrides);
  HalideView ov(htype, out, 2, outExtents, outStrides);
  callKernel("matmul",
             type == kFloat64 ? nnc_halide_matmul_f64 : nnc_halide_matmul,
             av.get(), bv.get(), ov.get());
}

bool halideUsesRuntimeThreadPool() {
  installHalideHooks();
  // Setting a handler returns the previous one: put ours back and compare.
  halide_do_par_for_t current =
      halide_set_custom_do_par_for(parallelForOnThreadPool);
  return current == parallelForOnThreadPool;
}

void runHalidePipeline(const char *kernel,
                       const std::function<int()> &pipeline) {
  callKernel(kernel, pipeline);
}

} // namespace nnc::kernels
