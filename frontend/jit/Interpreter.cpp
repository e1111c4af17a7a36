//===- frontend/jit/Interpreter.cpp - Run nn graphs op by op --------------===//
//
// Each `nn` op is one call of the eager API with the op's attributes; the
// backward-only ops are composed from eager ops the way their documentation
// defines them. Every result is checked against the op's result type, so a
// graph whose types and eager semantics disagree fails at that op, not in
// whatever reads it later.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/Interpreter.h"

#include "frontend/Autograd.h"
#include "frontend/Error.h"
#include "frontend/Random.h"
#include "frontend/jit/ElementTypes.h"
#include "frontend/nn/ConvFunctional.h"
#include "frontend/nn/Functional.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <functional>
#include <string>

namespace nnc::jit {
namespace {

namespace F = nnc::nn::functional;

std::string describe(mlir::Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at " << op->getLoc();
  return text;
}

std::string typeString(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// Throws unless `t` has `type`'s rank, static sizes and element type.
void checkType(const Tensor &t, mlir::Type type, const std::string &what) {
  auto ranked = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!ranked)
    throw Error("interpret: " + what + " has type " + typeString(type) +
                ", which is not a ranked tensor");
  std::optional<ScalarType> dtype = scalarTypeOf(ranked.getElementType());
  bool matches = dtype && *dtype == t.dtype() && t.dim() == ranked.getRank();
  for (int64_t d = 0; matches && d < ranked.getRank(); ++d)
    matches = ranked.isDynamicDim(d) || ranked.getDimSize(d) == t.size(d);
  if (!matches)
    throw Error("interpret: " + what + " should be " + typeString(type) +
                " but is a " + toString(t.dtype()) + " tensor of shape " +
                shapeToString(t.sizes()));
}

template <class T> Tensor fromDense(mlir::DenseElementsAttr dense, Tensor t) {
  T *out = t.data_ptr<T>();
  int64_t i = 0;
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    for (const llvm::APFloat &v : dense.getValues<llvm::APFloat>())
      out[i++] = T(v.convertToFloat());
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    for (const llvm::APInt &v : dense.getValues<llvm::APInt>())
      out[i++] = static_cast<uint8_t>(v.getZExtValue());
  } else {
    for (T v : dense.getValues<T>())
      out[i++] = v;
  }
  return t;
}

/// The tensor an nn.constant holds.
Tensor constantTensor(mlir::nn::ConstantOp op) {
  auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(op.getValue());
  auto type = llvm::cast<mlir::RankedTensorType>(op.getType());
  std::optional<ScalarType> dtype = scalarTypeOf(type.getElementType());
  if (!dense || !dtype)
    throw Error("interpret: " + describe(op) +
                ": only dense constants of nnc's dtypes are supported");
  Tensor t = empty(type.getShape(), *dtype);
  switch (*dtype) {
  case ScalarType::Float32:
    return fromDense<float>(dense, t);
  case ScalarType::Float64:
    return fromDense<double>(dense, t);
  case ScalarType::Float16:
    return fromDense<Half>(dense, t);
  case ScalarType::BFloat16:
    return fromDense<BFloat16>(dense, t);
  case ScalarType::Int64:
    return fromDense<int64_t>(dense, t);
  case ScalarType::Int32:
    return fromDense<int32_t>(dense, t);
  case ScalarType::UInt8:
    return fromDense<uint8_t>(dense, t);
  case ScalarType::Bool:
    return fromDense<bool>(dense, t);
  }
  throw Error("interpret: " + describe(op) + ": unknown dtype");
}

std::string reductionName(mlir::nn::Reduction reduction) {
  return mlir::nn::stringifyReduction(reduction).str();
}

/// (softmax(logits, 1) - onehot(target)) scaled by the loss's gradient, as
/// nn.cross_entropy_grad defines it.
Tensor crossEntropyGrad(const Tensor &grad, const Tensor &logits,
                        const Tensor &target, mlir::nn::Reduction reduction) {
  int64_t rows = logits.size(0);
  Tensor onehot =
      zeros(logits.sizes(), logits.dtype())
          .scatter_add(1, target.unsqueeze(1), ones({rows, 1}, logits.dtype()));
  Tensor diff = logits.softmax(1) - onehot;
  switch (reduction) {
  case mlir::nn::Reduction::None:
    return diff * grad.unsqueeze(1);
  case mlir::nn::Reduction::Sum:
    return diff * grad;
  case mlir::nn::Reduction::Mean:
    return diff * (grad / static_cast<double>(rows));
  }
  throw Error("interpret: unknown reduction");
}

/// `reduce(x, dim, keepdim)` applied over each of `dims` (all dims when
/// empty, through `reduceAll`), for eager ops that take one dim at a time.
template <class Reduce, class ReduceAll>
Tensor overDims(const Tensor &x, llvm::ArrayRef<int64_t> dims, bool keepdim,
                Reduce reduce, ReduceAll reduceAll) {
  if (dims.empty()) {
    Tensor all = reduceAll(x);
    return keepdim ? all.reshape(IntList(x.dim(), 1)) : all;
  }
  llvm::SmallVector<int64_t> sorted;
  for (int64_t d : dims)
    sorted.push_back(d < 0 ? d + x.dim() : d);
  llvm::sort(sorted, std::greater<int64_t>()); // later dims first
  Tensor result = x;
  for (int64_t d : sorted)
    result = reduce(result, d, keepdim);
  return result;
}

/// Variance over `dims` with Bessel's `correction` (nn.var's definition).
Tensor variance(const Tensor &x, llvm::ArrayRef<int64_t> dims,
                int64_t correction, bool keepdim) {
  IntList reduced(dims.begin(), dims.end());
  Tensor deviation = x - x.mean(reduced, /*keepdim=*/true);
  Tensor squares = (deviation * deviation).sum(reduced, keepdim);
  int64_t count = dims.empty() ? x.numel() : 1;
  for (int64_t d : dims)
    count *= x.size(d);
  return squares / static_cast<double>(count - correction);
}

/// A pair attribute (stride, padding, ...) as the functional API takes it.
ExpandingArray<2> pairOf(llvm::ArrayRef<int64_t> values) {
  return IntList(values.begin(), values.end());
}

/// The gradient that eager autograd gives `leaf` when `forward(leaf)` is
/// back-propagated with `grad`: the reference for the backward-only ops
/// (their definition is "the VJP of the forward op").
Tensor eagerGradient(Tensor leaf, const Tensor &grad,
                     const std::function<Tensor(const Tensor &)> &forward) {
  AutoGradMode enableGrad(true);
  leaf.requires_grad_(true);
  forward(leaf).backward(grad);
  return leaf.grad();
}

/// The window positions a strided, dilated convolution reads for tap
/// (kh, kw): a [N, C, OH, OW] view of `padded`.
Tensor tapView(const Tensor &padded, int64_t kh, int64_t kw, int64_t oh,
               int64_t ow, llvm::ArrayRef<int64_t> stride,
               llvm::ArrayRef<int64_t> dilation) {
  int64_t h0 = kh * dilation[0], w0 = kw * dilation[1];
  return padded.slice(2, h0, h0 + (oh - 1) * stride[0] + 1, stride[0])
      .slice(3, w0, w0 + (ow - 1) * stride[1] + 1, stride[1]);
}

/// The padded input extent a convolution with these attributes reads:
/// the input plus padding, or more where `grad` has extra rows (a
/// ceil_mode pooling's windows, as nn.conv2d_backward_input allows).
int64_t paddedExtent(int64_t size, int64_t pad, int64_t out, int64_t kernel,
                     int64_t stride, int64_t dilation) {
  return std::max(size + 2 * pad,
                  (out - 1) * stride + (kernel - 1) * dilation + 1);
}

/// nn.conv2d_backward_input by its definition: every tap's contribution
/// (grad times that tap's weights) added into the padded input positions
/// it was read from, then the padding cropped.
Tensor conv2dBackwardInput(mlir::nn::Conv2dBackwardInputOp op,
                           const Tensor &grad, const Tensor &weight) {
  llvm::ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                          dilation = op.getDilation(),
                          inputSize = op.getInputSize();
  int64_t groups = op.getGroups();
  int64_t oh = grad.size(2), ow = grad.size(3);
  int64_t kh = weight.size(2), kw = weight.size(3);
  int64_t groupOut = weight.size(0) / groups, groupIn = weight.size(1);
  Tensor padded = zeros(
      {grad.size(0), groupIn * groups,
       paddedExtent(inputSize[0], padding[0], oh, kh, stride[0], dilation[0]),
       paddedExtent(inputSize[1], padding[1], ow, kw, stride[1], dilation[1])},
      grad.dtype());
  for (int64_t g = 0; g < groups; ++g) {
    // [N, OH, OW, Og]: the output channels last, to contract with weights.
    Tensor gradG = grad.narrow(1, g * groupOut, groupOut).permute({0, 2, 3, 1});
    Tensor weightG = weight.narrow(0, g * groupOut, groupOut);
    Tensor paddedG = padded.narrow(1, g * groupIn, groupIn);
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j)
        tapView(paddedG, i, j, oh, ow, stride, dilation)
            .add_(gradG.matmul(weightG.select(3, j).select(2, i))
                      .permute({0, 3, 1, 2}));
  }
  return padded.slice(2, padding[0], padding[0] + inputSize[0])
      .slice(3, padding[1], padding[1] + inputSize[1])
      .contiguous();
}

