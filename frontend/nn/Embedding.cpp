//===- frontend/nn/Embedding.cpp - nn::Embedding --------------------------===//
#include "frontend/nn/Embedding.h"

#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"

#include <cmath>
#include <string>

namespace nnc::nn {

namespace {

/// padding_idx made non-negative, checked against the table's rows.
std::optional<int64_t> normalizePaddingIdx(const char *op,
                                           std::optional<int64_t> paddingIdx,
                                           int64_t numEmbeddings) {
  if (!paddingIdx)
    return std::nullopt;
  int64_t p = *paddingIdx;
  if (p < -numEmbeddings || p >= numEmbeddings)
    throw Error(std::string(op) + ": padding_idx must be within [" +
                std::to_string(-numEmbeddings) + ", " +
                std::to_string(numEmbeddings) + "), got " + std::to_string(p));
  return p < 0 ? p + numEmbeddings : p;
}

/// The checks of the options F::embedding and Embedding share.
void checkLookupOptions(const char *op, double normType, bool sparse) {
  if (sparse)
    throw Error(std::string(op) +
                ": sparse gradients are not supported (nnc has no sparse "
                "tensors); use sparse(false), the default");
  if (!(normType > 0))
    throw Error(std::string(op) +
                ": norm_type must be positive (or infinity), got " +
                std::to_string(normType));
}

/// Throws if `option` is being traced while weight requires grad (see
/// Embedding.h): a compiled training step would not compute PyTorch's
/// gradient. (compile_step traces its forward under NoGradGuard, so
/// requires_grad is what tells a weight being trained.)
void checkTracedWithoutGradient(const char *option, const char *why,
                                const Tensor &weight) {
  if (activeTraceHook() && weight.requires_grad())
    throw Error(std::string("embedding: ") + option +
                " cannot be traced while weight requires grad: " + why +
                ", which a traced graph cannot express; for inference, trace "
                "it with weight.requires_grad_(false), or run it eagerly");
}

/// How often each of `numRows` rows occurs in `index` (1-D, Long).
Tensor indexCounts(const Tensor &index, int64_t numRows) {
  return zeros({numRows}, kInt64).scatter_add(0, index, ones_like(index));
}

/// PyTorch's embedding_renorm_: the rows of `weight` that `index` refers to
/// whose normType-norm exceeds maxNorm are scaled in place by
/// maxNorm / (norm + 1e-7), without autograd. The whole table is written
/// (other rows times exactly 1), so a trace records one in-place update.
void renormReferencedRows(const Tensor &weight, const Tensor &index,
                          double maxNorm, double normType) {
  NoGradGuard noGrad;
  Tensor norms;
  if (std::isinf(normType))
    norms = weight.abs().amax({1}, /*keepdim=*/true);
  else if (normType == 2)
    norms = (weight * weight).sum({1}, /*keepdim=*/true).sqrt();
  else
    norms = weight.abs()
                .pow(normType)
                .sum({1}, /*keepdim=*/true)
                .pow(1.0 / normType);
  // PyTorch takes each norm as a double, compares and divides in double,
  // and scales the row by the quotient rounded to weight's dtype.
  Tensor norms64 = norms.to(kFloat64);
  Tensor scale = where(norms64.gt(maxNorm), maxNorm / (norms64 + 1e-7), 1.0);
  Tensor referenced = indexCounts(index, weight.size(0)).gt(0).unsqueeze(1);
  weight.copy_(weight * where(referenced, scale, 1.0).to(weight.dtype()));
}

/// weight's rows `index` (1-D, Long), each entry's gradient divided by how
/// often its index occurs in `index` (PyTorch's scale_grad_by_freq).
Tensor lookupScalingGradByFrequency(const Tensor &weight, const Tensor &index) {
  Tensor rows;
  {
    NoGradGuard noGrad;
    rows = weight.index_select(0, index);
  }
  // As PyTorch's backward: the gradient times 1 / count, in weight's dtype.
  Tensor inverseFrequency = 1.0 / indexCounts(index, weight.size(0))
                                      .index_select(0, index)
                                      .to(weight.dtype())
                                      .unsqueeze(1);
  autograd::recordGradient(
      rows, "EmbeddingBackward0", {weight}, {},
      [index, inverseFrequency,
       shape = weight.sizes()](const autograd::BackwardArgs &g) {
        Tensor rowIndex = index.unsqueeze(1).expand(g.grad.sizes());
        return std::vector<Tensor>{
            zeros(shape, g.grad.dtype())
                .scatter_add(0, rowIndex, g.grad * inverseFrequency)};
      });
  return rows;
}

} // namespace

namespace functional {

Tensor embedding(const Tensor &input, const Tensor &weight,
                 const EmbeddingFuncOptions &options) {
  checkLookupOptions("embedding", options.norm_type(), options.sparse());
  if (input.dtype() != kInt64 && input.dtype() != kInt32)
    throw Error(std::string("embedding: expected Long or Int indices, got ") +
                toString(input.dtype()));
  if (weight.dim() != 2)
    throw Error("embedding: expected weight of 2 dims [num_embeddings, "
                "embedding_dim], got " +
                shapeToString(weight.sizes()));
  std::optional<int64_t> padding =
      normalizePaddingIdx("embedding", options.padding_idx(), weight.size(0));
  Tensor flat = input.reshape({-1});
  if (options.max_norm()) {
    checkTracedWithoutGradient(
        "max_norm", "it renormalizes weight in place outside autograd", weight);
    renormReferencedRows(weight, flat.to(kInt64), *options.max_norm(),
                         options.norm_type());
  }
  Tensor rows;
  if (options.scale_grad_by_freq())
    checkTracedWithoutGradient(
        "scale_grad_by_freq",
        "its backward divides each gradient by its index's count", weight);
  if (options.scale_grad_by_freq() && autograd::anyRequiresGrad({weight})) {
    rows = lookupScalingGradByFrequency(weight, flat.to(kInt64));
  } else {
    rows = weight.index_select(0, flat);
  }
  if (padding) {
    // Padding entries pass no gradient to weight: their rows are masked
    // out, and a nonzero padding row (from_pretrained, or set by hand) is
    // added back as a copy with no path to weight. (Traced graphs have no
    // stop-gradient op, so detach() alone would not do.)
    Tensor isPadding = flat.eq(*padding).unsqueeze(1).to(weight.dtype());
    rows = rows * (1.0 - isPadding);
    Tensor padRow;
    bool padRowIsZero;
    {
      TraceHookGuard untraced(nullptr);
      NoGradGuard noGrad;
      padRow = weight.select(0, *padding).clone();
      padRowIsZero = !padRow.ne(0).any().item<bool>();
    }
    if (!padRowIsZero)
      rows = rows + isPadding * padRow;
  }
  IntList shape = input.sizes();
  shape.push_back(weight.size(1));
  return rows.reshape(shape);
}

} // namespace functional

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions &options)
    : Module("Embedding"), options(options) {
  int64_t num = options.num_embeddings(), dim = options.embedding_dim();
  if (num < 0 || dim < 0)
    throw Error("Embedding: num_embeddings and embedding_dim must be >= 0, "
                "got " +
                std::to_string(num) + " and " + std::to_string(dim));
  checkLookupOptions("Embedding", options.norm_type(), options.sparse());
  this->options.padding_idx(
      normalizePaddingIdx("Embedding", options.padding_idx(), num));
  if (options._weight().defined()) {
    if (options._weight().sizes() != IntList{num, dim})
      throw Error("Embedding: _weight must have shape " +
                  shapeToString({num, dim}) + ", got " +
                  shapeToString(options._weight().sizes()));
    weight = register_parameter("weight", options._weight());
  } else {
    weight = register_parameter("weight", empty({num, dim}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  NoGradGuard noGrad;
  weight.copy_(randn(weight.sizes(), weight.dtype()));
  if (options.padding_idx())
    weight.select(0, *options.padding_idx()).zero_();
}

Tensor EmbeddingImpl::forward(const Tensor &input) {
  return functional::embedding(
      input, weight,
      functional::EmbeddingFuncOptions()
          .padding_idx(options.padding_idx())
          .max_norm(options.max_norm())
          .norm_type(options.norm_type())
          .scale_grad_by_freq(options.scale_grad_by_freq())
          .sparse(options.sparse()));
}

Embedding
Embedding::from_pretrained(const Tensor &embeddings,
                           const EmbeddingFromPretrainedOptions &options) {
  if (embeddings.dim() != 2)
    throw Error("Embedding::from_pretrained: embeddings must be 2-D, got "
                "shape " +
                shapeToString(embeddings.sizes()));
  Embedding embedding(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                          .padding_idx(options.padding_idx())
                          .max_norm(options.max_norm())
                          .norm_type(options.norm_type())
                          .scale_grad_by_freq(options.scale_grad_by_freq())
                          .sparse(options.sparse())
                          ._weight(embeddings.detach().clone()));
  embedding->weight.requires_grad_(!options.freeze());
  return embedding;
}

} // namespace nnc::nn
