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
#include "nnc_halide_copy.h"
#include "nnc_halide_copy_i64.h"
#include "nnc_halide_div.h"
#include "nnc_halide_eq.h"
#include "nnc_halide_exp.h"
#include "nnc_halide_log.h"
#include "nnc_halide_matmul.h"
#include "nnc_halide_max.h"
#include "nnc_halide_mul.h"
#include "nnc_halide_neg.h"
#include "nnc_halide_pow.h"
#include "nnc_halide_relu.h"
#include "nnc_halide_relu_grad.h"
#include "nnc_halide_sigmoid.h"
#include "nnc_halide_sqrt.h"
#include "nnc_halide_sub.h"
#include "nnc_halide_sum.h"
#include "nnc_halide_tanh.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <string>
#include <type_traits>

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

/// A halide_buffer_t over existing float32 or int64 memory. Dims are given
/// innermost first, as Halide numbers them. Not copyable: the buffer points
/// at dims_.
class HalideView {
public:
  static constexpr int kMaxRank = 4;

  template <class Element>
  HalideView(const Element *data, int rank, const int64_t *extents,
             const int64_t *strides) {
    static_assert(std::is_same_v<Element, float> ||
                  std::is_same_v<Element, int64_t>);
    std::memset(&buffer_, 0, sizeof(buffer_));
    std::memset(dims_, 0, sizeof(dims_));
    buffer_.host = reinterpret_cast<uint8_t *>(const_cast<Element *>(data));
    buffer_.type = std::is_same_v<Element, float>
                       ? halide_type_t(halide_type_float, 32, 1)
                       : halide_type_t(halide_type_int, 64, 1);
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

BinaryPipeline pipelineFor(BinaryOp op, const char *&name) {
  switch (op) {
  case BinaryOp::Add:
    name = "add";
    return nnc_halide_add;
  case BinaryOp::Sub:
    name = "sub";
    return nnc_halide_sub;
  case BinaryOp::Mul:
    name = "mul";
    return nnc_halide_mul;
  case BinaryOp::Div:
    name = "div";
    return nnc_halide_div;
  case BinaryOp::Equal:
    name = "eq";
    return nnc_halide_eq;
  case BinaryOp::ReluGrad:
    name = "relu_grad";
    return nnc_halide_relu_grad;
  }
  throw Error("internal error: unknown binary kernel");
}

UnaryPipeline pipelineFor(UnaryOp op, const char *&name) {
  switch (op) {
  case UnaryOp::Neg:
    name = "neg";
    return nnc_halide_neg;
  case UnaryOp::Exp:
    name = "exp";
    return nnc_halide_exp;
  case UnaryOp::Log:
    name = "log";
    return nnc_halide_log;
  case UnaryOp::Tanh:
    name = "tanh";
    return nnc_halide_tanh;
  case UnaryOp::Sigmoid:
    name = "sigmoid";
    return nnc_halide_sigmoid;
  case UnaryOp::Relu:
    name = "relu";
    return nnc_halide_relu;
  case UnaryOp::Sqrt:
    name = "sqrt";
    return nnc_halide_sqrt;
  case UnaryOp::Copy:
    name = "copy";
    return nnc_halide_copy;
  }
  throw Error("internal error: unknown unary kernel");
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void binary(BinaryOp op, const std::vector<int64_t> &shape, const float *a,
            const std::vector<int64_t> &aStrides, const float *b,
            const std::vector<int64_t> &bStrides, float *out) {
  if (numelOf(shape) == 0)
    return;
  const char *name = nullptr;
  BinaryPipeline pipeline = pipelineFor(op, name);
  std::vector<int64_t> outStrides = denseStrides(shape);
  std::vector<LoopDim> dims =
      coalesce(shape, {&aStrides, &bStrides, &outStrides});
  forEachKernelCall(
      dims, 3, [&](const int64_t *offsets, const std::vector<LoopDim> &inner) {
        int64_t extents[4], strides[3][4];
        for (size_t o = 0; o < 3; ++o)
          halideGeometry(inner, o, extents, strides[o]);
        HalideView av(a + offsets[0], 4, extents, strides[0]);
        HalideView bv(b + offsets[1], 4, extents, strides[1]);
        HalideView ov(out + offsets[2], 4, extents, strides[2]);
        callKernel(name, pipeline, av.get(), bv.get(), ov.get());
      });
}

namespace {

/// Runs a two-operand elementwise pipeline (in -> out, any strides) over
/// `shape`; `call(in, out)` invokes it on halide_buffer_t descriptors.
template <class Element, class Call>
void elementwise(const std::vector<int64_t> &shape, const Element *in,
                 const std::vector<int64_t> &inStrides, Element *out,
                 const std::vector<int64_t> &outStrides, Call &&call) {
  if (numelOf(shape) == 0)
    return;
  std::vector<LoopDim> dims = coalesce(shape, {&inStrides, &outStrides});
  forEachKernelCall(
      dims, 2, [&](const int64_t *offsets, const std::vector<LoopDim> &inner) {
        int64_t extents[4], strides[2][4];
        for (size_t o = 0; o < 2; ++o)
          halideGeometry(inner, o, extents, strides[o]);
        HalideView iv(in + offsets[0], 4, extents, strides[0]);
        HalideView ov(out + offsets[1], 4, extents, strides[1]);
        call(iv.get(), ov.get());
      });
}

} // namespace

void unary(UnaryOp op, const std::vector<int64_t> &shape, const float *in,
           const std::vector<int64_t> &inStrides, float *out) {
  const char *name = nullptr;
  UnaryPipeline pipeline = pipelineFor(op, name);
  elementwise(shape, in, inStrides, out, denseStrides(shape),
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel(name, pipeline, iv, ov);
              });
}

void power(const std::vector<int64_t> &shape, const float *in,
           const std::vector<int64_t> &inStrides, float exponent, float *out) {
  elementwise(shape, in, inStrides, out, denseStrides(shape),
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel("pow", nnc_halide_pow, iv, exponent, ov);
              });
}

void copy(const std::vector<int64_t> &shape, const float *in,
          const std::vector<int64_t> &inStrides, float *out,
          const std::vector<int64_t> &outStrides) {
  elementwise(shape, in, inStrides, out, outStrides,
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel("copy", nnc_halide_copy, iv, ov);
              });
}