/// nn.conv2d_backward_weight by its definition: for each tap, grad
/// contracted with the input elements that tap read, over the batch and
/// the output positions.
Tensor conv2dBackwardWeight(mlir::nn::Conv2dBackwardWeightOp op,
                            const Tensor &grad, const Tensor &input) {
  llvm::ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                          dilation = op.getDilation(),
                          kernel = op.getKernelSize();
  int64_t groups = op.getGroups();
  int64_t n = grad.size(0), oh = grad.size(2), ow = grad.size(3);
  int64_t groupOut = grad.size(1) / groups, groupIn = input.size(1) / groups;
  Tensor padded = zeros({n, input.size(1),
                         paddedExtent(input.size(2), padding[0], oh, kernel[0],
                                      stride[0], dilation[0]),
                         paddedExtent(input.size(3), padding[1], ow, kernel[1],
                                      stride[1], dilation[1])},
                        input.dtype());
  padded.slice(2, padding[0], padding[0] + input.size(2))
      .slice(3, padding[1], padding[1] + input.size(3))
      .copy_(input);
  Tensor result =
      zeros({grad.size(1), groupIn, kernel[0], kernel[1]}, grad.dtype());
  for (int64_t g = 0; g < groups; ++g) {
    // [Og, N*OH*OW] times [N*OH*OW, Cg] for every tap.
    Tensor gradG = grad.narrow(1, g * groupOut, groupOut)
                       .transpose(0, 1)
                       .reshape({groupOut, n * oh * ow});
    Tensor paddedG = padded.narrow(1, g * groupIn, groupIn);
    for (int64_t i = 0; i < kernel[0]; ++i)
      for (int64_t j = 0; j < kernel[1]; ++j) {
        Tensor taps = tapView(paddedG, i, j, oh, ow, stride, dilation)
                          .permute({0, 2, 3, 1})
                          .reshape({n * oh * ow, groupIn});
        result.narrow(0, g * groupOut, groupOut)
            .select(3, j)
            .select(2, i)
            .copy_(gradG.matmul(taps));
      }
  }
  return result;
}

class Interpreter {
public:
  /// Runs the ops of `block` up to its terminator; returns the terminator's
  /// operands' values.
  std::vector<Tensor> runBlock(mlir::Block &block) {
    for (mlir::Operation &op : block.without_terminator())
      runOp(op);
    std::vector<Tensor> results;
    for (mlir::Value v : block.getTerminator()->getOperands())
      results.push_back(valueOf(v));
    return results;
  }

  void bind(mlir::Value value, Tensor t) { values_[value] = std::move(t); }

private:
  const Tensor &valueOf(mlir::Value value) const {
    auto it = values_.find(value);
    if (it == values_.end())
      throw Error("interpret: internal error: a value is used before it is "
                  "computed");
    return it->second;
  }

  void runOp(mlir::Operation &op) {
    std::vector<Tensor> results = evaluate(op);
    if (results.size() != op.getNumResults())
      throw Error("interpret: internal error: " + describe(&op) +
                  " produced the wrong number of results");
    for (auto [result, t] : llvm::zip_equal(op.getResults(), results)) {
      checkType(t, result.getType(), "the result of " + describe(&op));
      bind(result, t);
    }
  }

  std::vector<Tensor> evaluate(mlir::Operation &op) {
    auto in = [&](unsigned i) -> const Tensor & {
      return valueOf(op.getOperand(i));
    };
    using namespace mlir::nn;
    auto one = [](Tensor t) { return std::vector<Tensor>{std::move(t)}; };
    return llvm::TypeSwitch<mlir::Operation *, std::vector<Tensor>>(&op)
        .Case([&](ConstantOp c) { return one(constantTensor(c)); })
        .Case([&](AddOp) { return one(in(0) + in(1)); })
        .Case([&](SubOp) { return one(in(0) - in(1)); })
        .Case([&](MulOp) { return one(in(0) * in(1)); })
        .Case([&](DivOp) { return one(in(0) / in(1)); })
        .Case([&](NegOp) { return one(-in(0)); })
        .Case([&](ExpOp) { return one(in(0).exp()); })
        .Case([&](LogOp) { return one(in(0).log()); })
        .Case([&](TanhOp) { return one(in(0).tanh()); })
        .Case([&](SigmoidOp) { return one(in(0).sigmoid()); })
        .Case([&](ReluOp) { return one(in(0).relu()); })
        .Case([&](SqrtOp) { return one(in(0).sqrt()); })
        .Case([&](ErfOp) { return one(in(0).erf()); })
        .Case([&](PowOp p) {
          return one(in(0).pow(p.getExponent().convertToDouble()));
        })
        .Case([&](MatMulOp) { return one(in(0).matmul(in(1))); })
        .Case([&](TransposeOp t) {
          return one(in(0).transpose(t.getDim0(), t.getDim1()).contiguous());
        })
        .Case([&](ReshapeOp r) {
          auto type = llvm::cast<mlir::RankedTensorType>(r.getType());
          IntList shape(type.getShape().begin(), type.getShape().end());
          // At most the batch dim is dynamic: reshape infers it.
          for (int64_t &size : shape)
            if (mlir::ShapedType::isDynamic(size))
              size = -1;
          return one(in(0).reshape(shape));
        })
        .Case([&](SumOp r) {
          return one(in(0).sum(IntList(r.getDims()), r.getKeepdim()));
        })
        .Case([&](MeanOp r) {
          return one(in(0).mean(IntList(r.getDims()), r.getKeepdim()));
        })
        .Case([&](MaxOp r) {
          return one(in(0).amax(IntList(r.getDims()), r.getKeepdim()));
        })
        .Case([&](SoftmaxOp s) { return one(in(0).softmax(s.getDim())); })
        .Case(
            [&](LogSoftmaxOp s) { return one(in(0).log_softmax(s.getDim())); })
        .Case([&](CrossEntropyOp l) {
          return one(
              F::cross_entropy(in(0), in(1), reductionName(l.getReduction())));
        })
        .Case([&](MSELossOp l) {
          return one(
              F::mse_loss(in(0), in(1), reductionName(l.getReduction())));
        })
        .Case([&](BroadcastToOp) {
          return one(in(0).expand(in(1).sizes()).contiguous());
        })
        .Case(
            [&](EqualMaskOp) { return one(in(0).eq(in(1)).to(in(0).dtype())); })
        .Case([&](ReluGradOp) {
          return one(in(0) * in(1).gt(0).to(in(0).dtype()));
        })
        .Case([&](CrossEntropyGradOp g) {
          return one(crossEntropyGrad(in(0), in(1), in(2), g.getReduction()));
        })
        .Case([&](ConvertOp c) {
          auto type = llvm::cast<mlir::RankedTensorType>(c.getType());
          return one(in(0).to(*scalarTypeOf(type.getElementType())));
        })
        .Case([&](EqOp) { return one(in(0).eq(in(1))); })
        .Case([&](NeOp) { return one(in(0).ne(in(1))); })
        .Case([&](LtOp) { return one(in(0).lt(in(1))); })
        .Case([&](LeOp) { return one(in(0).le(in(1))); })
        .Case([&](GtOp) { return one(in(0).gt(in(1))); })
        .Case([&](GeOp) { return one(in(0).ge(in(1))); })
        .Case([&](WhereOp) { return one(where(in(0), in(1), in(2))); })
        .Case([&](ClampOp c) {
          auto bound = [](std::optional<llvm::APFloat> b) {
            return b ? std::optional<Scalar>(b->convertToDouble())
                     : std::nullopt;
          };
          return one(in(0).clamp(bound(c.getMin()), bound(c.getMax())));
        })
        .Case([&](AbsOp) { return one(in(0).abs()); })
        .Case([&](SignOp) { return one(in(0).sign()); })
        .Case([&](PowTensorOp) { return one(in(0).pow(in(1))); })
        .Case([&](SliceOp s) {
          return one(
              in(0)
                  .slice(s.getDim(), s.getStart(), s.getEnd(), s.getStep())
                  .contiguous());
        })
        .Case([&](SliceGradOp s) {
          Tensor result = zeros(in(1).sizes(), in(0).dtype());
          result.slice(s.getDim(), s.getStart(), s.getEnd(), s.getStep())
              .copy_(in(0));
          return one(result);
        })
        .Case([&](ConcatOp c) {
          std::vector<Tensor> inputs;
          for (mlir::Value v : c.getInputs())
            inputs.push_back(valueOf(v));
          return one(cat(inputs, c.getDim()));
        })
        .Case([&](PermuteOp p) {
          return one(in(0).permute(IntList(p.getDims())).contiguous());
        })
        .Case([&](IndexSelectOp i) {
          return one(in(0).index_select(i.getDim(), in(1)));
        })
        .Case([&](GatherOp g) { return one(in(0).gather(g.getDim(), in(1))); })
        .Case([&](ScatterAddOp g) {
          return one(in(0).scatter_add(g.getDim(), in(1), in(2)));
        })
        .Case([&](MinOp r) {
          return one(in(0).amin(IntList(r.getDims()), r.getKeepdim()));
        })
        .Case([&](ProdOp r) {
          return one(overDims(
              in(0), r.getDims(), r.getKeepdim(),
              [](const Tensor &x, int64_t d, bool k) { return x.prod(d, k); },
              [](const Tensor &x) { return x.prod(); }));
        })
        .Case([&](LogSumExpOp r) {
          return one(in(0).logsumexp(IntList(r.getDims()), r.getKeepdim()));
        })
        .Case([&](VarOp v) {
          return one(
              variance(in(0), v.getDims(), v.getCorrection(), v.getKeepdim()));
        })
        .Case([&](StdOp v) {
          return one(
              variance(in(0), v.getDims(), v.getCorrection(), v.getKeepdim())
                  .sqrt());
        })
        .Case([&](ArgMaxOp a) {
          return one(in(0).argmax(a.getDim(), a.getKeepdim()));
        })
        .Case([&](ArgMinOp a) {
          return one(in(0).argmin(a.getDim(), a.getKeepdim()));
        })
        .Case([&](AnyOp r) {
          return one(overDims(
              in(0), r.getDims(), r.getKeepdim(),
              [](const Tensor &x, int64_t d, bool k) { return x.any(d, k); },
              [](const Tensor &x) { return x.any(); }));
        })
        .Case([&](AllOp r) {
          return one(overDims(
              in(0), r.getDims(), r.getKeepdim(),
              [](const Tensor &x, int64_t d, bool k) { return x.all(d, k); },
              [](const Tensor &x) { return x.all(); }));
        })
        .Case([&](Conv2dOp c) {
          Tensor bias = c.getBias() ? valueOf(c.getBias()) : Tensor();
          return one(nn::functional::conv2d(
              in(0), in(1), bias, pairOf(c.getStride()), pairOf(c.getPadding()),
              pairOf(c.getDilation()), c.getGroups()));
        })
        .Case([&](Conv2dBackwardInputOp c) {
          return one(conv2dBackwardInput(c, in(0), in(1)));
        })
        .Case([&](Conv2dBackwardWeightOp c) {
          return one(conv2dBackwardWeight(c, in(0), in(1)));
        })
        .Case([&](MaxPool2dOp p) {
          return one(nn::functional::max_pool2d(
              in(0), pairOf(p.getKernel()), pairOf(p.getStride()),
              pairOf(p.getPadding()), pairOf(p.getDilation()),
              p.getCeilMode()));
        })
        .Case([&](MaxPool2dBackwardOp p) {
          return one(eagerGradient(in(1).clone(), in(0), [&](const Tensor &x) {
            return nn::functional::max_pool2d(
                x, pairOf(p.getKernel()), pairOf(p.getStride()),
                pairOf(p.getPadding()), pairOf(p.getDilation()),
                p.getCeilMode());
          }));
        })
        .Case([&](AvgPool2dOp p) {
          return one(nn::functional::avg_pool2d(
              in(0), pairOf(p.getKernel()), pairOf(p.getStride()),
              pairOf(p.getPadding()), p.getCeilMode(), p.getCountIncludePad()));
        })
        .Case([&](RandomUniformOp r) {
          auto type = llvm::cast<mlir::RankedTensorType>(r.getType());
          Tensor state = in(0).contiguous();
          const int64_t *s = state.data_ptr<int64_t>();
          return one(
              detail::counterUniform(s[0], s[1], IntList(type.getShape()),
                                     *scalarTypeOf(type.getElementType())));
        })
        .Case([&](FusionOp) { return runBlock(op.getRegion(0).front()); })
        .Default([&](mlir::Operation *) -> std::vector<Tensor> {
          throw Error("interpret: " + describe(&op) +
                      " is not supported by the reference interpreter");
        });
  }

  llvm::DenseMap<mlir::Value, Tensor> values_;
};

} // namespace

std::vector<Tensor> interpret(mlir::func::FuncOp function,
                              const std::vector<Tensor> &arguments) {
  if (function.isExternal())
    throw Error("interpret: @" + function.getSymName().str() + " has no body");
  if (arguments.size() != function.getNumArguments())
    throw Error("interpret: @" + function.getSymName().str() + " takes " +
                std::to_string(function.getNumArguments()) +
                " arguments, got " + std::to_string(arguments.size()));
  Interpreter interpreter;
  NoGradGuard noGrad;
  for (auto [i, arg] : llvm::enumerate(function.getArguments())) {
    checkType(arguments[i], arg.getType(), "argument " + std::to_string(i));
    interpreter.bind(arg, arguments[i]);
  }
  return interpreter.runBlock(function.getBody().front());
}

} // namespace nnc::jit