void copy(const std::vector<int64_t> &shape, const int64_t *in,
          const std::vector<int64_t> &inStrides, int64_t *out,
          const std::vector<int64_t> &outStrides) {
  elementwise(shape, in, inStrides, out, outStrides,
              [&](halide_buffer_t *iv, halide_buffer_t *ov) {
                callKernel("copy_i64", nnc_halide_copy_i64, iv, ov);
              });
}

void reduceRows(ReduceOp op, int64_t rows, int64_t cols, const float *in,
                int64_t rowStride, int64_t colStride, float scale, float *out) {
  if (rows == 0)
    return;
  if (cols == 0) {
    if (op == ReduceOp::Max)
      throw Error("internal error: max over an empty dim");
    // An empty sum is 0; an empty mean (scale 1/0) is NaN, as in PyTorch.
    std::fill(out, out + rows, 0.0f * scale);
    return;
  }
  int64_t inExtents[2] = {cols, rows}, inStrides[2] = {colStride, rowStride};
  int64_t outExtents[1] = {rows}, outStrides[1] = {1};
  HalideView iv(in, 2, inExtents, inStrides);
  HalideView ov(out, 1, outExtents, outStrides);
  if (op == ReduceOp::Sum)
    callKernel("sum", nnc_halide_sum, iv.get(), scale, ov.get());
  else
    callKernel("max", nnc_halide_max, iv.get(), scale, ov.get());
}

void matmul(int64_t m, int64_t k, int64_t n, const float *a, int64_t aRowStride,
            int64_t aColStride, const float *b, int64_t bRowStride,
            float *out) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    std::fill(out, out + m * n, 0.0f);
    return;
  }
  int64_t aExtents[2] = {k, m}, aStrides[2] = {aColStride, aRowStride};
  int64_t bExtents[2] = {n, k}, bStrides[2] = {1, bRowStride};
  int64_t outExtents[2] = {n, m}, outStrides[2] = {1, n};
  HalideView av(a, 2, aExtents, aStrides);
  HalideView bv(b, 2, bExtents, bStrides);
  HalideView ov(out, 2, outExtents, outStrides);
  callKernel("matmul", nnc_halide_matmul, av.get(), bv.get(), ov.get());
}

bool halideUsesRuntimeThreadPool() {
  installHalideHooks();
  // Setting a handler returns the previous one: put ours back and compare.
  halide_do_par_for_t current =
      halide_set_custom_do_par_for(parallelForOnThreadPool);
  return current == parallelForOnThreadPool;
}

} // namespace nnc::kernels
